import type { Random } from '../../simulators/common/random';
import type { FirehoseServer } from '../support/firehose-server';
import type { FixtureFault } from '../scenarios/fixture';
import { CRASH_POINTS, DYNAMO_FAULTS, type ProcessFaults } from './faulty-process';

/** Firehose faults, as the real service answers PutRecordBatch. */
export type FirehoseFault =
  | { kind: 'throttled'; calls: number }
  | { kind: 'internal-failure' }
  | { kind: 'connection-reset' }
  | { kind: 'partial-failure'; indexes: number[] };

/** Everything that goes wrong in one scheduled invocation. */
export interface RunPlan {
  /** Provider faults armed just before the Nth page fetch. */
  providerFaults: Record<number, FixtureFault[]>;
  /** Firehose faults armed just before the Nth delivery. */
  firehoseFaults: Record<number, FirehoseFault[]>;
  process: ProcessFaults;
  /** Simulated ms to the Lambda deadline. */
  budgetMs: number;
  /** Simulated ms each page fetch takes on top of the request. */
  fetchLatencyMs: number;
  /** A second invocation of the same source starts at the same moment. */
  overlap: boolean;
}

export interface PlanLimits {
  /** The client's request timeout (real ms): a `slow` fault waits longer than this. */
  requestTimeoutMs: number;
}

const PROVIDER_KINDS = ['throttle', 'server-error', 'slow', 'reset', 'truncated', 'malformed'] as const;
const FIREHOSE_KINDS = ['throttled', 'internal-failure', 'connection-reset', 'partial-failure'] as const;

/**
 * Draw one invocation's faults. Every draw comes from `random`, so a seed
 * replays the whole plan. Faults sit early in the run (a caught-up source
 * makes only a few requests a run), so most of what is drawn is acted out.
 */
export function planRun(random: Random, limits: PlanLimits): RunPlan {
  const providerFaults: Record<number, FixtureFault[]> = {};
  for (let i = random.int(0, 4); i > 0; i--) {
    const fetch = random.int(1, 6);
    (providerFaults[fetch] ??= []).push(providerFault(random, limits));
  }
  const firehoseFaults: Record<number, FirehoseFault[]> = {};
  for (let i = random.int(0, 3); i > 0; i--) {
    const delivery = random.int(1, 4);
    (firehoseFaults[delivery] ??= []).push(firehoseFault(random));
  }
  const process: ProcessFaults = {};
  if (random.next() < 0.3) {
    const point = random.pick(CRASH_POINTS);
    // A run takes its lease and releases it once; it fetches, delivers and checkpoints many times.
    const once = point === 'after-acquire' || point === 'before-release';
    process.crash = { point, nth: once ? 1 : random.int(1, 3) };
  }
  const dynamo = Array.from({ length: random.int(0, 2) }, () => ({ kind: random.pick(DYNAMO_FAULTS), nthWrite: random.int(1, 5) }));
  if (dynamo.length > 0) process.dynamo = dynamo;
  return {
    providerFaults,
    firehoseFaults,
    process,
    // Mostly the puller's 15 minutes; sometimes a run cut short by its deadline.
    budgetMs: random.next() < 0.15 ? random.int(35, 120) * 1000 : 15 * 60_000,
    fetchLatencyMs: random.int(0, 1500),
    overlap: random.next() < 0.1,
  };
}

function providerFault(random: Random, limits: PlanLimits): FixtureFault {
  const kind = random.pick(PROVIDER_KINDS);
  switch (kind) {
    case 'throttle':
      return { kind, times: random.int(1, 4) };
    case 'server-error':
      return { kind, times: random.int(1, 3) };
    case 'reset':
      return { kind, times: random.int(1, 2) };
    case 'slow':
      // Beyond the client's timeout: the request is abandoned and retried.
      return { kind, delayMs: limits.requestTimeoutMs + random.int(50, 250), times: 1 };
    case 'truncated':
    case 'malformed':
      return { kind, times: 1 };
  }
}

function firehoseFault(random: Random): FirehoseFault {
  const kind = random.pick(FIREHOSE_KINDS);
  switch (kind) {
    case 'throttled':
      return { kind, calls: random.int(1, 3) };
    case 'partial-failure':
      // Packed deliveries are often a single record: index 0 always fails, a few others may.
      return { kind, indexes: [0, ...Array.from({ length: random.int(0, 4) }, () => random.int(1, 30))] };
    default:
      return { kind };
  }
}

/** Arm a Firehose fault on the wire server: it hits the next PutRecordBatch call(s). */
export function armFirehose(server: FirehoseServer, fault: FirehoseFault): void {
  switch (fault.kind) {
    case 'throttled':
      return server.faults.throttle(fault.calls);
    case 'internal-failure':
      return server.faults.failCalls(1, 'InternalFailure');
    case 'connection-reset':
      return server.faults.failCalls(1, 'ConnectionReset');
    case 'partial-failure':
      return server.faults.failNextCall(fault.indexes);
  }
}
