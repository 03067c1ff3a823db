import type { Cursor, OpenWindow } from './ports/cursor-store';
import { newWindow, type WindowLimits } from './windows';

/**
 * The windows of one run: which are open, which lane pages which, how far each
 * got. Its `cursor()` is what gets checkpointed: everything before the first
 * unfinished window is delivered, and each open window keeps its page token,
 * so a later run resumes every window exactly where its last page was acked.
 */
export class WindowBook {
  private windowStart: number;
  private readonly windows: OpenWindow[];
  private readonly taken = new Set<OpenWindow>();

  constructor(cursor: Cursor) {
    this.windowStart = cursor.windowStart;
    this.windows = (cursor.windows ?? []).map((window) => ({ ...window }));
    this.compact();
  }

  /**
   * A window for a lane to page: an unfinished one left by an earlier run
   * first (oldest first), else a new one after the last; undefined when
   * everything up to now - lag is taken.
   */
  take(limits: WindowLimits, parallel: number): OpenWindow | undefined {
    let window = this.windows.find((candidate) => !candidate.done && !this.taken.has(candidate));
    if (!window) {
      const frontier = this.windows.at(-1)?.end ?? this.windowStart;
      const bounds = newWindow(frontier, limits, parallel, this.windowStart);
      if (!bounds) return undefined;
      window = { ...bounds };
      this.windows.push(window);
    }
    this.taken.add(window);
    return window;
  }

  /**
   * A page of `window` was acknowledged: remember the next token (and the
   * page's fingerprint, when it has one), or that the window is done.
   */
  advance(window: OpenWindow, nextPageToken: string | undefined, pageFingerprint?: string): void {
    if (nextPageToken === undefined) {
      window.done = true;
      delete window.pageToken;
      delete window.lastPage;
      this.taken.delete(window);
      this.compact();
    } else {
      window.pageToken = nextPageToken;
      if (pageFingerprint === undefined) delete window.lastPage;
      else window.lastPage = pageFingerprint;
    }
  }

  /** The lane stops paging `window` before its end; it stays open in the cursor for the next run. */
  release(window: OpenWindow): void {
    this.taken.delete(window);
  }

  cursor(): Cursor {
    return this.windows.length === 0
      ? { windowStart: this.windowStart }
      : { windowStart: this.windowStart, windows: this.windows.map((window) => ({ ...window })) };
  }

  /** Done windows at the head are folded into `windowStart`. */
  private compact(): void {
    while (this.windows[0]?.done) this.windowStart = this.windows.shift()!.end;
  }
}
