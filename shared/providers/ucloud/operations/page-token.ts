import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../core/event-id';

/**
 * The page token cloudtap keeps in the cursor: UCloud's NextToken plus a
 * "carry" that lets identical records split across two pages get distinct ids.
 *
 * The core numbers identical records within one page (`occurrence`). Records
 * identical in every field share their OperateTime, so in a time-ordered
 * listing a run of them can only be split at a page boundary, inside the last
 * second of the page. The carry counts, per content hash, the records of that
 * last second seen so far in the window; the next page adds those counts to
 * the occurrence of its records of the same second. The carry travels in the
 * cursor, so a resumed or repeated page gets the same ids again.
 */

const PREFIX = 'u1.';
/** One second's distinct records; beyond this the rest of the second is not carried (a bulk job of thousands). */
const MAX_CARRIED = 2_000;

export interface PageCarry {
  /** The OperateTime (unix seconds) the counts belong to. */
  time: number;
  /** Content hash -> records with that content and time seen so far in this window. */
  counts: Record<string, number>;
}

export interface PageToken {
  /** UCloud's NextToken. */
  next: string;
  carry?: PageCarry;
}

/** A short stable hash of a record's canonical content. */
export function contentKey(raw: unknown): string {
  return createHash('sha256').update(canonicalJson(raw)).digest('base64url').slice(0, 16);
}

export function encodePageToken(token: PageToken): string {
  const body = token.carry ? { n: token.next, t: token.carry.time, c: token.carry.counts } : { n: token.next };
  return PREFIX + Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/** Decode a token written by encodePageToken; throws a clear error on anything else. */
export function decodePageToken(text: string): PageToken {
  const fail = (why: string): never => {
    throw new Error(`ucloud-operations page token in the cursor is unusable (${why}); reset the source's cursor`);
  };
  if (!text.startsWith(PREFIX)) return fail('unknown format');
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(text.slice(PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    return fail('not JSON');
  }
  const { n, t, c } = (body ?? {}) as { n?: unknown; t?: unknown; c?: unknown };
  if (typeof n !== 'string' || n === '') return fail('no NextToken');
  if (t === undefined && c === undefined) return { next: n };
  const counts = c as Record<string, unknown>;
  const valid =
    typeof t === 'number' &&
    Number.isSafeInteger(t) &&
    counts !== null &&
    typeof counts === 'object' &&
    Object.values(counts).every((count) => typeof count === 'number' && Number.isSafeInteger(count) && count > 0);
  if (!valid) return fail('bad carry');
  return { next: n, carry: { time: t as number, counts: counts as Record<string, number> } };
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
