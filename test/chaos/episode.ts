import type { Cursor } from '../../shared/core/ports/cursor-store';
import { decodeLines } from '../../shared/sinks/encode';
import type { Sink } from '../../shared/core/ports/sink';
import { Random } from '../../simulators/common/random';
import type { ProviderFixture } from '../scenarios/fixture';
import { DAY, documentKey, HOUR, MINUTE, Scenario, startInfrastructure, type RunOutcome } from '../scenarios/harness';
import { faultyProcess, type FaultyProcess } from './faulty-process';
import { armFirehose, planRun, type RunPlan } from './plan';
import { unconfirmedDeliveries } from './unconfirmed';

/** 2025-06-02T08:00:00Z, as in the contract scenarios. */
const T0 = Date.UTC(2025, 5, 2, 8, 0, 0);
/** Short, so a `slow` fault beyond it costs little real time. */
const REQUEST_TIMEOUT_MS = 200;
/** Clean runs allowed to catch up after the faulty schedule. */
const MAX_SETTLE_RUNS = 40;

export interface EpisodeOptions {
  seed: number;
  /** Scheduled invocations with faults, before the clean runs that let the source catch up. */
  steps: number;
  /** Wraps every invocation's sink: a deliberately broken pipeline, to prove the checks fail. */
  sabotage?: (sink: Sink) => Sink;
}

/** What one episode served, delivered and survived. */
export interface EpisodeReport {
  api: string;
  seed: number;
  invocations: number;
  failedRuns: number;
  leaseHeld: number;
  cutByDeadline: number;
  /** The last cursor is past every served record. */
  caughtUp: boolean;
  served: number;
  delivered: number;
  lost: number;
  duplicated: number;
  /** Duplicated copies no crash or failure between acknowledgement and checkpoint accounts for. */
  unexplainedDuplicates: number;
  /** Duplicated copies by what left them unconfirmed (`crash:<point>`, `lease-lost`, `failed-run`). */
  duplicatesByCause: Record<string, number>;
  /** The most copies one failed invocation's unconfirmed pages account for. */
  largestRepeat: number;
  /** Delivered documents carrying a record the provider never served. */
  unexpected: number;
  /** Records whose repeated deliveries do not share their event.id. */
  idConflicts: number;
  /** Faults acted out, by `<where>:<kind>`. */
  faults: Record<string, number>;
  /** A few lost records or unexplained keys, for the report. */
  samples: string[];
  realMs: number;
}

/** One invocation as the episode saw it. */
interface Invocation {
  outcome: RunOutcome;
  process: FaultyProcess;
  startCursor?: Cursor;
  /** Copies of each record Firehose acknowledged while it ran (with its twin, if overlapping). */
  acknowledged: Map<string, number>;
}

/**
 * One API under a seeded storm: a backlog and new events arriving between
 * scheduled invocations, each invocation with its own draw of provider,
 * Firehose, DynamoDB and crash faults (and sometimes an overlapping twin),
 * then clean runs until the source has caught up; then what the simulator
 * served is compared with what Firehose acknowledged.
 */
export async function runEpisode(fixture: ProviderFixture, options: EpisodeOptions): Promise<EpisodeReport> {
  const realStart = performance.now();
  const random = new Random(options.seed);
  const infra = await startInfrastructure();
  let scenario: Scenario | undefined;
  try {
    const backlog = random.int(HOUR, 2 * DAY);
    scenario = await Scenario.open(infra, fixture, {
      startAt: T0,
      startFrom: (limits) => limits.nowSeconds - limits.lagSeconds - backlog,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
    });
    const episode = new EpisodeRunner(scenario, random, options.sabotage);
    scenario.sim.addEvents({ count: random.int(200, 900), from: scenario.startFrom, to: scenario.nowSeconds - 1, seed: options.seed });
    for (let step = 1; step <= options.steps; step++) {
      if (step > 1) episode.timePasses(step, options.seed);
      await episode.invoke(planRun(random, { requestTimeoutMs: REQUEST_TIMEOUT_MS }));
    }
    const caughtUp = await episode.settle();
    return { ...episode.report(caughtUp, options.seed), realMs: Math.round(performance.now() - realStart) };
  } finally {
    await scenario?.close();
    await infra.stop();
  }
}

