import { describe, expect, it } from 'vitest';
import { carryOver, contentKey, decodePageToken, encodePageToken } from '../../../../shared/providers/ucloud/operations/page-token';

const rec = (time: number, api = 'StopUHostInstance') => ({ Api: api, OperateTime: time });
const timeOf = (r: { OperateTime: number }) => r.OperateTime;

describe('page token', () => {
  it('round-trips the NextToken and the carry', () => {
    for (const token of [{ next: 'SpWAGVWQ' }, { next: 'a/b+c==', carry: { time: 1700000000, counts: { k1: 2, k2: 1 } } }]) {
      const text = encodePageToken(token);
      expect(text).toMatch(/^u1\.[A-Za-z0-9_-]+$/);
      expect(decodePageToken(text)).toEqual(token);
    }
  });

  const encoded = (json: string) => `u1.${Buffer.from(json).toString('base64url')}`;
  it.each(['SpWAGVWQ', 'u1.!!!', encoded('{"n":""}'), encoded('{"n":"x","t":1,"c":{"k":0}}')])('rejects %s', (text) => {
    expect(() => decodePageToken(text)).toThrow(/page token/);
  });
});

describe('carryOver', () => {
  it('carries the counts of the last second and numbers the continuing run on from them', () => {
    const page1 = [rec(30), rec(20), rec(20), rec(20, 'Other')];
    const first = carryOver(page1, timeOf, undefined);
    expect(first.occurrences).toEqual([0, 0, 1, 0]);
    expect(first.carry).toEqual({ time: 20, counts: { [contentKey(rec(20))]: 2, [contentKey(rec(20, 'Other'))]: 1 } });

    const page2 = [rec(20), rec(20, 'Other'), rec(20), rec(10)];
    const second = carryOver(page2, timeOf, first.carry);
    expect(second.occurrences).toEqual([2, 1, 3, 0]);
    expect(second.carry).toEqual({ time: 10, counts: { [contentKey(rec(10))]: 1 } });
  });

  it('accumulates over a page made of one second only, and keeps the carry over an empty page', () => {
    const first = carryOver([rec(20), rec(20)], timeOf, undefined);
    const second = carryOver([rec(20)], timeOf, first.carry);
    expect(second.carry!.counts[contentKey(rec(20))]).toBe(3);
    expect(carryOver([], timeOf, second.carry).carry).toBe(second.carry);
  });

  it('drops the carry when the last record has no time', () => {
    expect(carryOver([{ Api: 'X' } as unknown as { OperateTime: number }], () => undefined, undefined).carry).toBeUndefined();
  });
});
