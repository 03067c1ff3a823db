import { describe, expect, it } from 'vitest';
import { parseSchedule, rateSeconds } from '../../shared/lib/schedule';

/**
 * The positives are the examples of the Amazon EventBridge User Guide pages
 * "Rate expressions reference" and "Cron expressions reference"; the
 * negatives break one of the rules those pages state.
 */
describe('rate expressions', () => {
  it.each([
    ['rate(1 minute)', 60],
    ['rate(5 minutes)', 300],
    ['rate(1 hour)', 3600],
    ['rate(1 day)', 86_400],
    ['rate(12 hours)', 43_200],
    ['rate(2 days)', 172_800],
  ])('accepts %s, every %d seconds', (text, seconds) => {
    expect(parseSchedule(text)).toEqual({ ok: true, schedule: { kind: 'rate', seconds } });
    expect(rateSeconds(text)).toBe(seconds);
  });

  it.each([
    ['rate(1 hours)', 'EventBridge wants the singular unit for 1: "rate(1 hour)"'],
    ['rate(1 minutes)', 'EventBridge wants the singular unit for 1: "rate(1 minute)"'],
    ['rate(5 hour)', 'EventBridge wants the plural unit for 5: "rate(5 hours)"'],
    ['rate(0 minutes)', `the rate's value must be a whole number of at least 1, not "0"`],
    ['rate(-5 minutes)', `the rate's value must be a whole number of at least 1, not "-5"`],
    ['rate(1.5 hours)', `the rate's value must be a whole number of at least 1, not "1.5"`],
    ['rate(five minutes)', `the rate's value must be a whole number of at least 1, not "five"`],
    ['rate(2 weeks)', `the rate's unit must be minute(s), hour(s) or day(s), not "weeks"`],
    ['rate(30 seconds)', `the rate's unit must be minute(s), hour(s) or day(s), not "seconds"`],
    ['rate(5 Minutes)', `the rate's unit must be minute(s), hour(s) or day(s), not "Minutes"`],
    ['rate(5minutes)', 'expected rate(value unit) with one space, e.g. "rate(5 minutes)"'],
    ['rate(5 minutes, 1 hour)', 'expected rate(value unit) with one space, e.g. "rate(5 minutes)"'],
  ])('refuses %s', (text, error) => {
    expect(parseSchedule(text)).toEqual({ ok: false, error });
    expect(rateSeconds(text)).toBeUndefined();
  });
});

