import { describe, expect, it } from 'vitest';
import type { Cursor } from '../../shared/core/ports/cursor-store';
import type { FetchRecord, RunOutcome } from '../scenarios/harness';
import { cursorCovers, unconfirmedDeliveries } from './unconfirmed';

/** Window 100-200 paged a, b, c (tokens t1, t2, then done); window 200-300 paged d. */
const page = (n: number, start: number, keys: string[], pageToken?: string, nextPageToken?: string): FetchRecord => ({
  n,
  window: { start, end: start + 100 },
  pageToken,
  nextPageToken,
  records: keys.length,
  keys,
});
const a = page(1, 100, ['a1', 'a2'], undefined, 't1');
const b = page(2, 100, ['b1'], 't1', 't2');
const c = page(3, 100, ['c1'], 't2', undefined);
const d = page(4, 200, ['d1'], undefined, 'u1');
const chain = [a, b, c];

describe('cursorCovers', () => {
  const cases: { name: string; cursor: Cursor | undefined; page: FetchRecord; covered: boolean }[] = [
    { name: 'no cursor saved', cursor: undefined, page: a, covered: false },
    { name: 'window before windowStart', cursor: { windowStart: 200 }, page: c, covered: true },
    { name: 'window not yet in the cursor', cursor: { windowStart: 100 }, page: a, covered: false },
    { name: 'window marked done', cursor: { windowStart: 100, windows: [{ start: 100, end: 200, done: true }] }, page: c, covered: true },
    { name: 'open window at the page before', cursor: { windowStart: 100, windows: [{ start: 100, end: 200, pageToken: 't1' }] }, page: b, covered: false },
    { name: 'open window at this page', cursor: { windowStart: 100, windows: [{ start: 100, end: 200, pageToken: 't2' }] }, page: b, covered: true },
    { name: 'open window past this page', cursor: { windowStart: 100, windows: [{ start: 100, end: 200, pageToken: 't2' }] }, page: a, covered: true },
    { name: 'open window with no token yet', cursor: { windowStart: 100, windows: [{ start: 100, end: 200 }] }, page: a, covered: false },
  ];
  it.each(cases)('$name', ({ cursor, page, covered }) => {
    expect(cursorCovers(cursor, page, chain)).toBe(covered);
  });
});

describe('unconfirmedDeliveries', () => {
  const outcome = { fetches: [a, b, c, d] } as unknown as RunOutcome;
  const acknowledged = new Map([
    ['a1', 1],
    ['a2', 1],
    ['b1', 1],
    ['d1', 2],
  ]);

  it('counts acknowledged records of the pages the last saved cursor does not cover', () => {
    const saved: Cursor = { windowStart: 100, windows: [{ start: 100, end: 200, pageToken: 't1' }] };
    expect(unconfirmedDeliveries(outcome, saved, acknowledged)).toEqual(new Map([['b1', 1], ['d1', 2]]));
  });

  it('counts nothing once every acknowledged page is checkpointed', () => {
    const saved: Cursor = { windowStart: 200, windows: [{ start: 200, end: 300, pageToken: 'u1' }] };
    expect(unconfirmedDeliveries(outcome, saved, acknowledged)).toEqual(new Map());
  });
});
