/**
 * Where a source's progress and its lease live: DynamoDB when deployed, a JSON
 * file locally. Both implement the same contract, tested by the same suite.
 */

/**
 * A source's progress. Everything before `windowStart` has been delivered.
 * While windows are being paged (several at once when catching up a
 * backlog), `windows` lists them in order, contiguous from `windowStart`.
 */
export interface Cursor {
  /** Unix seconds. */
  windowStart: number;
  windows?: OpenWindow[];
}

/** A window being paged: fixed bounds, and how far it got. */
export interface OpenWindow {
  /** Unix seconds, inclusive. */
  start: number;
  /** Unix seconds, exclusive. */
  end: number;
  /** The next page to fetch; absent before the first page. */
  pageToken?: string;
  /** Every page of the window has been delivered (a later window may still be open before it). */
  done?: boolean;
  /**
   * Fingerprint of the last page delivered, so a resumed window can refuse a
   * provider that serves that page again instead of the next one.
   */
  lastPage?: string;
}

export interface SourceState {
  cursor?: Cursor;
  /** Epoch ms of the last run that ended caught up, cleanly out of time or interrupted (a skipped run only records its skip, `lastSkip`). */
  lastSuccessAt?: number;
  /** Epoch ms at which the last run ended, successful or not. */
  lastRunAt?: number;
  /** The last run's error message, cleared by a successful run. */
  lastError?: string;
  /** Epoch ms of the last checkpoint. */
  updatedAt?: number;
  /**
   * Records delivered by each recent run, oldest first: appended on release,
   * trimmed to the 24 hours before the releasing run and to RECENT_RUNS_MAX
   * entries, so the item stays small. Feeds `cloudtap status`'s events (24h).
   */
  recentRuns?: RecentRun[];
  /** The last run that did not happen (its lease was held, or its message came too late); see SkipRecorder. */
  lastSkip?: RunSkip;
  /** How many runs were skipped, ever. */
  skippedRuns?: number;
}

/** Why a due run did not happen: another run held the lease, or the run's message outlived its period. */
export type SkipReason = 'lease-held' | 'expired';

export interface RunSkip {
  /** Epoch ms. */
  at: number;
  reason: SkipReason;
  /** The lease's owner, for `lease-held`. */
  heldBy?: string;
}

export interface RecentRun {
  /** Epoch ms at which the run ended. */
  at: number;
  delivered: number;
}

/** 24 h at one run every 5 minutes is 288; a little headroom for manual runs. */
export const RECENT_RUNS_MAX = 300;
export const RECENT_RUNS_WINDOW_MS = 24 * 60 * 60 * 1000;

/** The list a release stores: `runs` plus this run (if it reports a count), only the last 24 h, at most RECENT_RUNS_MAX. */
export function appendRecentRun(runs: readonly RecentRun[] | undefined, outcome: RunOutcome): RecentRun[] {
  const all = [...(runs ?? [])];
  if (outcome.delivered !== undefined) all.push({ at: outcome.at, delivered: outcome.delivered });
  return all.filter((run) => run.at > outcome.at - RECENT_RUNS_WINDOW_MS).slice(-RECENT_RUNS_MAX);
}

export interface Lease {
  sourceId: string;
  /** Unique per invocation, e.g. the Lambda request id. */
  owner: string;
  /** Epoch ms. */
  expiresAt: number;
}

export interface RunOutcome {
  /** Epoch ms. */
  at: number;
  error?: string;
  /** Records the run delivered (before its failure, if it failed); recorded in `recentRuns`. */
  delivered?: number;
}

export interface CursorStore {
  /**
   * Take the source's lease for `ttlMs`, or throw LeaseHeldError if another
   * owner holds an unexpired one. Returns the lease and the state it guards.
   */
  acquire(sourceId: string, owner: string, ttlMs: number): Promise<{ lease: Lease; state: SourceState }>;
  /**
   * Save the cursor and extend the lease by `ttlMs`, only if `lease` is still
   * held (a fencing write). Throws LeaseLostError otherwise.
   */
  checkpoint(lease: Lease, cursor: Cursor, ttlMs: number): Promise<Lease>;
  /** Record how the run ended and give up the lease (only if still held). */
  release(lease: Lease, outcome: RunOutcome): Promise<void>;
  /** Read without taking the lease (status commands). */
  read(sourceId: string): Promise<SourceState | undefined>;
}

/**
 * Records runs that were due but did not happen, so status and metrics show
 * them as skipped rather than as successful runs that pulled nothing. Apart
 * from CursorStore because only the entry points (the Lambda, the local
 * runner) skip runs; the pipeline never does. Both stores implement it.
 */
export interface SkipRecorder {
  /**
   * Remember the skip on the source's state (last skip, one more skipped run),
   * touching nothing else: no lease, cursor or run outcome. Unconditional.
   */
  recordSkip(sourceId: string, skip: RunSkip): Promise<void>;
}

/**
 * What a relative time range (`--from 7d --to 6d`) meant when it was first
 * resolved, kept beside the cursors so the same words name the same range
 * on every re-run instead of a range that slides with "now".
 */
export interface RangeResolution {
  /** Unix seconds, inclusive. */
  from: number;
  /** Unix seconds, exclusive. */
  to: number;
  /** Epoch ms at which the text was resolved. */
  resolvedAt: number;
  /** The text resolved, as typed. */
  fromText: string;
  toText: string;
}

/** Remembered range resolutions, one small record per key, apart from the sources' state. */
export interface RangeResolutionStore {
  /** The resolution remembered under `key`, if any. */
  recallRange(key: string): Promise<RangeResolution | undefined>;
  /**
   * Remember `resolution` under `key` unless one is there already, and return
   * the one that holds: of two runs resolving the same text at once, both go on
   * with the first. `replace` overwrites instead (a deliberate fresh resolution).
   */
  rememberRange(key: string, resolution: RangeResolution, options?: { replace?: boolean }): Promise<RangeResolution>;
}
