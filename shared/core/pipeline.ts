import type { Cursor, CursorStore, Lease } from '../cursor/store';
import type { Sink } from '../sinks/sink';
import { TimeBudget, isBudgetExhausted } from './budget';
import { systemClock, unixSeconds, type Clock } from './clock';
import { LeaseHeldError, MalformedResponseError, SourceRunError } from './errors';
import { silentLog, type Log } from './logger';
import { mapPage } from './map-page';
import type { Page, Source, TimeWindow } from './source';
import { clampToRetention, initialCursor, nextWindow, type StartPoint, type WindowLimits } from './windows';

export interface RunOptions {
  sourceId: string;
  source: Source;
  store: CursorStore;
  sink: Sink;
  /** Unique per invocation: the lease owner (the Lambda request id, or a CLI run id). */
  owner: string;
  lagSeconds: number;
  start: StartPoint;
  /** Epoch ms by which the run must be completely finished (the Lambda deadline). */
  deadline: number;
  /** Kept back to deliver and checkpoint the last page; default 30 s. */
  reserveMs?: number;
  clock?: Clock;
  log?: Log;
  onProgress?: (progress: RunProgress) => void;
}

export interface RunProgress {
  sourceId: string;
  window?: TimeWindow;
  pages: number;
  pulled: number;
  delivered: number;
}

export interface RunSummary extends RunProgress {
  /** `caught-up`: nothing older than now - lag is left; `time-budget`: stopped to finish in time; `lease-held`: another run owns the source. */
  stoppedBy: 'caught-up' | 'time-budget' | 'lease-held';
  mappingErrors: number;
  lateRecords: number;
  aheadRecords: number;
  windowsCompleted: number;
  /** Seconds the cursor jumped because they fell out of the provider's retention. */
  skippedSeconds: number;
  cursor?: Cursor;
  durationMs: number;
}

/** Cap on page tokens remembered per window to spot a provider paging in a loop. */
const MAX_TOKENS_TRACKED = 100_000;

/**
 * Pull one source until caught up or out of time: take the lease, page each
 * window, deliver, and checkpoint after every acknowledged page. The cursor
 * never moves past a record the sink has not acknowledged.
 */
