import { describe, expect, it } from 'vitest';
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

/** Records are their own event times here; NaN stands for a record that cannot be dated. */
const plan = (records: number[], position: PagePosition, options: { allTotal?: number; limit?: number } = {}) =>
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

describe('positions and page tokens', () => {
  it('start at the window end itself, offset 0 (right whether EndTime is inclusive or not)', () => {
    expect(first).toEqual(keyset(2000, 0, 0));
    expect(requestOf(first, window)).toEqual({ end: 2000, offset: 0 });
  });

  it('page plain offsets over the window first query', () => {
    expect(requestOf(offsets(2500), window)).toEqual({ end: 2000, offset: 2500 });
  });

  it.each([keyset(1500, 0, 10), keyset(1000, 2000, 2000), offsets(3000)])('round-trip %j', (position) => {
    expect(decodePageToken(encodePageToken(position), window)).toEqual(position);
  });

  it.each(['', '1500', '1500:0', '1500:-1:0', 'x:0:0', '999:0:0', '2001:0:0', 'offset:', 'offset:-1', '1500:0:0 '])('refuse %j', (token) => {
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
    expect(one.next).toEqual(keyset(2000, 10, 10));
    expect(plan(Array(10).fill(2000), one.next!).next).toEqual(keyset(2000, 20, 20));
    expect(plan([2000, 2000, 1500, 1400, 1400], keyset(2000, 20, 20), { limit: 5 })).toMatchObject({
      records: [2000, 2000, 1500],
      next: keyset(1400, 0, 23),
    });
  });

  it('counts a full single-second page at an older second from zero', () => {
    expect(plan(Array(10).fill(1500), keyset(1999, 4, 4)).next).toEqual(keyset(1500, 10, 14));
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
    expect(plan([1900, 1900, 1900, 1900], offsets(3), { limit: 4 })).toEqual({ records: [1900, 1900, 1900, 1900], next: offsets(7), fellBack: false });
  });
});
