import { ConditionalCheckFailedException, ProvisionedThroughputExceededException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Cursor, CursorStore } from '../../shared/core/ports/cursor-store';
import type { Sink } from '../../shared/core/ports/sink';
import type { Source } from '../../shared/core/ports/source';
import { SimulatedCrash, withFetchPage, type Process, type Scenario } from '../scenarios/harness';

/**
 * Where a process may die: between every pair of the pipeline's steps
 * (take the lease, fetch a page, map and deliver it, checkpoint, release).
 * `after-deliver` and `before-checkpoint` are the gap between an
 * acknowledged delivery and its checkpoint, the one place a page may repeat.
 */
export const CRASH_POINTS = [
  'after-acquire',
  'before-fetch',
  'after-fetch',
  'before-deliver',
  'after-deliver',
  'before-checkpoint',
  'after-checkpoint',
  'before-release',
] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

/** The process dies at the `nth` time it reaches `point` (1-based). */
export interface CrashPlan {
  point: CrashPoint;
  nth: number;
}

/**
 * DynamoDB faults on the process's Nth conditional write (acquire, checkpoint
 * or release), acted out in its SDK client's middleware so the real store
 * code meets them as the service would send them:
 * `condition-failed` the condition is refused (nothing written);
 * `answer-lost` the write is applied, then its answer is lost and the SDK retries it;
 * `throttled` ProvisionedThroughputExceeded before the write, which the SDK retries.
 */
export const DYNAMO_FAULTS = ['condition-failed', 'answer-lost', 'throttled'] as const;
export type DynamoFaultKind = (typeof DYNAMO_FAULTS)[number];

export interface DynamoFaultPlan {
  kind: DynamoFaultKind;
  nthWrite: number;
}

export interface ProcessFaults {
  crash?: CrashPlan;
  dynamo?: DynamoFaultPlan[];
}

/** A process (as a Lambda container builds it) that dies and fails where it was told to. */
export interface FaultyProcess extends Process {
  /** The crash point it died at, once dead. */
  crashedAt(): CrashPoint | undefined;
  /** DynamoDB faults acted out, by kind. */
  readonly dynamoFaults: Partial<Record<DynamoFaultKind, number>>;
  /** Cursors the store saved, in order (what the run surely checkpointed). */
  readonly checkpoints: Cursor[];
  /** Names of the errors checkpoints failed with (a lost lease, DynamoDB retries exhausted...). */
  readonly checkpointErrors: string[];
}

/** `wrapSink` lets a test sabotage delivery, to show the episode's checks catch it. */
export function faultyProcess(scenario: Scenario, faults: ProcessFaults, wrapSink: (sink: Sink) => Sink = (sink) => sink): FaultyProcess {
  const dynamoFaults: Partial<Record<DynamoFaultKind, number>> = {};
  const base = scenario.newProcess({
    configureDynamo: (client) => addDynamoFaults(client, faults.dynamo ?? [], (kind) => (dynamoFaults[kind] = (dynamoFaults[kind] ?? 0) + 1)),
  });
  const crash = new CrashSwitch(faults.crash);
  const checkpoints: Cursor[] = [];
  const checkpointErrors: string[] = [];
  return {
    store: crashingStore(base.store, crash, { saved: checkpoints, failed: checkpointErrors }),
    sink: crashingSink(wrapSink(base.sink), crash),
    source: crashingSource(base.source, crash),
    close: () => base.close(),
    crashedAt: () => crash.diedAt,
    dynamoFaults,
    checkpoints,
    checkpointErrors,
  };
}

/** Counts each step and kills the process at the planned one; once dead, every step throws. */
class CrashSwitch {
  diedAt?: CrashPoint;
  private readonly reached = new Map<CrashPoint, number>();

  constructor(private readonly plan?: CrashPlan) {}

  /** Throws if the process is dead, or dies here. */
  step(point: CrashPoint): void {
    this.alive();
    const count = (this.reached.get(point) ?? 0) + 1;
    this.reached.set(point, count);
    if (this.plan?.point === point && this.plan.nth === count) {
      this.diedAt = point;
      throw new SimulatedCrash(`process died ${point} (#${count})`);
    }
  }

  alive(): void {
    if (this.diedAt) throw new SimulatedCrash(`the process is gone (died ${this.diedAt})`);
  }
}

function crashingStore(store: CursorStore, crash: CrashSwitch, record: { saved: Cursor[]; failed: string[] }): CursorStore {
  return {
    acquire: async (...args) => {
      crash.alive();
      const acquired = await store.acquire(...args);
      crash.step('after-acquire');
      return acquired;
    },
    checkpoint: async (lease, cursor, ttlMs) => {
      crash.step('before-checkpoint');
      const next = await store.checkpoint(lease, cursor, ttlMs).catch((error: unknown) => {
        record.failed.push(error instanceof Error ? error.name : String(error));
        throw error;
      });
      record.saved.push(structuredClone(cursor));
      crash.step('after-checkpoint');
      return next;
    },
    // runSource calls this on success and on failure; a dead process writes nothing more.
    release: async (...args) => {
      if (crash.diedAt) return;
      crash.step('before-release');
      await store.release(...args);
    },
    read: (...args) => store.read(...args),
  };
}

function crashingSink(sink: Sink, crash: CrashSwitch): Sink {
  return {
    name: sink.name,
    deliver: async (documents) => {
      crash.step('before-deliver');
      const report = await sink.deliver(documents);
      crash.step('after-deliver');
      return report;
    },
    close: () => sink.close?.() ?? Promise.resolve(),
  };
}

function crashingSource(source: Source, crash: CrashSwitch): Source {
  return withFetchPage(source, async (request) => {
    crash.step('before-fetch');
    const page = await source.fetchPage(request);
    crash.step('after-fetch');
    return page;
  });
}

/** A lost answer as Node reports a dropped connection: the SDK classes it as transient and retries. */
const connectionReset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', $metadata: {} });

/**
 * Middleware inside the SDK's retry loop (finalizeRequest, low priority), so
 * retryable faults are retried by the SDK's own strategy, as in production.
 */
function addDynamoFaults(client: DynamoDBClient, plan: readonly DynamoFaultPlan[], acted: (kind: DynamoFaultKind) => void): void {
  let writes = 0;
  const seen = new WeakSet<object>();
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { ConditionExpression?: string };
      // Count each conditional write once, not once per SDK attempt.
      if (!input.ConditionExpression || seen.has(input)) return next(args);
      seen.add(input);
      const fault = plan.find((f) => f.nthWrite === ++writes);
      if (!fault) return next(args);
      acted(fault.kind);
      switch (fault.kind) {
        case 'condition-failed':
          throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
        case 'throttled':
          throw new ProvisionedThroughputExceededException({
            message: 'The level of configured provisioned throughput for the table was exceeded.',
            $metadata: {},
          });
        case 'answer-lost':
          await next(args);
          throw connectionReset();
      }
    },
    { step: 'finalizeRequest', priority: 'low', name: 'chaosDynamoFaults' },
  );
}
