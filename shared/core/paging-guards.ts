import { MalformedResponseError } from '../lib/errors';
import { safeEventTime } from './map-page';
import type { OpenWindow } from './ports/cursor-store';
import type { Page, Source } from './ports/source';
import { sha256 } from '../lib/hashing';

/** Cap on page tokens remembered per window to spot a provider paging in a loop. */
const MAX_TOKENS_TRACKED = 100_000;

/** The page's next token, refusing a provider that pages in a loop. */
export function nextToken(window: OpenWindow, page: Page<unknown>, tokensSeen: Set<string>, provider: string): string | undefined {
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
export function refuseRepeatedPage(window: OpenWindow, page: Page<unknown>, previous: string | undefined, source: Source): string | undefined {
  if (page.records.length === 0) return previous;
  if (source.idFromContent && withinOneSecond(source, page.records)) return undefined;
  const fingerprint = sha256(JSON.stringify(page.records), 'base64url');
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