export async function runSource(options: RunOptions): Promise<RunSummary> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? silentLog;
  const startedAt = clock.now();
  const budget = new TimeBudget(clock, options.deadline, options.reserveMs ?? 30_000);
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
    stoppedBy: 'caught-up',
    durationMs: 0,
  };

  let lease: Lease;
  let cursor: Cursor;
  try {
    const acquired = await options.store.acquire(options.sourceId, options.owner, leaseTtlMs);
    lease = acquired.lease;
    cursor = acquired.state.cursor ?? initialCursor(options.start, unixSeconds(startedAt));
  } catch (error) {
    if (!(error instanceof LeaseHeldError)) throw new SourceRunError(options.sourceId, error);
    log.info('another run holds the lease; skipping', { sourceId: options.sourceId, holder: error.holder });
    return { ...summary, stoppedBy: 'lease-held', durationMs: clock.now() - startedAt };
  }

  try {
    const limits = (): WindowLimits => ({
      nowSeconds: unixSeconds(clock.now()),
      lagSeconds: options.lagSeconds,
      maxWindowSeconds: options.source.maxWindowSeconds,
      retentionSeconds: options.source.retentionSeconds,
    });
    const clamped = clampToRetention(cursor, limits());
    if (clamped.skippedSeconds > 0) {
      summary.skippedSeconds = clamped.skippedSeconds;
      log.error('cursor fell behind the provider retention; events in the gap can no longer be pulled', {
        sourceId: options.sourceId,
        from: new Date(cursor.windowStart * 1000).toISOString(),
        to: new Date(clamped.cursor.windowStart * 1000).toISOString(),
      });
      cursor = clamped.cursor;
    }

    const tokensSeen = new Set<string>();
    // The next page is fetched while the current one is delivered: a token
    // chain is sequential, so provider latency would otherwise add to sink time.
    let inFlight = startFetch(options.source, cursor, limits(), budget);
    try {
      while (inFlight.kind === 'fetching') {
        summary.window = inFlight.window;
        const page = await inFlight.page;
        if (!page) {
          summary.stoppedBy = 'time-budget';
          break;
        }
        const window = inFlight.window;
        const next = advance(cursor, window, page, tokensSeen, options.source.type);
        inFlight = startFetch(options.source, next, limits(), budget);

        const mapped = mapPage(options.source, page.records, window, {
          sourceId: options.sourceId,
          ingested: new Date(clock.now()).toISOString(),
          requestId: page.requestId,
        });
        if (mapped.documents.length > 0) await options.sink.deliver(mapped.documents);
        lease = await options.store.checkpoint(lease, next, leaseTtlMs);

        cursor = next;
        summary.pages++;
        summary.pulled += page.records.length;
        summary.delivered += mapped.documents.length;
        summary.mappingErrors += mapped.mappingErrors;
        summary.lateRecords += mapped.lateRecords;
        summary.aheadRecords += mapped.aheadRecords;
        if (next.windowEnd === undefined) {
          summary.windowsCompleted++;
          tokensSeen.clear();
        }
        if (mapped.mappingErrors > 0) {
          log.warn('records delivered raw because they could not be mapped', {
            sourceId: options.sourceId,
            requestId: page.requestId,
            count: mapped.mappingErrors,
          });
        }
        options.onProgress?.({ ...summary });
      }
      if (inFlight.kind === 'out-of-time') summary.stoppedBy = 'time-budget';
    } finally {
      // A failed delivery or checkpoint leaves a prefetch behind: cancel it quietly.
      if (inFlight.kind === 'fetching') inFlight.cancel();
    }

    summary.cursor = cursor;
    summary.durationMs = clock.now() - startedAt;
    await options.store.release(lease, { at: clock.now() });
    return summary;
  } catch (error) {
    const failure = new SourceRunError(options.sourceId, error);
    await options.store.release(lease, { at: clock.now(), error: failure.message }).catch((releaseError) =>
      log.warn('could not release the lease after a failed run', {
        sourceId: options.sourceId,
        error: String(releaseError),
      }),
    );
    throw failure;
  }
}

type InFlight =
  | { kind: 'fetching'; window: TimeWindow; page: Promise<Page<unknown> | undefined>; cancel(): void }
  | { kind: 'caught-up' }
  | { kind: 'out-of-time' };

/** Start fetching the page the cursor points at, unless caught up or out of pulling time. */
function startFetch(source: Source, cursor: Cursor, limits: WindowLimits, budget: TimeBudget): InFlight {
  const window = nextWindow(cursor, limits);
  if (!window) return { kind: 'caught-up' };
  if (!budget.canStartPage()) return { kind: 'out-of-time' };
  const { signal, dispose, cancel } = budget.pullSignal();
  const page = source
    .fetchPage({ window, pageToken: cursor.pageToken, signal })
    .catch((error: unknown) => {
      if (isBudgetExhausted(error, signal)) return undefined;
      throw error;
    })
    .finally(dispose);
  // Never an unhandled rejection if the run fails before awaiting this prefetch.
  page.catch(() => undefined);
  return { kind: 'fetching', window, page, cancel };
}

/** The cursor after a page: the next token of the same window, or the start of the next window. */
function advance(cursor: Cursor, window: TimeWindow, page: Page<unknown>, tokensSeen: Set<string>, provider: string): Cursor {
  if (page.nextPageToken === undefined) return { windowStart: window.end };
  if (page.nextPageToken === cursor.pageToken || tokensSeen.has(page.nextPageToken)) {
    throw new MalformedResponseError(
      provider,
      `page token ${page.nextPageToken} repeats within window ${window.start}-${window.end}: the provider is paging in a loop`,
      page.requestId,
      '',
    );
  }
  if (tokensSeen.size < MAX_TOKENS_TRACKED) tokensSeen.add(page.nextPageToken);
  return { windowStart: window.start, windowEnd: window.end, pageToken: page.nextPageToken };
}