class EpisodeRunner {
  readonly invocations: Invocation[] = [];
  private overlaps = 0;
  private crashes: Record<string, number> = {};

  constructor(
    private readonly scenario: Scenario,
    private readonly random: Random,
    private readonly sabotage?: (sink: Sink) => Sink,
  ) {}

  /** The schedule's interval passes and new events arrive, none later than the next run can still see. */
  timePasses(step: number, seed: number): void {
    const { scenario, random } = this;
    const before = scenario.nowSeconds;
    scenario.advance(random.int(MINUTE, 15 * MINUTE));
    const count = random.int(0, 150);
    // Dated after the edge the last run could have read (before - lag): still inside the lag.
    if (count > 0) scenario.sim.addEvents({ count, from: before - scenario.lagSeconds, to: scenario.nowSeconds - 1, seed: seed * 1000 + step });
  }

  /** One scheduled invocation under `plan`, with its overlapping twin if drawn. */
  async invoke(plan: RunPlan): Promise<void> {
    const { scenario } = this;
    const firehose = scenario.infra.firehose;
    const startCursor = (await scenario.state())?.cursor;
    const ackedBefore = firehose.acknowledgedRecords(scenario.stream).length;
    const faulty = faultyProcess(scenario, plan.process, this.sabotage);
    const beforeDelivery = Object.fromEntries(
      Object.entries(plan.firehoseFaults).map(([n, faults]) => [n, () => faults.forEach((fault) => armFirehose(firehose, fault))]),
    );
    const runs = [{ process: faulty, options: { faultsBeforeFetch: plan.providerFaults, beforeDelivery } }];
    if (plan.overlap) {
      this.overlaps++;
      runs.push({ process: faultyProcess(scenario, {}, this.sabotage), options: { faultsBeforeFetch: {}, beforeDelivery: {} } });
    }
    const outcomes = await Promise.all(
      runs.map(({ process, options }) =>
        scenario.run({ process, budgetMs: plan.budgetMs, fetchLatencyMs: plan.fetchLatencyMs, ...options }).finally(() => process.close()),
      ),
    );
    const acknowledged = this.acknowledgedSince(ackedBefore);
    outcomes.forEach((outcome, i) => this.invocations.push({ outcome, process: runs[i]!.process, startCursor, acknowledged }));
    const crashedAt = faulty.crashedAt();
    if (crashedAt) this.crashes[crashedAt] = (this.crashes[crashedAt] ?? 0) + 1;
  }

  /** Past every lease and the lag, clean invocations until the source has caught up. */
  async settle(): Promise<boolean> {
    const { scenario } = this;
    scenario.infra.firehose.faults.reset();
    scenario.advance(scenario.lagSeconds + 20 * MINUTE);
    const newest = Math.max(...scenario.sim.records().map((record) => scenario.sim.eventTime(record)));
    for (let i = 0; i < MAX_SETTLE_RUNS; i++) {
      await this.invoke({ providerFaults: {}, firehoseFaults: {}, process: {}, budgetMs: 15 * MINUTE * 1000, fetchLatencyMs: 0, overlap: false });
      const last = this.invocations.at(-1)!.outcome;
      if (last.error === undefined && last.summary?.stoppedBy === 'caught-up') break;
      scenario.advance(5 * MINUTE);
    }
    const cursor = (await scenario.state())?.cursor;
    return cursor !== undefined && cursor.windowStart > newest;
  }

