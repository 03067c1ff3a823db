import { describe, expect, it } from 'vitest';
import { clampToRetention, initialCursor, newWindow } from '../../shared/core/windows';

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
    { name: 'a full window when far behind', frontier: now - 30 * DAY, parallel: 4, expected: { start: now - 30 * DAY, end: now - 29 * DAY } },
    { name: 'a quarter of a 2-day backlog with 4 lanes', frontier: now - 2 * DAY - 600, parallel: 4, expected: { start: now - 2 * DAY - 600, end: now - 1.5 * DAY - 600 } },
    { name: 'one window for a short range, not slivers', frontier: now - 1200, parallel: 4, expected: { start: now - 1200, end: now - 600 } },
    { name: 'at least 15 minutes per parallel window', frontier: now - 3600 - 600, parallel: 8, expected: { start: now - 4200, end: now - 4200 + 900 } },
    { name: 'nothing once caught up to now - lag', frontier: now - 600, parallel: 4, expected: undefined },
    { name: 'nothing when the frontier is past the horizon', frontier: now - 10, parallel: 1, expected: undefined },
    { name: 'no further than a fixed end (a backfill)', frontier: now - 5 * DAY, parallel: 1, until: now - 4.5 * DAY, expected: { start: now - 5 * DAY, end: now - 4.5 * DAY } },
    { name: 'nothing past a fixed end', frontier: now - 4 * DAY, parallel: 1, until: now - 4.5 * DAY, expected: undefined },
  ])('plans $name', ({ frontier, parallel, until, expected }: { frontier: number; parallel: number; until?: number; expected: unknown }) => {
    expect(newWindow(frontier, { ...limits, until }, parallel)).toEqual(expected);
  });

  it('leaves a cursor inside retention alone', () => {
    const cursor = { windowStart: now - 30 * DAY, windows: [{ start: now - 30 * DAY, end: now - 29 * DAY, pageToken: '9' }] };
    expect(clampToRetention(cursor, limits)).toEqual({ cursor, skippedSeconds: 0 });
  });

  it('moves a cursor that fell out of retention to its edge, drops its page token and reports the gap', () => {
    const result = clampToRetention({ windowStart: now - 100 * DAY, windows: [{ start: now - 100 * DAY, end: now - 99 * DAY, pageToken: '9' }] }, limits);
    expect(result.cursor).toEqual({ windowStart: now - 90 * DAY + 300 });
    expect(result.skippedSeconds).toBe(10 * DAY + 300);
  });
});
