import type { Cursor, CursorStore, Lease } from '../cursor/store';
import type { AlertRouter, Detector } from '../detection/types';
import type { Sink } from '../sinks/sink';
import { systemClock, unixSeconds, type Clock } from './clock';
import { LeaseHeldError, SourceRunError } from './errors';
import { silentLog, type Log } from './logger';
import { Run } from './run';
import type { Source, TimeWindow } from './source';
import { WindowBook } from './window-book';
import { clampToRetention, initialCursor, type StartPoint } from './windows';

export interface RunOptions {
  sourceId: string;
  source: Source;
  store: CursorStore;
  sink: Sink;
  /** Unique per invocation: the lease owner (the Lambda request id, or a CLI run id). */
  owner: string;
  lagSeconds: number;
  start: StartPoint;
  /** Stop at this time (unix seconds) instead of now - lag: a bounded pull such as a backfill. */
  until?: number;
  /** Epoch ms by which the run must be completely finished (the Lambda deadline). */
  deadline: number;
  /** Kept back to deliver and checkpoint the last pages; default 30 s. */
  reserveMs?: number;
  /**
   * Windows paged side by side when catching up a backlog; default 4. A page
   * token chain is strictly sequential, so one window moves at one round trip
   * per page; several keep the API busy up to its rate limit, which the
   * source's client enforces across all of them.
   */
  parallelWindows?: number;
  /** Detection rules evaluated on every document; their alerts travel to the sink beside the events. */
  detector?: Detector;
  /** Where alerts are published (after dedup) before the page that raised them is checkpointed. */
  alerts?: AlertRouter;
  clock?: Clock;
  log?: Log;
  onProgress?: (progress: RunProgress) => void;
}

export interface RunProgress {
  sourceId: string;
  /** The window whose page was delivered last. */
  window?: TimeWindow;
  pages: number;
  pulled: number;
  delivered: number;
  /** Records delivered raw as `pipeline_error` because they could not be mapped. */
  mappingErrors: number;
}

export interface RunSummary extends RunProgress {
  /** `caught-up`: nothing older than now - lag is left; `time-budget`: stopped to finish in time; `lease-held`: another run owns the source. */
  stoppedBy: 'caught-up' | 'time-budget' | 'lease-held';
  lateRecords: number;
  aheadRecords: number;
  windowsCompleted: number;
  /** Seconds the cursor jumped because they fell out of the provider's retention. */
  skippedSeconds: number;
  alerts: { raised: number; published: number; suppressed: number; deferred: number };
  cursor?: Cursor;
  durationMs: number;
}

const DEFAULT_PARALLEL_WINDOWS = 4;

/**
 * Pull one source until caught up or out of time: take the lease, page the
 * windows up to now - lag, deliver each page and checkpoint after every
 * acknowledged page. The cursor never moves past a record the sink has not
 * acknowledged.
 */
export async function runSource(options: RunOptions): Promise<RunSummary> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? silentLog;
  const startedAt = clock.now();
  // The lease outlives the run by a minute so a crashed run blocks the next one only briefly.
  const leaseTtlMs = Math.max(60_000, options.deadline - startedAt + 60_000);
  const summary: RunSummary = {
    sourceId: options.sourceId,
    pages: 0,
    pulled: 0,
    delivered: 0,
    mappingErrors: 0,
    lateRecords: 0,
    aheadRecords: 0,
    windowsCompleted: 0,
    skippedSeconds: 0,
    alerts: { raised: 0, published: 0, suppressed: 0, deferred: 0 },
    stoppedBy: 'caught-up',
    durationMs: 0,
  };

  let acquired: { lease: Lease; state: { cursor?: Cursor } };
  try {
    acquired = await options.store.acquire(options.sourceId, options.owner, leaseTtlMs);
  } catch (error) {
    if (!(error instanceof LeaseHeldError)) throw new SourceRunError(options.sourceId, error);
    log.info('another run holds the lease; skipping', { sourceId: options.sourceId, holder: error.holder });
    return { ...summary, stoppedBy: 'lease-held', durationMs: clock.now() - startedAt };
  }

  const run = new Run(options, clock, log, summary, acquired.lease, leaseTtlMs);
  try {
    let cursor = acquired.state.cursor ?? initialCursor(options.start, unixSeconds(startedAt));
    const clamped = clampToRetention(cursor, run.limits());
    if (clamped.skippedSeconds > 0) {
      summary.skippedSeconds = clamped.skippedSeconds;
      log.error('cursor fell behind the provider retention; events in the gap can no longer be pulled', {
        sourceId: options.sourceId,
        from: new Date(cursor.windowStart * 1000).toISOString(),
        to: new Date(clamped.cursor.windowStart * 1000).toISOString(),
      });
      cursor = clamped.cursor;
    }
    run.book = new WindowBook(cursor);
    await run.flushDeferredAlerts();
    const lanes = Math.max(1, options.parallelWindows ?? DEFAULT_PARALLEL_WINDOWS);
    await Promise.all(Array.from({ length: lanes }, () => run.lane(lanes)));
    if (run.failure !== undefined) throw run.failure;

    summary.cursor = run.book.cursor();
    summary.durationMs = clock.now() - startedAt;
    await options.store.release(run.lease, { at: clock.now(), delivered: summary.delivered });
    return summary;
  } catch (error) {
    const failure = new SourceRunError(options.sourceId, error);
    await options.store.release(run.lease, { at: clock.now(), error: failure.message, delivered: summary.delivered }).catch((releaseError) =>
      log.warn('could not release the lease after a failed run', { sourceId: options.sourceId, error: String(releaseError) }),
    );
    throw failure;
  }
}

