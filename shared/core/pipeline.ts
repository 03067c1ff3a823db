import { systemClock, unixSeconds, type Clock } from '../lib/clock';
import { LeaseHeldError, SourceRunError } from '../lib/errors';
import { silentLog, type Log } from '../lib/logger';
import { TimeBudget } from './budget';
import { Checkpointer, initialLeaseTtlMs } from './checkpointer';
import { Lanes } from './lanes';
import { deliverPage } from './page-delivery';
import type { Cursor, CursorStore, Lease } from './ports/cursor-store';
import type { AlertRouteReport, AlertRouter, Detector } from './ports/detection';
import type { Sink } from './ports/sink';
import type { PullRequest, RunOptions, RunProgress, RunSummary } from './run-options';
import { RunTally } from './tally';
import { WindowBook } from './window-book';
import { clampToRetention, initialCursor, type WindowLimits } from './windows';

const DEFAULT_PARALLEL_WINDOWS = 4;
const DEFAULT_RESERVE_MS = 30_000;

/** What a process wires once and every pull shares. */
export interface PullerWiring {
  store: CursorStore;
  sink: Sink;
  /** A fresh detector per run (threshold counts are per run); none: no detection. */
  detector?: () => Detector;
  /** Where alerts are published (after dedup) before the page that raised them is checkpointed. */
  alerts?: AlertRouter;
  clock?: Clock;
  log?: Log;
  /** Kept back to deliver and checkpoint the last pages; default 30 s. */
  reserveMs?: number;
}

/**
 * Pulls sources into one sink under one cursor store. Each `pull` takes the
 * source's lease, pages the windows up to now - lag (or `until`), delivers
 * each page and checkpoints after every acknowledged page, so the cursor
 * never moves past a record the sink has not acknowledged.
 */
export class Puller {
  private readonly clock: Clock;
  private readonly log: Log;

  constructor(private readonly wiring: PullerWiring) {
    this.clock = wiring.clock ?? systemClock;
    this.log = wiring.log ?? silentLog;
  }

  /**
   * Pull one source until caught up, out of time or interrupted. A failure is thrown as a
   * SourceRunError carrying what the run got through before it (`progress`).
   */
  async pull(request: PullRequest): Promise<RunSummary> {
    const { clock, log } = this;
    const { store } = this.wiring;
    const { sourceId } = request;
    const startedAt = clock.now();
    const tally = new RunTally(sourceId);
    const initialTtlMs = initialLeaseTtlMs(startedAt, request.deadline);

    let acquired: { lease: Lease; state: { cursor?: Cursor } };
    try {
      acquired = await store.acquire(sourceId, request.owner, initialTtlMs);
    } catch (error) {
      if (!(error instanceof LeaseHeldError)) throw new SourceRunError(sourceId, error, tally.progress());
      log.info('another run holds the lease; skipping', { sourceId, holder: error.holder });
      return tally.finish({ stoppedBy: 'lease-held', heldBy: { owner: error.holder, until: error.expiresAt }, durationMs: clock.now() - startedAt });
    }

    // "Now" is the run's start: a run pages the backlog up to start - lag and ends. A horizon that
    // moved with the clock would open a new window of a few seconds after every slow page, and a
    // run whose requests wait on a shared rate limit would chase it until its time budget.
    const runNowSeconds = unixSeconds(startedAt);
    const limits = (): WindowLimits => ({
      nowSeconds: runNowSeconds,
      lagSeconds: request.lagSeconds,
      maxWindowSeconds: request.source.maxWindowSeconds,
      retentionSeconds: request.source.retentionSeconds,
      until: request.until,
    });
    const book = new WindowBook(this.resumeCursor(request, acquired.state.cursor, limits(), tally));
    const checkpointer = new Checkpointer({ store, lease: acquired.lease, cursor: () => book.cursor(), deadline: request.deadline, initialTtlMs, clock });
    try {
      await this.flushDeferredAlerts(sourceId, tally);
      const delivery = {
        sourceId,
        source: request.source,
        sink: this.wiring.sink,
        detector: this.wiring.detector?.(),
        alerts: this.wiring.alerts,
        onAlertReport: (report: AlertRouteReport) => tally.addAlertReport(report),
        clock,
        log,
      };
      const lanes = new Lanes({
        source: request.source,
        book,
        budget: new TimeBudget(clock, request.deadline, request.reserveMs ?? this.wiring.reserveMs ?? DEFAULT_RESERVE_MS, request.signal),
        limits,
        deliver: (window, page, windowCompleted) => deliverPage(delivery, window, page, windowCompleted),
        checkpoint: () => checkpointer.commit(),
        acknowledged: (result) => {
          tally.addPage(result);
          request.onProgress?.(tally.progress());
        },
        retriedInVain: (retries) => tally.addRetries(retries),
      });
      const count = Math.max(1, request.parallelWindows ?? DEFAULT_PARALLEL_WINDOWS);
      const stoppedBy = await lanes.run(count);
      const summary = tally.finish({ stoppedBy, cursor: book.cursor(), durationMs: clock.now() - startedAt });
      await checkpointer.release({ at: clock.now(), delivered: summary.delivered });
      return summary;
    } catch (error) {
      const failure = new SourceRunError(sourceId, error, tally.progress());
      await checkpointer.release({ at: clock.now(), error: failure.message, delivered: tally.delivered }).catch((releaseError) =>
        log.warn('could not release the lease after a failed run', { sourceId, error: String(releaseError) }),
      );
      throw failure;
    }
  }

  /** The stored cursor (or the configured start), moved up to the provider's retention if it fell behind. */
  private resumeCursor(request: PullRequest, stored: Cursor | undefined, limits: WindowLimits, tally: RunTally): Cursor {
    const cursor = stored ?? initialCursor(request.start, limits.nowSeconds);
    const clamped = clampToRetention(cursor, limits);
    if (clamped.skippedSeconds === 0) return cursor;
    tally.skipped(clamped.skippedSeconds);
    this.log.error('cursor fell behind the provider retention; events in the gap can no longer be pulled', {
      sourceId: request.sourceId,
      from: new Date(cursor.windowStart * 1000).toISOString(),
      to: new Date(clamped.cursor.windowStart * 1000).toISOString(),
    });
    return clamped.cursor;
  }

  /**
   * Publish alerts earlier runs had to defer. A failure here is logged, not
   * fatal: the alerts stay deferred, and the logs must not wait for a notifier.
   */
  private async flushDeferredAlerts(sourceId: string, tally: RunTally): Promise<void> {
    if (!this.wiring.alerts) return;
    try {
      tally.addAlertReport(await this.wiring.alerts.flushDeferred());
    } catch (error) {
      this.log.warn('could not publish deferred alerts; they stay deferred', {
        sourceId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}

/** Pull one source with wiring of its own (tests and one-off pulls). */
export function runSource(options: RunOptions): Promise<RunSummary> {
  const { store, sink, detector, alerts, clock, log, ...request } = options;
  return new Puller({ store, sink, detector: detector && (() => detector), alerts, clock, log }).pull(request);
}

/** What a failed pull got through before it failed; undefined for errors not thrown by a pull. */
export function progressOf(error: unknown): RunProgress | undefined {
  // Only Puller.pull builds a SourceRunError with progress, and always from its tally.
  return error instanceof SourceRunError ? (error.progress as RunProgress | undefined) : undefined;
}