  report(caughtUp: boolean, seed: number): Omit<EpisodeReport, 'realMs'> {
    const { scenario } = this;
    const snapshot = scenario.snapshot();
    const comparison = snapshot.compare();
    const allowed = this.unconfirmed();
    const duplicatesByCause: Record<string, number> = {};
    const repeatedBy = new Map<number, number>();
    let unexplainedDuplicates = 0;
    const samples = comparison.lostRecords.slice(0, 3).map((record) => `lost ${JSON.stringify(record).slice(0, 200)}`);
    for (const [key, extra] of comparison.duplicatedCopies) {
      let left = extra;
      for (const [invocation, copies] of allowed.get(key) ?? []) {
        const explained = Math.min(left, copies);
        if (explained <= 0) break;
        const cause = this.causeOf(invocation);
        duplicatesByCause[cause] = (duplicatesByCause[cause] ?? 0) + explained;
        repeatedBy.set(invocation, (repeatedBy.get(invocation) ?? 0) + explained);
        left -= explained;
      }
      if (left > 0) {
        unexplainedDuplicates += left;
        if (samples.length < 6) samples.push(`unexplained duplicate ${key.slice(0, 200)}`);
      }
    }
    const summaries = this.invocations.map((invocation) => invocation.outcome);
    return {
      api: scenario.fixture.type,
      seed,
      invocations: summaries.length,
      failedRuns: summaries.filter((outcome) => outcome.error !== undefined).length,
      leaseHeld: summaries.filter((outcome) => outcome.summary?.stoppedBy === 'lease-held').length,
      cutByDeadline: summaries.filter((outcome) => outcome.summary?.stoppedBy === 'time-budget').length,
      caughtUp,
      served: comparison.served,
      delivered: comparison.delivered,
      lost: comparison.lost,
      duplicated: comparison.duplicated,
      unexplainedDuplicates,
      duplicatesByCause,
      largestRepeat: Math.max(0, ...repeatedBy.values()),
      unexpected: comparison.unexpected,
      idConflicts: comparison.idConflicts,
      faults: this.faults(),
      samples,
    };
  }

  /**
   * For each record, the acknowledged copies left unconfirmed by invocations
   * that did not end cleanly (by invocation index): only these may arrive twice.
   */
  private unconfirmed(): Map<string, Map<number, number>> {
    const allowed = new Map<string, Map<number, number>>();
    this.invocations.forEach(({ outcome, process, startCursor, acknowledged }, index) => {
      if (outcome.error === undefined) return;
      const lastSaved = process.checkpoints.at(-1) ?? startCursor;
      for (const [key, copies] of unconfirmedDeliveries(outcome, lastSaved, acknowledged)) {
        const byInvocation = allowed.get(key) ?? new Map<number, number>();
        byInvocation.set(index, copies);
        allowed.set(key, byInvocation);
      }
    });
    return allowed;
  }

  /**
   * Why a failed invocation left pages unconfirmed: where it crashed, or why
   * a checkpoint failed (a lease is only ever lost there, and another lane's
   * failure may be the run's own error).
   */
  private causeOf(index: number): string {
    const { process } = this.invocations[index]!;
    const crashedAt = process.crashedAt();
    if (crashedAt) return `crash:${crashedAt}`;
    const checkpointError = process.checkpointErrors[0];
    if (checkpointError) return checkpointError === 'LeaseLostError' ? 'lease-lost' : `checkpoint-failed:${checkpointError}`;
    return 'failed-run';
  }

  /** Faults acted out: as the simulator, Firehose and the processes counted them. */
  private faults(): Record<string, number> {
    const faults: Record<string, number> = {};
    const add = (name: string, count = 1) => {
      if (count > 0) faults[name] = (faults[name] ?? 0) + count;
    };
    for (const [kind, count] of Object.entries(this.scenario.sim.faultsActed())) add(`provider:${kind}`, count);
    for (const call of this.scenario.firehoseCalls()) {
      if (call.error) add(`firehose:${FIREHOSE_ERROR_NAMES[call.error] ?? call.error}`);
      else if (call.failed.length > 0) add('firehose:partial-failure');
    }
    for (const { process } of this.invocations) {
      for (const [kind, count] of Object.entries(process.dynamoFaults)) add(`dynamodb:${kind}`, count);
    }
    for (const [point, count] of Object.entries(this.crashes)) add(`crash:${point}`, count);
    add('overlapping-invocation', this.overlaps);
    return faults;
  }

  /** Records Firehose acknowledged for this stream since `from`, counted by canonical key. */
  private acknowledgedSince(from: number): Map<string, number> {
    const records = this.scenario.infra.firehose.acknowledgedRecords(this.scenario.stream).slice(from);
    return countBy(records.flatMap((data) => decodeLines(data).map(documentKey)));
  }
}

const FIREHOSE_ERROR_NAMES: Record<string, string> = {
  ServiceUnavailableException: 'throttled',
  ThrottlingException: 'throttled',
  InternalFailure: 'internal-failure',
  ConnectionReset: 'connection-reset',
};

function countBy(keys: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}
