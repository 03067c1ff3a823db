import { describe, expect, it } from 'vitest';
import { formatBeijingTime, parseBeijingTime } from '../../../../shared/providers/tencent/ssl/beijing-time';

describe('Beijing time (UTC+8, no DST)', () => {
  it.each([
    ['2024-11-28 15:02:12', '2024-11-28T07:02:12.000Z'],
    ['2025-01-01 07:59:59', '2024-12-31T23:59:59.000Z'],
    ['2025-01-01 08:00:00', '2025-01-01T00:00:00.000Z'],
    ['2024-03-01 00:00:00', '2024-02-29T16:00:00.000Z'],
    // Mid-summer, when DST zones shift: Beijing does not.
    ['2024-07-01 12:00:00', '2024-07-01T04:00:00.000Z'],
  ])('%s is %s', (beijing, iso) => {
    const seconds = Date.parse(iso) / 1000;
    expect(parseBeijingTime(beijing)).toBe(seconds);
    expect(formatBeijingTime(seconds)).toBe(beijing);
  });

  it('does not depend on the host time zone', () => {
    const tz = process.env.TZ;
    try {
      process.env.TZ = 'America/New_York';
      expect(formatBeijingTime(1_732_777_332)).toBe('2024-11-28 15:02:12');
      expect(parseBeijingTime('2024-11-28 15:02:12')).toBe(1_732_777_332);
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it.each([
    undefined,
    null,
    1732777332,
    '',
    '2024-11-28T15:02:12',
    '2024-11-28 15:02:12+08:00',
    '2024-11-28 15:02',
    '2024-02-30 00:00:00',
    '2023-02-29 00:00:00',
    '2024-11-28 24:00:00',
    '2024-13-01 00:00:00',
    ' 2024-11-28 15:02:12',
  ])('rejects %j', (value) => {
    expect(() => parseBeijingTime(value)).toThrow(/time/);
  });

  it('refuses to format a fractional or non-finite time', () => {
    expect(() => formatBeijingTime(1.5)).toThrow();
    expect(() => formatBeijingTime(Number.NaN)).toThrow();
  });
});
