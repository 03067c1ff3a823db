import { describe, expect, it } from 'vitest';
import { clampToRetention, initialCursor, nextWindow } from '../../shared/core/windows';

const DAY = 86_400;
const now = 1_800_000_000;
const limits = { nowSeconds: now, lagSeconds: 600, maxWindowSeconds: DAY, retentionSeconds: 90 * DAY };

describe('windows', () => {
  it.each([
    { start: { lookbackSeconds: 7 * DAY }, expected: now - 7 * DAY },
    { start: { at: 1_700_000_000 }, expected: 1_700_000_000 },
  ])('starts a first run at $start', ({ start, expected }) => {
    expect(initialCursor(start, now)).toEqual({ windowStart: expected });
  });

  it.each([
    { name: 'a full window when far behind', cursor: { windowStart: now - 3 * DAY }, expected: { start: now - 3 * DAY, end: now - 2 * DAY } },
    { name: 'a short window up to now - lag', cursor: { windowStart: now - 3600 }, expected: { start: now - 3600, end: now - 600 } },
    { name: 'nothing once caught up to now - lag', cursor: { windowStart: now - 600 }, expected: undefined },
    { name: 'nothing when the cursor is ahead of the horizon', cursor: { windowStart: now - 10 }, expected: undefined },
    {
      name: 'the fixed window of a cursor resumed mid-window, even if the horizon moved',
      cursor: { windowStart: now - 3 * DAY, windowEnd: now - 3 * DAY + 60, pageToken: '123' },
      expected: { start: now - 3 * DAY, end: now - 3 * DAY + 60 },
    },
  ])('plans $name', ({ cursor, expected }) => {
    expect(nextWindow(cursor, limits)).toEqual(expected);
  });

  it('leaves a cursor inside retention alone', () => {
    const cursor = { windowStart: now - 30 * DAY, windowEnd: now - 29 * DAY, pageToken: '9' };
    expect(clampToRetention(cursor, limits)).toEqual({ cursor, skippedSeconds: 0 });
  });

  it('moves a cursor that fell out of retention to its edge, drops its page token and reports the gap', () => {
    const result = clampToRetention({ windowStart: now - 100 * DAY, windowEnd: now - 99 * DAY, pageToken: '9' }, limits);
    expect(result.cursor).toEqual({ windowStart: now - 90 * DAY + 300 });
    expect(result.skippedSeconds).toBe(10 * DAY + 300);
  });
});
