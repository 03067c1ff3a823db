import { canonicalJson, sha256 } from '../lib/hashing';

/**
 * Distinct ids for identical records a page boundary separates, for APIs
 * whose records carry no id (UCloud's operation log, Tencent SSL's).
 *
 * The core numbers identical records within one page (`occurrence`). Records
 * identical in every field share their time, so in a time-ordered listing a
 * run of them can only be split at a page boundary inside one second. A
 * carry counts, per content hash, the records of that second seen so far in
 * the window; the next page adds those counts to the occurrence of its
 * records of the same second. The carry travels in the page token, hence in
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
 * For one page: the occurrence offset of each record continuing a run of
 * identical records from earlier pages, and the carry for the next page.
 */
export function carryOver<T>(
  records: T[],
  timeOf: (record: T) => number | undefined,
  previous: PageCarry | undefined,
): { offsets: Map<T, number>; carry: PageCarry | undefined } {
  const offsets = new Map<T, number>();
  if (records.length === 0) return { offsets, carry: previous };
  const keyed = records.map((record) => ({ record, key: contentKey(record), time: timeOf(record) }));
  for (const { record, key, time } of keyed) {
    const offset = previous && time === previous.time ? (previous.counts[key] ?? 0) : 0;
    if (offset > 0) offsets.set(record, offset);
  }
  const last = keyed[keyed.length - 1]!.time;
  if (last === undefined) return { offsets, carry: undefined };
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
  return { offsets, carry: { time: last, counts } };
}
