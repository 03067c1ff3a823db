/**
 * `cloudtap backfill`: pull a past range `[from, to)` of one source again,
 * under a cursor and lease of its own so the live cursor never moves.
 * Re-running the same command continues from that cursor (resumable): a
 * relative range (`--from 7d --to 6d`) means the range it meant the first
 * time (backfill-range.ts), and a range already complete pulls nothing.
 */
import { systemClock, unixSeconds, type Clock } from '../lib/clock';
import { ConfigError } from '../lib/errors';
import type { Puller } from '../core/pipeline';
import type { RunProgress, RunSummary } from '../core/run-options';
import type { Source } from '../core/ports/source';
import { RunTally } from '../core/tally';
import { earliestStart, MIN_PARALLEL_WINDOW_SECONDS } from '../core/windows';
import type { CursorStore, RangeResolutionStore } from '../core/ports/cursor-store';
import type { SourceDefinition, SourceInstanceConfig } from '../providers/definition';
import { rememberRange, resolveRange, type BackfillRange, type ResolvedRange } from './backfill-range';

export type { BackfillRange, ResolvedRange } from './backfill-range';

/** The cursor/lease key of a backfill: never a live source id (those are [a-z0-9-]+). */
export function backfillKey(sourceId: string, range: BackfillRange, kind: 'local' | 'deployed'): string {
  // The file store only accepts [a-z0-9-]+ names; locally the key lives in its own directory instead.
  return kind === 'local' ? `${sourceId}-${range.from}-${range.to}` : `${sourceId}~backfill~${range.from}-${range.to}`;
}

/** Refuse ranges the provider cannot serve or the live run still owns; returns nothing when fine. */
export function checkBackfillRange(
  range: BackfillRange,
  instance: SourceInstanceConfig,
  retentionSeconds: number,
  nowSeconds: number,
): void {
  const problems: string[] = [];
  if (!Number.isInteger(range.from) || !Number.isInteger(range.to)) problems.push('--from and --to must be times');
  else if (range.to <= range.from) problems.push('--to must be later than --from');
  const earliest = earliestStart({ nowSeconds, retentionSeconds, lagSeconds: 0, maxWindowSeconds: 1 });
  if (range.from < earliest) {
    problems.push(
      `--from ${iso(range.from)} is outside ${instance.type}'s retention of ${Math.round(retentionSeconds / 86_400)} days: ` +
        `the API serves nothing before ${iso(earliest)}`,
    );
  }
  const horizon = nowSeconds - instance.lagSeconds;
  if (range.to > horizon) {
    problems.push(`--to ${iso(range.to)} is later than now − lag (${iso(horizon)}); the provider may still publish events there`);
  }
  if (problems.length > 0) throw new ConfigError(`backfill of ${instance.id}`, problems);
}

export interface BackfillProgress extends RunProgress {
  range: BackfillRange;
  /** 0..1 of the range's seconds paged. */
  fraction: number;
  /** Seconds left at the API's documented pace, extrapolating the events seen so far; undefined until known. */
  etaSeconds?: number;
}

export interface BackfillOptions {
  instance: SourceInstanceConfig;
  /** For its documented pace (the ETA). */
  definition: SourceDefinition<any>;
  /** The instance's source, as its definition builds it. */
  source: Source;
  /** `--from` and `--to` as typed: ISO 8601, unix seconds, or a duration ago (`7d`). */
  from: string;
  to: string;
  /** Resolve a relative range against now again instead of reusing the remembered resolution. */
  fresh?: boolean;
  /** Pulls into the target's sink under the target's backfill store. */
  puller: Puller;
  /** The puller's store: where a re-run finds how far the range got, and what a relative range was resolved to. */
  store: CursorStore & RangeResolutionStore;
  /** The range's cursor key for the target: backfillKey(id, range, kind). */
  keyFor: (range: BackfillRange) => string;
  owner: string;
  clock?: Clock;
  /** How long this invocation may run before it checkpoints and stops; default 1 hour. Re-run to continue. */
  budgetMs?: number;
  /** Stops the backfill as its budget running out does (Ctrl-C): what was fetched is delivered and checkpointed. */
  signal?: AbortSignal;
  /** Told the range once it is resolved, before the range is checked or anything is pulled. */
  onRange?: (resolved: ResolvedRange) => void;
  onProgress?: (progress: BackfillProgress) => void;
}

export interface BackfillResult {
  /** The range worked on, and whether it is a remembered resolution. */
  resolved: ResolvedRange;
  summary: RunSummary;
  /** The whole range has been delivered. */
  complete: boolean;
  /** It had been before this run: nothing was asked of the provider. */
  alreadyComplete: boolean;
}

