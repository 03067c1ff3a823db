import type { Cursor, CursorStore, Lease, OpenWindow } from '../cursor/store';
import type { Sink } from '../sinks/sink';
import { TimeBudget, isBudgetExhausted } from './budget';
import { systemClock, unixSeconds, type Clock } from './clock';
import { LeaseHeldError, MalformedResponseError, SourceRunError } from './errors';
import { silentLog, type Log } from './logger';
import { mapPage } from './map-page';
import type { Page, Source, TimeWindow } from './source';
import { WindowBook } from './window-book';
import { clampToRetention, initialCursor, type StartPoint, type WindowLimits } from './windows';

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
  /** Kept back to deliver and checkpoint the last pages; default 30 s. */
  reserveMs?: number;
  /**
   * Windows paged side by side when catching up a backlog; default 4. A page
   * token chain is strictly sequential, so one window moves at one round trip
   * per page; several keep the API busy up to its rate limit, which the
   * source's client enforces across all of them.
   */
  parallelWindows?: number;
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

const DEFAULT_PARALLEL_WINDOWS = 4;
/** Cap on page tokens remembered per window to spot a provider paging in a loop. */
const MAX_TOKENS_TRACKED = 100_000;

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
    const lanes = Math.max(1, options.parallelWindows ?? DEFAULT_PARALLEL_WINDOWS);
    await Promise.all(Array.from({ length: lanes }, () => run.lane(lanes)));
    if (run.failure !== undefined) throw run.failure;

    summary.cursor = run.book.cursor();
    summary.durationMs = clock.now() - startedAt;
    await options.store.release(run.lease, { at: clock.now() });
    return summary;
  } catch (error) {
    const failure = new SourceRunError(options.sourceId, error);
    await options.store.release(run.lease, { at: clock.now(), error: failure.message }).catch((releaseError) =>
      log.warn('could not release the lease after a failed run', { sourceId: options.sourceId, error: String(releaseError) }),
    );
    throw failure;
  }
}

/** The shared state of one run's lanes: the window book, the lease, the summary, the first failure. */
class Run {
  book = new WindowBook({ windowStart: 0 });
  failure: unknown;
  private readonly budget: TimeBudget;
  private readonly fetches = new Set<() => void>();
  /** The cursor write under way, and the next one, shared by every page acknowledged meanwhile. */
  private writing: Promise<void> = Promise.resolve();
  private nextWrite?: Promise<void>;

  constructor(
    private readonly options: RunOptions,
    private readonly clock: Clock,
    private readonly log: Log,
    private readonly summary: RunSummary,
    public lease: Lease,
    private readonly leaseTtlMs: number,
  ) {
    this.budget = new TimeBudget(clock, options.deadline, options.reserveMs ?? 30_000);
  }

  limits(): WindowLimits {
    return {
      nowSeconds: unixSeconds(this.clock.now()),
      lagSeconds: this.options.lagSeconds,
      maxWindowSeconds: this.options.source.maxWindowSeconds,
      retentionSeconds: this.options.source.retentionSeconds,
    };
  }

  /** One lane: take windows and page them until caught up, out of time, or the run failed. */
  async lane(parallel: number): Promise<void> {
    while (this.failure === undefined) {
      const window = this.book.take(this.limits(), parallel);
      if (!window) return;
      if (!(await this.pageWindow(window))) {
        this.book.release(window);
        return;
      }
    }
  }

  /** Page one window to its end (true), or stop early for time or a failure (false). */
  private async pageWindow(window: OpenWindow): Promise<boolean> {
    const bounds = { start: window.start, end: window.end };
    const tokensSeen = new Set<string>();
    let inFlight = this.startFetch(bounds, window.pageToken);
    try {
      while (inFlight) {
        const fetched = inFlight;
        const page = await fetched.page;
        if (!page) break;
        const next = nextToken(window, page, tokensSeen, this.options.source.type);
        // The next page is fetched while this one is delivered.
        inFlight = next === undefined ? undefined : this.startFetch(bounds, next);
        await this.deliver(window, page, next);
        if (next === undefined) return true;
      }
      if (this.failure === undefined) this.summary.stoppedBy = 'time-budget';
      return false;
    } catch (error) {
      this.fail(error);
      return false;
    } finally {
      inFlight?.cancel();
    }
  }

