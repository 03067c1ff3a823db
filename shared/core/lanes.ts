import { retriesBeforeFailure } from '../lib/errors';
import { isPullingStopped, type PullStop, type TimeBudget } from './budget';
import { nextToken, refuseRepeatedPage } from './paging-guards';
import type { OpenWindow } from './ports/cursor-store';
import type { Page, Source, TimeWindow } from './ports/source';
import type { PageResult } from './tally';
import type { WindowBook } from './window-book';
import type { WindowLimits } from './windows';

export interface LanesOptions {
  source: Source;
  book: WindowBook;
  budget: TimeBudget;
  /** The window limits as of now (the horizon moves while the run goes on). */
  limits: () => WindowLimits;
  /** Map, detect and deliver one page. */
  deliver: (window: OpenWindow, page: Page<unknown>, windowCompleted: boolean) => Promise<PageResult>;
  /** Save the book's cursor; resolves once a write covering every page advanced so far is done. */
  checkpoint: () => Promise<void>;
  /** A page is delivered and checkpointed. */
  acknowledged: (result: PageResult) => void;
  /** A fetch failed after retrying: its retries happened all the same. */
  retriedInVain: (retries: PageResult['retries']) => void;
}

/** Why the lanes stopped when none failed. */
export type LanesStop = 'caught-up' | PullStop;

/**
 * The lanes of one run: each takes windows from the book and pages them, the
 * next page fetched while the last is delivered. The first failure stops
 * every lane: in-flight fetches are cancelled, deliveries under way finish.
 * Running out of time and an interruption stop them the same way: no new
 * request, the one in flight aborted, the pages fetched delivered and
 * checkpointed.
 */
export class Lanes {
  private failure: { error: unknown } | undefined;
  private stopped = false;
  private readonly fetches = new Set<() => void>();

  constructor(private readonly options: LanesOptions) {}

  /** Run `count` lanes to the end; throws the first failure once every lane has stopped. */
  async run(count: number): Promise<LanesStop> {
    await Promise.all(Array.from({ length: count }, () => this.lane(count)));
    if (this.failure) throw this.failure.error;
    if (!this.stopped) return 'caught-up';
    return this.options.budget.interrupted ? 'interrupted' : 'time-budget';
  }

  /** One lane: take windows and page them until caught up, out of time, interrupted, or the run failed. */
  private async lane(parallel: number): Promise<void> {
    const { book, limits } = this.options;
    while (!this.failure) {
      const window = book.take(limits(), parallel);
      if (!window) return;
      if (!(await this.pageWindow(window))) {
        book.release(window);
        return;
      }
    }
  }

  /** Page one window to its end (true), or stop early for time, an interruption or a failure (false). */
  private async pageWindow(window: OpenWindow): Promise<boolean> {
    const { source, book, deliver, checkpoint, acknowledged } = this.options;
    const bounds = { start: window.start, end: window.end };
    const tokensSeen = new Set<string>();
    // Carried in the cursor, so the check holds across runs as well as within one.
    let previousPage = window.lastPage;
    let inFlight = this.startFetch(bounds, window.pageToken);
    try {
      while (inFlight) {
        const page = await inFlight.page;
        if (!page) break;
        const next = nextToken(window, page, tokensSeen, source.type);
        previousPage = refuseRepeatedPage(window, page, previousPage, source);
        // The next page is fetched while this one is delivered.
        inFlight = next === undefined ? undefined : this.startFetch(bounds, next);
        const result = await deliver(window, page, next === undefined);
        // Only acknowledged pages ever reach the book, so any cursor it writes is safe.
        book.advance(window, next, previousPage);
        await checkpoint();
        acknowledged(result);
        if (next === undefined) return true;
      }
      if (!this.failure) this.stopped = true;
      return false;
    } catch (error) {
      this.fail(error);
      return false;
    } finally {
      inFlight?.cancel();
    }
  }

  private startFetch(window: TimeWindow, pageToken: string | undefined) {
    const { budget, source } = this.options;
    if (this.failure || !budget.canStartPage()) return undefined;
    const { signal, dispose, cancel } = budget.pullSignal();
    this.fetches.add(cancel);
    const page: Promise<Page<unknown> | undefined> = source
      .fetchPage({ window, pageToken, signal })
      .catch((error: unknown) => {
        const retries = retriesBeforeFailure(error);
        if (retries) this.options.retriedInVain(retries);
        if (isPullingStopped(error, signal)) return undefined;
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

  private fail(error: unknown): void {
    if (this.failure) return;
    this.failure = { error };
    for (const cancel of this.fetches) cancel();
  }
}
