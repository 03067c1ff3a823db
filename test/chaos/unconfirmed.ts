import type { Cursor } from '../../shared/core/ports/cursor-store';
import { pagesOf, type FetchRecord, type RunOutcome } from '../scenarios/harness';

/**
 * Whether `cursor` already counts `page` as done, so a later run will not
 * fetch it again. `chain` is the run's pages of the same window, in order:
 * an open window's stored token is the next token of the last page it covers.
 */
export function cursorCovers(cursor: Cursor | undefined, page: FetchRecord, chain: readonly FetchRecord[]): boolean {
  if (!cursor) return false;
  if (page.window.end <= cursor.windowStart) return true;
  const open = cursor.windows?.find((window) => window.start === page.window.start);
  if (!open) return false;
  if (open.done) return true;
  if (open.pageToken === undefined) return false;
  const last = chain.findIndex((fetch) => fetch.nextPageToken === open.pageToken);
  return last >= chain.indexOf(page);
}

/**
 * Records a run got acknowledged but never checkpointed: its pages whose
 * records reached the sink while the last cursor it saved (or, failing
 * that, the one it started from) does not cover them. Only these may be
 * delivered again, by the run that picks the source up next. Returns how
 * many acknowledged copies of each record (by canonical key) are unconfirmed.
 */
export function unconfirmedDeliveries(
  outcome: RunOutcome,
  lastSaved: Cursor | undefined,
  acknowledged: ReadonlyMap<string, number>,
): Map<string, number> {
  const pages = pagesOf(outcome);
  const unconfirmed = new Map<string, number>();
  for (const page of pages) {
    const chain = pages.filter((other) => other.window.start === page.window.start);
    if (cursorCovers(lastSaved, page, chain)) continue;
    for (const key of page.keys ?? []) {
      const copies = acknowledged.get(key) ?? 0;
      if (copies > 0) unconfirmed.set(key, Math.max(unconfirmed.get(key) ?? 0, copies));
    }
  }
  return unconfirmed;
}
