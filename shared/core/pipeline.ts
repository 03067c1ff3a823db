import type { Cursor, Lease } from './ports/cursor-store';
import { systemClock, unixSeconds, type Clock } from '../lib/clock';
import { LeaseHeldError, SourceRunError } from '../lib/errors';
import { silentLog, type Log } from '../lib/logger';
import { Run } from './run';
import type { RunOptions, RunSummary } from './run-options';
import { WindowBook } from './window-book';
import { clampToRetention, initialCursor } from './windows';

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

