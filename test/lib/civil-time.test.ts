import { describe, expect, it } from 'vitest';
import { isoFromSeconds, unixSecondsOfCivil, wallClockOfSeconds } from '../../shared/lib/civil-time';

/** A deterministic spread of times from year 0 to 9999 (Date is the oracle). */
function* randomSeconds(count: number): Generator<number> {
  let state = 0x9e3779b9;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    const unit = state / 2 ** 32;
    yield Math.floor(-62_167_219_200 + unit * (253_402_300_799 + 62_167_219_200));
  }
}

describe('civil time without Date', () => {
  it.each([
    ['the epoch', 1970, 1, 1, 0, 0, 0, 0],
    ['a leap day', 2024, 2, 29, 12, 30, 15, 1_709_209_815],
    ['the last second of a century leap year', 2000, 12, 31, 23, 59, 59, 978_307_199],
    ['before the epoch', 1969, 12, 31, 23, 59, 59, -1],
    ['Beijing-time example of the SSL API, read as UTC wall clock', 2020, 5, 28, 15, 13, 57, 1_590_678_837],
  ])('%s', (_name, y, mo, d, h, mi, s, expected) => {
    expect(unixSecondsOfCivil(y, mo, d, h, mi, s)).toBe(expected);
  });

  it.each([
    ['February 30', 2024, 2, 30, 0, 0, 0],
    ['February 29 of a common year', 2023, 2, 29, 0, 0, 0],
    ['February 29 of 1900 (not a leap year)', 1900, 2, 29, 0, 0, 0],
    ['April 31', 2026, 4, 31, 0, 0, 0],
    ['month 13', 2026, 13, 1, 0, 0, 0],
    ['month 0', 2026, 0, 1, 0, 0, 0],
    ['day 0', 2026, 1, 0, 0, 0, 0],
    ['hour 24', 2026, 1, 1, 24, 0, 0],
    ['minute 60', 2026, 1, 1, 0, 60, 0],
    ['a leap second', 2016, 12, 31, 23, 59, 60],
  ])('refuses %s rather than rolling it over', (_name, y, mo, d, h, mi, s) => {
    expect(unixSecondsOfCivil(y, mo, d, h, mi, s)).toBeUndefined();
  });

  it('agrees with Date on 20,000 random times from year 0 to 9999, both ways', () => {
    for (const seconds of randomSeconds(20_000)) {
      const date = new Date(seconds * 1000);
      expect(isoFromSeconds(seconds)).toBe(date.toISOString());
      expect(wallClockOfSeconds(seconds)).toBe(`${date.toISOString().slice(0, 10)} ${date.toISOString().slice(11, 19)}`);
      const back = unixSecondsOfCivil(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds());
      expect(back).toBe(seconds);
    }
  });

  it('keeps milliseconds as toISOString does, and hands years beyond four digits to Date', () => {
    expect(isoFromSeconds(1_763_707_252.123)).toBe('2025-11-21T06:40:52.123Z');
    expect(isoFromSeconds(1_763_707_252.9996)).toBe(new Date(1_763_707_253_000).toISOString());
    expect(isoFromSeconds(253_402_300_800)).toBe('+010000-01-01T00:00:00.000Z');
    expect(isoFromSeconds(-62_167_219_201)).toBe('-000001-12-31T23:59:59.000Z');
  });
});
