import { describe, expect, it } from 'vitest';
import { contentKey } from '../../../../shared/providers/occurrence-carry';
import {
  decodePageToken,
  encodePageToken,
  firstPosition,
  planPage,
  requestOf,
  type PagePosition,
} from '../../../../shared/providers/tencent/ssl/paging';

const window = { start: 1000, end: 2000 };
const first = firstPosition(window);
const keyset = (end: number, offset: number, served: number): PagePosition => ({ mode: 'keyset', end, offset, served });
const offsets = (served: number): PagePosition => ({ mode: 'offset', served });
/** What a position continuing inside second `time` carries: `count` records of it read so far (the records are their times here). */
const carrying = (position: PagePosition, time: number, count: number): PagePosition => ({
  ...position,
  carry: { time, counts: { [contentKey(time)]: count } },
});

/** Records are their own event times here; NaN stands for a record that cannot be dated. */
const planWithOccurrences = (records: number[], position: PagePosition, options: { allTotal?: number; limit?: number } = {}) =>
  planPage({
    records,
    allTotal: 'allTotal' in options ? options.allTotal : 1_000_000,
    limit: options.limit ?? 10,
    position,
    window,
    eventTime: (t) => {
      if (Number.isNaN(t)) throw new Error('no time');
      return t;
    },
  });

/** The plan's paging (records, next, fellBack); the occurrences have their own test. */
const plan = (...args: Parameters<typeof planWithOccurrences>) => {
  const { occurrences: _occurrences, ...paging } = planWithOccurrences(...args);
  return paging;
};

describe('positions and page tokens', () => {
  it('start at the window end itself, offset 0 (right whether EndTime is inclusive or not)', () => {
    expect(first).toEqual(keyset(2000, 0, 0));
    expect(requestOf(first, window)).toEqual({ end: 2000, offset: 0 });
  });

  it('page plain offsets over the window first query', () => {
    expect(requestOf(offsets(2500), window)).toEqual({ end: 2000, offset: 2500 });
  });

  it.each([
    keyset(1500, 0, 10),
    keyset(1000, 2000, 2000),
    offsets(3000),
    carrying(keyset(1500, 20, 30), 1500, 20),
    { ...offsets(40), carry: { time: 1700, counts: { a: 3, b: 1 } } },
  ])('round-trip %j', (position) => {
    expect(decodePageToken(encodePageToken(position), window)).toEqual(position);
  });

  const carried = (json: string) => Buffer.from(json).toString('base64url');
  it.each([
    '',
    '1500',
    '1500:0',
    '1500:-1:0',
    'x:0:0',
    '999:0:0',
    '2001:0:0',
    'offset:',
    'offset:-1',
    '1500:0:0 ',
    '1500:0:0:',
    '1500:0:0:!!',
    `1500:0:0:${carried('{"t":1500,"c":{"k":0}}')}`,
    `offset:3:${carried('{"t":"1500","c":{}}')}`,
    `1500:0:0:${carried('not json')}`,
  ])('refuse %j', (token) => {
    expect(() => decodePageToken(token, window)).toThrow(/page token/);
  });
});

describe('planPage: when the window ends', () => {
  it('ends on an empty page whatever AllTotal says', () => {
    expect(plan([], first, { allTotal: 50 })).toEqual({ records: [], fellBack: false });
    expect(plan([], first, { allTotal: undefined })).toEqual({ records: [], fellBack: false });
  });

  it('stops at AllTotal, even after a full page', () => {
    const full = [1990, 1980, 1970, 1960, 1950, 1940, 1930, 1920, 1910, 1900];
    expect(plan(full, first, { allTotal: 10 })).toEqual({ records: full, fellBack: false });
    expect(plan(full, first, { allTotal: 11 }).next).toEqual(keyset(1900, 0, 9));
  });

  it('does not take a short page for the end while AllTotal counts more (a server capping pages)', () => {
    expect(plan([1990, 1980], first, { allTotal: 50 }).next).toEqual(keyset(1980, 0, 1));
  });

  it('without AllTotal, a short page is the end and a full one is not', () => {
    expect(plan([1990, 1980], first, { allTotal: undefined }).next).toBeUndefined();
    expect(plan([1990, 1980], first, { allTotal: undefined, limit: 2 }).next).toBeDefined();
  });
});

