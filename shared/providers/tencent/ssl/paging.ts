import type { TimeWindow } from '../../../core/ports/source';
import { carryOver, parseCarry, type PageCarry } from '../../occurrence-carry';

/**
 * Paging DescribeCertificateOperateLogs (Offset/Limit over a newest-first
 * list) without trusting offsets across requests.
 *
 * Plain offsets are fragile twice over. A record that appears above the
 * current offset while a window is paged shifts every later record down: the
 * next page repeats one and the newcomer is never read. And `ORDER BY time
 * DESC LIMIT n OFFSET m` gives no stable order among rows of one second, so a
 * page boundary inside a second can skip or repeat rows. So each page narrows
 * the query instead (keyset paging): the next EndTime is the second of the
 * oldest record kept, and a page never ends inside a second: the records of
 * its last second are dropped and read again, all together, at offset 0 of
 * the narrowed query. Records newer than that second cannot move anything,
 * and records of one second share a page, so counting within the page tells
 * identical records apart. Offsets are used within one second
 * only when a single second holds more than a whole page; identical records
 * of that second then span pages, and the position carries how many of each
 * were read so far (see occurrence-carry.ts), so they keep distinct ids.
 *
 * Keyset paging assumes what the documentation does not state: EndTime is
 * inclusive and the list is newest first. Both are checked on every page. A
 * narrowed query must begin with the second it re-reads, and a page must be
 * newest first within its bounds. Otherwise the rest of the window is paged
 * by plain offset over the window's first query (`mode: 'offset'`), where
 * `served`, the records returned so far, is the offset.
 */
export type PagePosition = (
  /** EndTime `end` (unix seconds), Offset `offset`; `served` records of the window returned so far. */
  | { mode: 'keyset'; end: number; offset: number; served: number }
  | { mode: 'offset'; served: number }
) & {
  /** When the page continues inside a second: the records of that second read so far, per content. */
  carry?: PageCarry;
};

/**
 * The first request ends at `window.end` itself, not `end - 1`: if EndTime
 * is inclusive, records of second `end` come back and the core leaves them to
 * the next window (it skips records at or after a window's end); if it is
 * exclusive, `end - 1` would have lost the window's last second.
 */
export const firstPosition = (window: TimeWindow): PagePosition => ({ mode: 'keyset', end: window.end, offset: 0, served: 0 });

/** The request a position makes: EndTime and Offset (StartTime is always the window's start). */
export function requestOf(position: PagePosition, window: TimeWindow): { end: number; offset: number } {
  return position.mode === 'keyset' ? { end: position.end, offset: position.offset } : { end: window.end, offset: position.served };
}

/** `<end>:<offset>:<served>`, or `offset:<served>`; then `:<carry>` (base64url JSON) when there is one. */
export function encodePageToken(position: PagePosition): string {
  const base = position.mode === 'keyset' ? `${position.end}:${position.offset}:${position.served}` : `offset:${position.served}`;
  if (!position.carry) return base;
  const { time: t, counts: c } = position.carry;
  return `${base}:${Buffer.from(JSON.stringify({ t, c }), 'utf8').toString('base64url')}`;
}

/** Parse a token this module wrote for `window`; throws on anything else rather than guess a position. */
export function decodePageToken(token: string, window: TimeWindow): PagePosition {
  const refuse = (): never => {
    throw new Error(`page token ${JSON.stringify(token)} does not belong to window ${window.start}-${window.end}`);
  };
  const match = /^(?:offset:(\d{1,9})|(\d{1,12}):(\d{1,9}):(\d{1,9}))(?::([A-Za-z0-9_-]+))?$/.exec(token);
  if (!match) return refuse();
  const [, served, end, offset, keysetServed, carried] = match;
  let carry: PageCarry | undefined;
  if (carried !== undefined) {
    let body: { t?: unknown; c?: unknown } | undefined;
    try {
      body = JSON.parse(Buffer.from(carried, 'base64url').toString('utf8')) as typeof body;
    } catch {
      return refuse();
    }
    carry = parseCarry(body?.t, body?.c);
    if (!carry) return refuse();
  }
  const withCarry = (position: PagePosition): PagePosition => (carry ? { ...position, carry } : position);
  if (served !== undefined) return withCarry({ mode: 'offset', served: Number(served) });
  if (Number(end) < window.start || Number(end) > window.end) return refuse();
  return withCarry({ mode: 'keyset', end: Number(end), offset: Number(offset), served: Number(keysetServed) });
}