describe('cron expressions', () => {
  it.each([
    // The reference's examples.
    'cron(0 10 * * ? *)',
    'cron(15 12 * * ? *)',
    'cron(0 18 ? * MON-FRI *)',
    'cron(0 8 1 * ? *)',
    'cron(0/15 * * * ? *)',
    'cron(0/10 * ? * MON-FRI *)',
    'cron(0/5 8-17 ? * MON-FRI *)',
    // Each wildcard where the reference allows it.
    'cron(0 9 ? JAN,FEB,MAR 2#1 *)',
    'cron(0 12 1-15 * ? 2026-2030)',
    'cron(1/10 * * * ? *)',
    'cron(0 0 L * ? *)',
    'cron(0 0 3W * ? *)',
    'cron(0 0 LW * ? *)',
    'cron(0 0 ? * L *)',
    'cron(0 0 ? * 6L *)',
    'cron(0 8 ? * 3#2 *)',
    'cron(59 23 31 12 ? 2199)',
    'cron(0 0 ? 1-12 1-7 1970)',
    'cron(*/5 * * * ? *)',
  ])('accepts %s', (text) => {
    expect(parseSchedule(text)).toEqual({ ok: true, schedule: { kind: 'cron', fields: text.slice(5, -1).split(' ') } });
    expect(rateSeconds(text)).toBeUndefined();
  });

  it.each([
    // The two: a 6-field Unix cron with seconds (no "?"), and minute 99.
    [
      'cron(0/10 * * * * *)',
      'cron day-of-month and day-of-week are both set (day-of-month "*", day-of-week "*"); EventBridge needs "?" in one of them, e.g. "cron(0/10 * * * ? *)"',
    ],
    ['cron(99 * * * ? *)', 'cron minutes field "99": 99 is outside 0-59'],
    ['cron(0/10 * * * *)', 'a cron expression has 6 fields (minutes hours day-of-month month day-of-week year); this one has 5'],
    ['cron(0 0 0 * * ? *)', 'a cron expression has 6 fields (minutes hours day-of-month month day-of-week year); this one has 7'],
    ['cron(0 24 * * ? *)', 'cron hours field "24": 24 is outside 0-23'],
    ['cron(0 0 0 * ? *)', 'cron day-of-month field "0": 0 is outside 1-31'],
    ['cron(0 0 32 * ? *)', 'cron day-of-month field "32": 32 is outside 1-31'],
    ['cron(0 0 ? 13 MON *)', 'cron month field "13": 13 is outside 1-12 or JAN-DEC'],
    ['cron(0 0 ? JAN-SMR MON *)', 'cron month field "JAN-SMR": "SMR" is not a value of month (1-12 or JAN-DEC)'],
    ['cron(0 0 ? * 0 *)', 'cron day-of-week field "0": 0 is outside 1-7 or SUN-SAT'],
    ['cron(0 0 ? * 8 *)', 'cron day-of-week field "8": 8 is outside 1-7 or SUN-SAT'],
    ['cron(0 0 ? * MONDAY *)', 'cron day-of-week field "MONDAY": "MONDAY" is not a value of day-of-week (1-7 or SUN-SAT)'],
    ['cron(0 0 * * ? 1969)', 'cron year field "1969": 1969 is outside 1970-2199'],
    ['cron(0 0 * * ? 2200)', 'cron year field "2200": 2200 is outside 1970-2199'],
    // Wildcards outside the fields the reference lists them for.
    ['cron(? 0 * * ? *)', 'cron minutes field "?": "?" is not allowed here (minutes takes , - * /)'],
    ['cron(0 0 ? * MON/2 *)', 'cron day-of-week field "MON/2": "/" is not allowed here (day-of-week takes , - * ? L #)'],
    ['cron(0 0 1#2 * ? *)', 'cron day-of-month field "1#2": "#" is not allowed here (day-of-month takes , - * ? / L W)'],
    ['cron(L 0 * * ? *)', 'cron minutes field "L": "L" is not a value of minutes (0-59)'],
    ['cron(0 0 ? * 3W *)', 'cron day-of-week field "3W": "3W" is not a value of day-of-week (1-7 or SUN-SAT)'],
    // "#": one expression in the field, the nth (1-5) of a weekday.
    ['cron(0 8 ? * 3#1,6#3 *)', 'cron day-of-week field "3#1,6#3": expected one day#n expression such as 3#2 (the second Tuesday), n from 1 to 5, and nothing else'],
    ['cron(0 8 ? * 3#6 *)', 'cron day-of-week field "3#6": expected one day#n expression such as 3#2 (the second Tuesday), n from 1 to 5, and nothing else'],
    // Malformed lists, ranges and increments.
    ['cron(0/0 * * * ? *)', `cron minutes field "0/0": the increment after "/" must be a whole number of at least 1, not "0"`],
    ['cron(0, * * * ? *)', 'cron minutes field "0,": an empty entry in a list'],
    ['cron(1-2-3 * * * ? *)', 'cron minutes field "1-2-3": "1-2-3" is not a range such as 1-5'],
    ['cron(0 0 ?,1 * ? *)', 'cron day-of-month field "?,1": "?" stands alone, not in a list'],
    // One of day-of-month and day-of-week, never both, never neither.
    ['cron(0 10 1 * MON *)', 'cron day-of-month and day-of-week are both set (day-of-month "1", day-of-week "MON"); EventBridge needs "?" in one of them'],
    ['cron(0 10 * * MON *)', 'cron day-of-month and day-of-week are both set (day-of-month "*", day-of-week "MON"); EventBridge needs "?" in one of them, e.g. "cron(0 10 ? * MON *)"'],
    ['cron(0 10 ? * ? *)', 'cron day-of-month and day-of-week are both "?"; set one of them'],
  ])('refuses %s, naming the field', (text, error) => {
    expect(parseSchedule(text)).toEqual({ ok: false, error });
  });

  it('names every bad field at once', () => {
    expect(parseSchedule('cron(60 24 * * ? *)')).toEqual({
      ok: false,
      error: 'cron minutes field "60": 60 is outside 0-59; cron hours field "24": 24 is outside 0-23',
    });
  });
});

describe('other expressions', () => {
  it.each(['every 5 minutes', 'rate(5 minutes', '0 10 * * ? *', 'at(2026-01-01T00:00:00)', ''])('refuses %j with the accepted forms', (text) => {
    expect(parseSchedule(text)).toEqual({
      ok: false,
      error: 'expected an EventBridge schedule such as "rate(1 hour)", "rate(5 minutes)" or "cron(0/10 * * * ? *)"',
    });
  });
});