describe('planPage: keyset paging', () => {
  it('drops the trailing second and re-reads it at offset 0 of a narrowed query', () => {
    expect(plan([1900, 1800, 1800, 1700, 1700], first, { limit: 5 })).toEqual({
      records: [1900, 1800, 1800],
      next: keyset(1700, 0, 3),
      fellBack: false,
    });
  });

  it('carries on when the narrowed query begins with the second it re-reads (EndTime is inclusive)', () => {
    expect(plan([1700, 1700, 1600, 1500], keyset(1700, 0, 3), { limit: 4 })).toMatchObject({ records: [1700, 1700, 1600], next: keyset(1500, 0, 6) });
  });

  it.each([
    ['begins below it (EndTime exclusive)', [1600, 1500]],
    ['is empty', []],
  ])('falls back to offsets over the first query, delivering nothing, when the narrowed query %s', (_name, records) => {
    expect(plan(records, keyset(1700, 0, 3), { limit: 2 })).toEqual({ records: [], next: offsets(3), fellBack: true });
  });

  it('continues inside a second that fills whole pages, from the window end down', () => {
    const one = plan(Array(10).fill(2000), first);
    expect(one.next).toEqual(carrying(keyset(2000, 10, 10), 2000, 10));
    const two = plan(Array(10).fill(2000), one.next!);
    expect(two.next).toEqual(carrying(keyset(2000, 20, 20), 2000, 20));
    const three = plan([2000, 2000, 1500, 1400, 1400], two.next!, { limit: 5 });
    expect(three).toMatchObject({ records: [2000, 2000, 1500], next: keyset(1400, 0, 23) });
    // The carry ends with the second: the narrowed query re-reads 1400 whole.
    expect(three.next!.carry).toBeUndefined();
  });

  it('counts a full single-second page at an older second from zero', () => {
    expect(plan(Array(10).fill(1500), keyset(1999, 4, 4)).next).toEqual(carrying(keyset(1500, 10, 14), 1500, 10));
  });

  it('numbers identical records of a second on from the pages before, so their ids stay distinct', () => {
    // Page 1: ten records identical to one another (all 2000), numbered within the page.
    const one = planWithOccurrences(Array(10).fill(2000), first);
    expect(one.occurrences).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Page 2 continues inside 2000: each of its 2000s comes after the ten of page 1.
    const two = planWithOccurrences([2000, 2000, 2000, 1500], one.next!, { limit: 4 });
    // (1500, the page's last second, is left whole to the narrowed query.)
    expect(two.records).toEqual([2000, 2000, 2000]);
    expect(two.occurrences).toEqual([10, 11, 12]);
    // A narrowed query (offset 0) starts a second afresh: nothing carried, counted within the page.
    const three = planWithOccurrences([1500, 1500, 1400, 1300], keyset(1500, 0, 13), { limit: 4 });
    expect(three.records).toEqual([1500, 1500, 1400]);
    expect(three.occurrences).toEqual([0, 1, 0]);
  });
});

describe('planPage: falling back to plain offsets', () => {
  it.each([
    ['not newest first', [1800, 1900, 1700]],
    ['outside its bounds', [2500, 1800, 1700]],
    ['holding a record it cannot date', [1800, Number.NaN, 1700]],
  ])('keeps a first-query page that is %s, cut before its last second', (_name, records) => {
    expect(plan(records, first, { limit: 3 })).toEqual({ records: records.slice(0, 2), next: offsets(2), fellBack: true });
  });

  it('re-reads a narrowed page that is not newest first', () => {
    expect(plan([1900, 1950, 1800], keyset(1900, 0, 5), { limit: 3 })).toEqual({ records: [], next: offsets(5), fellBack: true });
  });

  it('stays on offsets, still cutting at a second where it can', () => {
    expect(plan([1900, 1900, 1800, 1800], offsets(3), { limit: 4 })).toEqual({ records: [1900, 1900], next: offsets(5), fellBack: false });
    expect(plan([1900, 1900, 1900, 1900], offsets(3), { limit: 4 })).toEqual({
      records: [1900, 1900, 1900, 1900],
      next: carrying(offsets(7), 1900, 4),
      fellBack: false,
    });
  });

  it('keeps the carry when it falls back to offsets and re-reads', () => {
    const inside = carrying(keyset(1900, 10, 15), 1900, 10);
    expect(plan([1950, 1900, 1800], inside, { limit: 3 })).toEqual({ records: [], next: carrying(offsets(15), 1900, 10), fellBack: true });
  });
});