export interface PagePlan<T> {
  /** The records to hand to the core now. */
  records: T[];
  /** Absent when the window is done. */
  next?: PagePosition;
  /** True when this page made the window fall back to plain offsets. */
  fellBack: boolean;
  /**
   * Per record, the identical records before it in the window: in this page,
   * and on earlier pages of the second the previous page ended inside.
   */
  occurrences: number[];
}

/**
 * Decide what to deliver of one response and where the next request starts.
 * `allTotal` counts the whole query, so it bounds a provider that would return
 * full pages forever; without it, a short page is the end. A short page while
 * AllTotal counts more is not taken for the end (a server capping pages below
 * our Limit would lose records): one more request settles it, and an empty
 * page ends the window.
 */
export function planPage<T>(args: {
  records: T[];
  allTotal: number | undefined;
  limit: number;
  position: PagePosition;
  window: TimeWindow;
  eventTime: (record: T) => number;
}): PagePlan<T> {
  const timeOf = (record: T): number | undefined => {
    try {
      return args.eventTime(record);
    } catch {
      return undefined;
    }
  };
  const { continues, ...planned } = planRecords(args, args.records.map(timeOf));
  // Identical records of the second the previous page ended inside count on from there;
  // a page that ends inside a second passes the counts on (and one that keeps nothing keeps them).
  const { occurrences, carry } = carryOver(planned.records, timeOf, args.position.carry);
  const plan: PagePlan<T> = { ...planned, occurrences };
  if (plan.next && carry && (continues || plan.records.length === 0)) plan.next = { ...plan.next, carry };
  return plan;
}

/** A plan (before counting occurrences), and whether the next page continues inside the second this one ends with. */
type Planned<T> = Omit<PagePlan<T>, 'occurrences'> & { continues?: boolean };

function planRecords<T>(
  args: { records: T[]; allTotal: number | undefined; limit: number; position: PagePosition; window: TimeWindow },
  times: (number | undefined)[],
): Planned<T> {
  const { records, allTotal, limit, position, window } = args;
  const toOffsets = (served: number): Planned<T> => ({ records: [], next: { mode: 'offset', served }, fellBack: true });

  // A narrowed query re-reads the second it cut at: it must start with it.
  if (position.mode === 'keyset' && position.offset === 0 && position.end < window.end && times[0] !== position.end) {
    return toOffsets(position.served);
  }
  const { offset } = requestOf(position, window);
  const more = records.length > 0 && (allTotal !== undefined ? offset + records.length < allTotal : records.length >= limit);
  if (!more) return { records, fellBack: false };

  if (position.mode === 'keyset') {
    const ordered = times.every(
      (time, i) => time !== undefined && time >= window.start && time <= position.end && (i === 0 || time <= times[i - 1]!),
    );
    if (ordered) return keysetNext(records, times as number[], position);
    // Only the window's first query shares its order with the offset mode: keep its records; re-read a narrowed one's.
    if (position.end < window.end) return toOffsets(position.served);
  }
  // Plain offsets: still try not to end a page inside a second.
  const kept = records.length - trailingRun(times);
  const fellBack = position.mode === 'keyset';
  if (kept > 0) return { records: records.slice(0, kept), next: { mode: 'offset', served: position.served + kept }, fellBack };
  return { records, next: { mode: 'offset', served: position.served + records.length }, fellBack, continues: true };
}

function keysetNext<T>(records: T[], times: number[], position: Extract<PagePosition, { mode: 'keyset' }>): Planned<T> {
  const last = times[times.length - 1]!;
  const trailing = trailingRun(times);
  if (trailing < records.length) {
    const kept = records.length - trailing;
    return { records: records.slice(0, kept), next: { mode: 'keyset', end: last, offset: 0, served: position.served + kept }, fellBack: false };
  }
  // The whole page is one second: continue inside it. The records of `last`
  // returned so far are this page, plus earlier pages of the same query.
  const before = last === position.end ? position.offset : 0;
  const next = { mode: 'keyset' as const, end: last, offset: before + records.length, served: position.served + records.length };
  return { records, next, fellBack: false, continues: true };
}

/** How many records at the end of the page share the last one's second (0 when it has none). */
function trailingRun(times: (number | undefined)[]): number {
  const last = times[times.length - 1];
  if (last === undefined) return 0;
  let run = 0;
  while (run < times.length && times[times.length - 1 - run] === last) run++;
  return run;
}
