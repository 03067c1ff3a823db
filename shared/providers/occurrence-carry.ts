import { occurrencesWithin } from '../core/event-id';
import { canonicalJson, sha256 } from '../lib/hashing';

/**
 * Distinct ids for identical records a page boundary separates, for APIs
 * whose records carry no id (the sources with `idFromContent`).
 *
 * A source numbers each record by the identical records before it in the
 * window (`Page.occurrences`). Records identical in every field share their
 * time, so in a time-ordered listing a run of them can only be split at a
 * page boundary inside one second. A carry counts, per content hash, the
 * records of that second seen so far in the window; the next page adds those
 * counts to the numbers of its records of the same second. The carry travels in the page token, hence in
 * the cursor, so a resumed or repeated page gets the same ids again.
 */

/** One second's distinct records; beyond this the rest of the second is not carried (a bulk job of thousands). */
const MAX_CARRIED = 2_000;

export interface PageCarry {
  /** The record time (unix seconds) the counts belong to. */
  time: number;
  /** Content hash -> records with that content and time seen so far in this window. */
  counts: Record<string, number>;
}

/** A short stable hash of a record's canonical content. */
export function contentKey(raw: unknown): string {
  return sha256(canonicalJson(raw), 'base64url').slice(0, 16);
}

/** A carry as decoded from a token (`t`, `c`), or undefined when it is not one. */
export function parseCarry(time: unknown, counts: unknown): PageCarry | undefined {
  const valid =
    typeof time === 'number' &&
    Number.isSafeInteger(time) &&
    counts !== null &&
    typeof counts === 'object' &&
    !Array.isArray(counts) &&
    Object.values(counts).every((count) => typeof count === 'number' && Number.isSafeInteger(count) && count > 0);
  return valid ? { time: time as number, counts: counts as Record<string, number> } : undefined;
}

/**
 * For one page: each record's occurrence (identical records before it in the
 * page, plus those of earlier pages the carry counted), and the carry for the
 * next page.
 */
export function carryOver<T>(
  records: T[],
  timeOf: (record: T) => number | undefined,
  previous: PageCarry | undefined,
): { occurrences: number[]; carry: PageCarry | undefined } {
  const occurrences = occurrencesWithin(records);
  if (records.length === 0) return { occurrences, carry: previous };
  const keyed = records.map((record) => ({ key: contentKey(record), time: timeOf(record) }));
  keyed.forEach(({ key, time }, i) => {
    if (previous && time === previous.time) occurrences[i]! += previous.counts[key] ?? 0;
  });
  const last = keyed[keyed.length - 1]!.time;
  if (last === undefined) return { occurrences, carry: undefined };
  const counts: Record<string, number> = previous?.time === last ? { ...previous.counts } : {};
  let size = Object.keys(counts).length;
  for (const { key, time } of keyed) {
    if (time !== last) continue;
    if (counts[key] === undefined) {
      if (size >= MAX_CARRIED) continue;
      size++;
    }
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return { occurrences, carry: { time: last, counts } };
}
