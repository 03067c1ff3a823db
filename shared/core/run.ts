import { createHash } from 'node:crypto';
import type { Lease, OpenWindow } from './ports/cursor-store';
import type { AlertRouteReport } from './ports/detection';
import { TimeBudget, isBudgetExhausted } from './budget';
import { unixSeconds, type Clock } from '../lib/clock';
import { MalformedResponseError } from '../lib/errors';
import type { Log } from '../lib/logger';
import { mapPage, safeEventTime } from './map-page';
import type { RunOptions, RunSummary } from './run-options';
import type { Page, Source, TimeWindow } from './ports/source';
import { WindowBook } from './window-book';
import type { WindowLimits } from './windows';

/** Cap on page tokens remembered per window to spot a provider paging in a loop. */
const MAX_TOKENS_TRACKED = 100_000;

/** The shared state of one run's lanes: the window book, the lease, the summary, the first failure. */
export class Run {
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
      until: this.options.until,
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
    // Carried in the cursor, so the check holds across runs as well as within one.
    let previousPage = window.lastPage;
    let inFlight = this.startFetch(bounds, window.pageToken);
    try {
      while (inFlight) {
        const fetched = inFlight;
        const page = await fetched.page;
        if (!page) break;
        const next = nextToken(window, page, tokensSeen, this.options.source.type);
        previousPage = refuseRepeatedPage(window, page, previousPage, this.options.source);
        // The next page is fetched while this one is delivered.
        inFlight = next === undefined ? undefined : this.startFetch(bounds, next);
        await this.deliver(window, page, next, previousPage);
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
  private async deliver(window: OpenWindow, page: Page<unknown>, next: string | undefined, fingerprint: string | undefined): Promise<void> {
    const { source, sink, sourceId } = this.options;
    const mapped = mapPage(source, page.records, window, {
      sourceId,
      ingested: new Date(this.clock.now()).toISOString(),
      requestId: page.requestId,
      occurrences: page.occurrences,
    });
    const alerts = this.options.detector?.evaluate(mapped.documents) ?? [];
    const documents = alerts.length > 0 ? [...mapped.documents, ...alerts.map((alert) => alert.document)] : mapped.documents;
    if (documents.length > 0) await sink.deliver(documents);
    // Alerts are out (or safely deferred) before the page counts as done: a crash
    // before the checkpoint repeats the page, and the router's dedup keeps a
    // repeated alert from being published twice.
    if (alerts.length > 0 && this.options.alerts) this.count(await this.options.alerts.route(alerts));
    this.summary.alerts.raised += alerts.length;
    // Only acknowledged pages ever reach the book, so any cursor it writes is safe.
    this.book.advance(window, next, fingerprint);
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
    if (mapped.invalidUtf8 > 0) {
      this.log.warn('records carried bytes that were not UTF-8; delivered with U+FFFD in their place, tagged cloudtap_invalid_utf8', {
        sourceId,
        requestId: page.requestId,
        count: mapped.invalidUtf8,
      });
    }
    this.options.onProgress?.({ ...summary });
  }

  /**
   * Publish alerts earlier runs had to defer. A failure here is logged, not
   * fatal: the alerts stay deferred, and the logs must not wait for a notifier.
   */
  async flushDeferredAlerts(): Promise<void> {
    if (!this.options.alerts) return;
    try {
      this.count(await this.options.alerts.flushDeferred());
    } catch (error) {
      this.log.warn('could not publish deferred alerts; they stay deferred', {
        sourceId: this.options.sourceId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  private count(report: AlertRouteReport): void {
    this.summary.alerts.published += report.published;
    this.summary.alerts.suppressed += report.suppressed;
    this.summary.alerts.deferred += report.deferred;
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

/**
 * Refuse a page that repeats the window's previous non-empty page record for
 * record: the provider ignores its page number, offset or token (as a cache
 * keyed on the URL in front of a POST API would), so paging on would deliver
 * the same records again and again and end the window without the rest.
 * Returns the fingerprint to compare the next page with. For APIs without
 * record ids a repeat within one second proves nothing (a burst of identical
 * records fills consecutive pages alike), so such pages are not compared.
 */
function refuseRepeatedPage(window: OpenWindow, page: Page<unknown>, previous: string | undefined, source: Source): string | undefined {
  if (page.records.length === 0) return previous;
  if (source.idFromContent && withinOneSecond(source, page.records)) return undefined;
  const fingerprint = createHash('sha256').update(JSON.stringify(page.records)).digest('base64url');
  if (fingerprint === previous) {
    throw new MalformedResponseError(
      source.type,
      `a page of window ${window.start}-${window.end} repeats the previous page record for record (${page.records.length} records): the provider ignores the paging parameters`,
      page.requestId,
      '',
    );
  }
  return fingerprint;
}

function withinOneSecond(source: Source, records: unknown[]): boolean {
  const first = safeEventTime(source, records[0]);
  return records.every((record) => safeEventTime(source, record) === first);
}
