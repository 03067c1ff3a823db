import { describe, expect, it } from 'vitest';
import { nextFiring, parseSchedule, type Schedule } from '../../shared/lib/schedule';

/**
 * The next firings of schedules, each from a calendar (UTC). The cron
 * expressions are the Amazon EventBridge User Guide's examples and one or more
 * cases per wildcard; where the guide is silent the expectation is Quartz's
 * (see shared/lib/cron.ts).
 */
function schedule(text: string): Schedule {
  const parsed = parseSchedule(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.schedule;
}

/** The next `count` firings after `after`, as ISO minutes; a schedule that stops firing ends the list. */
function firings(text: string, after: string, count = 3): string[] {
  const found: string[] = [];
  let at = Date.parse(after);
  for (let i = 0; i < count; i++) {
    const next = nextFiring(schedule(text), at);
    if (next === undefined) break;
    found.push(new Date(next).toISOString().slice(0, 16));
    at = next;
  }
  return found;
}

describe('nextFiring of cron schedules', () => {
  it.each([
    // Steps, from the guide: "1/10 ... the 11th, 21st, and 31st minute".
    ['cron(0/10 * * * ? *)', '2026-12-07T21:13:05Z', ['2026-12-07T21:20', '2026-12-07T21:30', '2026-12-07T21:40']],
    ['cron(1/10 * * * ? *)', '2026-12-07T21:59:00Z', ['2026-12-07T22:01', '2026-12-07T22:11', '2026-12-07T22:21']],
    ['cron(10-40/15 * * * ? *)', '2026-12-07T21:41:00Z', ['2026-12-07T22:10', '2026-12-07T22:25', '2026-12-07T22:40']],
    ['cron(* * * * ? *)', '2026-12-07T21:13:05.500Z', ['2026-12-07T21:14', '2026-12-07T21:15', '2026-12-07T21:16']],
    // Strictly after: a firing at `after` itself is not the next one.
    ['cron(0 10 * * ? *)', '2026-12-07T10:00:00Z', ['2026-12-08T10:00', '2026-12-09T10:00', '2026-12-10T10:00']],
    ['cron(15 12 * * ? *)', '2026-12-07T12:14:59Z', ['2026-12-07T12:15', '2026-12-08T12:15', '2026-12-09T12:15']],
    // Ranges and names; Friday 2026-12-11 to Monday 2026-12-14.
    ['cron(0 18 ? * MON-FRI *)', '2026-12-11T18:00:00Z', ['2026-12-14T18:00', '2026-12-15T18:00', '2026-12-16T18:00']],
    ['cron(0/5 8-17 ? * MON-FRI *)', '2026-12-11T17:52:00Z', ['2026-12-11T17:55', '2026-12-14T08:00', '2026-12-14T08:05']],
    ['cron(0 8 1 * ? *)', '2026-12-07T00:00:00Z', ['2027-01-01T08:00', '2027-02-01T08:00', '2027-03-01T08:00']],
    // Lists.
    ['cron(5,35 1,13 * * ? *)', '2026-12-07T12:00:00Z', ['2026-12-07T13:05', '2026-12-07T13:35', '2026-12-08T01:05']],
    ['cron(0 12 ? JAN,JUL SUN *)', '2026-12-07T00:00:00Z', ['2027-01-03T12:00', '2027-01-10T12:00', '2027-01-17T12:00']],
    ['cron(0 12 ? jan,jul sun *)', '2026-12-07T00:00:00Z', ['2027-01-03T12:00', '2027-01-10T12:00', '2027-01-17T12:00']],
    // Reversed ranges wrap round the field.
    ['cron(0 23-1 * * ? *)', '2026-12-07T12:00:00Z', ['2026-12-07T23:00', '2026-12-08T00:00', '2026-12-08T01:00']],
    ['cron(0 0 ? * FRI-MON *)', '2026-12-08T00:00:00Z', ['2026-12-11T00:00', '2026-12-12T00:00', '2026-12-13T00:00']],
    // L in day-of-month: the month's last day, 29 February in a leap year.
    ['cron(0 0 L * ? *)', '2028-02-10T00:00:00Z', ['2028-02-29T00:00', '2028-03-31T00:00', '2028-04-30T00:00']],
    // LW: the last weekday (31 Jan 2027 and 28 Feb 2027 are Sundays).
    ['cron(0 0 LW * ? *)', '2027-01-01T00:00:00Z', ['2027-01-29T00:00', '2027-02-26T00:00', '2027-03-31T00:00']],
    // nW: 15 May 2027 is a Saturday (Friday 14th); 1 May 2027 a Saturday (Monday 3rd, not April);
    // 31 Jan 2027 a Sunday (Friday 29th); months without a 31st have no 31W.
    ['cron(0 12 15W * ? *)', '2027-05-01T00:00:00Z', ['2027-05-14T12:00', '2027-06-15T12:00', '2027-07-15T12:00']],
    ['cron(0 0 1W * ? *)', '2027-04-15T00:00:00Z', ['2027-05-03T00:00', '2027-06-01T00:00', '2027-07-01T00:00']],
    ['cron(0 0 31W * ? *)', '2027-01-01T00:00:00Z', ['2027-01-29T00:00', '2027-03-31T00:00', '2027-05-31T00:00']],
    // L in day-of-week: alone, Saturday; 6L, the month's last Friday.
    ['cron(0 0 ? * L *)', '2026-12-07T00:00:00Z', ['2026-12-12T00:00', '2026-12-19T00:00', '2026-12-26T00:00']],
    ['cron(0 0 ? * 6L *)', '2026-12-01T00:00:00Z', ['2026-12-25T00:00', '2027-01-29T00:00', '2027-02-26T00:00']],
    // #: the guide's "first Monday of every month" and a second Tuesday.
    ['cron(0 9 ? * 2#1 *)', '2026-12-07T21:00:00Z', ['2027-01-04T09:00', '2027-02-01T09:00', '2027-03-01T09:00']],
    ['cron(0 0 ? * TUE#2 *)', '2026-12-07T00:00:00Z', ['2026-12-08T00:00', '2027-01-12T00:00', '2027-02-09T00:00']],
    // Years: a step, and schedules that stop.
    ['cron(0 0 1 1 ? 2030/5)', '2026-12-07T00:00:00Z', ['2030-01-01T00:00', '2035-01-01T00:00', '2040-01-01T00:00']],
    ['cron(0 0 1 1 ? 2027)', '2026-12-07T00:00:00Z', ['2027-01-01T00:00']],
    ['cron(0 0 30 2 ? *)', '2026-12-07T00:00:00Z', []],
    ['cron(0 0 31 12 ? 2199)', '2199-12-31T00:00:00Z', []],
  ])('%s after %s', (text, after, expected) => {
    expect(firings(text, after)).toEqual(expected);
  });
});

describe('nextFiring of rate schedules', () => {
  it.each([
    ['rate(5 minutes)', '2026-12-07T21:13:05Z', ['2026-12-07T21:15', '2026-12-07T21:20', '2026-12-07T21:25']],
    ['rate(1 hour)', '2026-12-07T21:00:00Z', ['2026-12-07T22:00', '2026-12-07T23:00', '2026-12-08T00:00']],
    ['rate(1 day)', '2026-12-07T21:00:00Z', ['2026-12-08T00:00', '2026-12-09T00:00', '2026-12-10T00:00']],
  ])('%s after %s counts periods from the epoch', (text, after, expected) => {
    expect(firings(text, after)).toEqual(expected);
  });
});
