import type { Cursor } from './ports/cursor-store';

/** Where a source's first run starts. */
export type StartPoint = { lookbackSeconds: number } | { at: number };

export interface WindowLimits {
  nowSeconds: number;
  lagSeconds: number;
  maxWindowSeconds: number;
  retentionSeconds: number;
  /** A fixed end (unix seconds) for a bounded pull such as a backfill; the live cursor has none. */
  until?: number;
}

/**
 * Keep a little inside the provider's retention: a window that starts exactly
 * at the edge would be refused by the time the request arrives.
 */
const RETENTION_MARGIN_SECONDS = 300;

export function initialCursor(start: StartPoint, nowSeconds: number): Cursor {
  return { windowStart: 'at' in start ? start.at : nowSeconds - start.lookbackSeconds };
}

/** The earliest start the provider still serves. */
export function earliestStart(limits: WindowLimits): number {
  return limits.nowSeconds - limits.retentionSeconds + RETENTION_MARGIN_SECONDS;
}

/**
 * Move a cursor that fell behind the provider's retention up to its edge.
 * Returns the seconds that can no longer be pulled (0 when none), so the
 * caller can report the gap loudly: it is data loss the provider imposed.
 */
export function clampToRetention(cursor: Cursor, limits: WindowLimits): { cursor: Cursor; skippedSeconds: number } {
  const earliest = earliestStart(limits);
  if (cursor.windowStart >= earliest) return { cursor, skippedSeconds: 0 };
  // A page token belongs to its query; a new start means a new query.
  return { cursor: { windowStart: earliest }, skippedSeconds: earliest - cursor.windowStart };
}

/**
 * Below this span a backlog is not split between parallel windows: one or two
 * pages cost less than the extra requests of several near-empty windows.
 */
export const MIN_PARALLEL_WINDOW_SECONDS = 900;

/**
 * The next new window after `frontier` (the end of the last window taken), or
 * undefined when caught up. Windows never reach past `now - lag`, so events the
 * provider publishes late still land inside a window not yet paged. The
 * backlog from `backlogStart` (the oldest undelivered second) is cut into
 * `parallel` equal windows so they can be paged side by side.
 */
export function newWindow(
  frontier: number,
  limits: WindowLimits,
  parallel: number,
  backlogStart = frontier,
): { start: number; end: number } | undefined {
  const horizon = Math.min(limits.nowSeconds - limits.lagSeconds, limits.until ?? Infinity);
  if (horizon <= frontier) return undefined;
  const share = Math.max(MIN_PARALLEL_WINDOW_SECONDS, Math.ceil((horizon - backlogStart) / parallel));
  return { start: frontier, end: Math.min(frontier + Math.min(share, limits.maxWindowSeconds), horizon) };
}