export async function runBackfill(options: BackfillOptions): Promise<BackfillResult> {
  const clock = options.clock ?? systemClock;
  const retention = options.source.retentionSeconds;
  const resolving = { ...options, sourceId: options.instance.id, clock };
  let resolved = await resolveRange(resolving);
  if (resolved.relative && !resolved.reused) {
    // Refused before it is remembered; if another run resolved the same text first, its range is the one to finish.
    checkBackfillRange(resolved.range, options.instance, retention, unixSeconds(clock.now()));
    resolved = await rememberRange(resolved, resolving);
  }
  options.onRange?.(resolved);
  const startedAt = clock.now();
  const key = options.keyFor(resolved.range);
  const stored = (await options.store.read(key))?.cursor;
  if (stored && stored.windowStart >= resolved.range.to) {
    // Nothing to ask the provider, whatever its retention says by now.
    const summary = new RunTally(key).finish({ stoppedBy: 'caught-up', cursor: stored, durationMs: clock.now() - startedAt });
    return { resolved, summary, complete: true, alreadyComplete: true };
  }
  checkResolvedRange(resolved, options.instance, retention, unixSeconds(clock.now()));
  const summary = await pullRange(options, resolved.range, stored?.windowStart ?? resolved.range.from, clock);
  const complete = summary.stoppedBy === 'caught-up' && (summary.cursor?.windowStart ?? resolved.range.from) >= resolved.range.to;
  if (complete) options.onProgress?.({ ...summary, range: resolved.range, fraction: 1, etaSeconds: 0 });
  return { resolved, summary, complete, alreadyComplete: false };
}

/** checkBackfillRange, telling the way out when the range is an old resolution that no longer fits. */
function checkResolvedRange(resolved: ResolvedRange, instance: SourceInstanceConfig, retentionSeconds: number, nowSeconds: number): void {
  try {
    checkBackfillRange(resolved.range, instance, retentionSeconds, nowSeconds);
  } catch (error) {
    if (!(error instanceof ConfigError) || !resolved.reused) throw error;
    throw new ConfigError(error.where, [...error.issues, `${reuseNote(resolved)}; pass --fresh to resolve it again`]);
  }
}

/** Which remembered resolution a range is, for messages. */
export function reuseNote(resolved: ResolvedRange): string {
  return `the range resolved on ${new Date(resolved.resolvedAt).toISOString()} for "${resolved.text}"`;
}

/** Page `range` under its own cursor (which starts at `resumedAt`), one window at a time, telling progress along it. */
async function pullRange(options: BackfillOptions, range: BackfillRange, resumedAt: number, clock: Clock): Promise<RunSummary> {
  const configured = options.source;
  const pace = options.definition.pace;
  const { from, to } = range;
  const span = to - from;
  const key = options.keyFor(range);
  // About 20 windows over the range, so progress (and the ETA) moves window by window; each costs one extra request at most.
  const source = withMaxWindow(configured, Math.min(configured.maxWindowSeconds, Math.max(MIN_PARALLEL_WINDOW_SECONDS, Math.ceil(span / 20))));
  let covered = 0;
  return options.puller.pull({
    sourceId: key,
    source,
    owner: options.owner,
    lagSeconds: options.instance.lagSeconds,
    start: { at: from },
    until: to,
    deadline: clock.now() + (options.budgetMs ?? 3_600_000),
    reserveMs: 10_000,
    signal: options.signal,
    // One window at a time: progress along the range is then monotonic, and the API's rate limit bounds the pace anyway.
    parallelWindows: 1,
    onProgress: (progress) => {
      if (progress.window) covered = Math.max(covered, progress.window.start - from);
      const done = Math.max(covered, resumedAt - from);
      const fraction = Math.min(1, done / span);
      options.onProgress?.({ ...progress, range, fraction, etaSeconds: eta(progress, done - (resumedAt - from), to - from - done, pace) });
    },
  });
}

/** Remaining events (extrapolated from this invocation's density) over the documented records per second. */
function eta(
  progress: RunProgress,
  coveredThisRun: number,
  remainingSeconds: number,
  pace: SourceDefinition['pace'],
): number | undefined {
  if (!pace || coveredThisRun <= 0) return undefined;
  const density = progress.pulled / coveredThisRun;
  const remainingEvents = density * remainingSeconds;
  return Math.ceil(Math.ceil(remainingEvents / pace.pageSize) / pace.requestsPerSecond);
}

/** The same source, asked for narrower windows. */
function withMaxWindow(source: Source, maxWindowSeconds: number): Source {
  return new Proxy(source, {
    get(target, property) {
      if (property === 'maxWindowSeconds') return maxWindowSeconds;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}