  private startFetch(window: TimeWindow, pageToken: string | undefined) {
    if (this.failure !== undefined || !this.budget.canStartPage()) return undefined;
    const { signal, dispose, cancel } = this.budget.pullSignal();
    this.fetches.add(cancel);
    const page: Promise<Page<unknown> | undefined> = this.options.source
      .fetchPage({ window, pageToken, signal })
      .catch((error: unknown) => {
        if (isBudgetExhausted(error, signal)) return undefined;
        throw error;
      })
      .finally(() => {
        dispose();
        this.fetches.delete(cancel);
      });
    // Never an unhandled rejection if the lane stops before awaiting this prefetch.
    page.catch(() => undefined);
    return { page, cancel };
  }

  /** Map and deliver one page, then checkpoint it; checkpoints are serialized across lanes. */
  private async deliver(window: OpenWindow, page: Page<unknown>, next: string | undefined): Promise<void> {
    const { source, sink, store, sourceId } = this.options;
    const mapped = mapPage(source, page.records, window, {
      sourceId,
      ingested: new Date(this.clock.now()).toISOString(),
      requestId: page.requestId,
    });
    if (mapped.documents.length > 0) await sink.deliver(mapped.documents);
    // Only acknowledged pages ever reach the book, so any cursor it writes is safe.
    this.book.advance(window, next);
    await this.checkpoint();

    const summary = this.summary;
    summary.window = { start: window.start, end: window.end };
    summary.pages++;
    summary.pulled += page.records.length;
    summary.delivered += mapped.documents.length;
    summary.mappingErrors += mapped.mappingErrors;
    summary.lateRecords += mapped.lateRecords;
    summary.aheadRecords += mapped.aheadRecords;
    if (next === undefined) summary.windowsCompleted++;
    if (mapped.mappingErrors > 0) {
      this.log.warn('records delivered raw because they could not be mapped', {
        sourceId,
        requestId: page.requestId,
        count: mapped.mappingErrors,
      });
    }
    this.options.onProgress?.({ ...summary });
  }

  /**
   * Group commit: one cursor write covers every page acknowledged before it
   * starts; pages acknowledged while it runs share the next one. Lanes wait
   * for the write that covers them, so a page counts as done only once it is
   * both delivered and checkpointed, and the store sees one write per round
   * instead of one per lane.
   */
  private checkpoint(): Promise<void> {
    if (this.nextWrite) return this.nextWrite;
    const write = this.writing
      .catch(() => undefined)
      .then(async () => {
        this.nextWrite = undefined;
        // Each extension ends the lease a minute after the run's deadline, never later, so a
        // run that dies late blocks the next one no longer than one that dies early.
        const ttl = Math.min(this.leaseTtlMs, Math.max(1, this.options.deadline + 60_000 - this.clock.now()));
        this.lease = await this.options.store.checkpoint(this.lease, this.book.cursor(), ttl);
      });
    this.nextWrite = write;
    this.writing = write;
    return write;
  }

  /** The first failure stops every lane: in-flight fetches are cancelled, deliveries under way finish. */
  private fail(error: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    for (const cancel of this.fetches) cancel();
  }
}

/** The page's next token, refusing a provider that pages in a loop. */
function nextToken(window: OpenWindow, page: Page<unknown>, tokensSeen: Set<string>, provider: string): string | undefined {
  const next = page.nextPageToken;
  if (next === undefined) return undefined;
  if (next === window.pageToken || tokensSeen.has(next)) {
    throw new MalformedResponseError(
      provider,
      `page token ${next} repeats within window ${window.start}-${window.end}: the provider is paging in a loop`,
      page.requestId,
      '',
    );
  }
  if (tokensSeen.size < MAX_TOKENS_TRACKED) tokensSeen.add(next);
  return next;
}
