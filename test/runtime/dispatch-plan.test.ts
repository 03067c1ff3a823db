import { describe, expect, it } from 'vitest';
import { planStarts, spreadHash, type PlannedStart } from '../../shared/runtime/dispatch-plan';
import type { DispatchEntry } from '../../shared/runtime/invocation';
import { dispatchEntry } from './dispatch-fixtures';

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** Monday 2026-12-07 00:00 UTC. */
const MIDNIGHT = Date.parse('2026-12-07T00:00:00Z');

const entry = (id: string, schedule: string): DispatchEntry => dispatchEntry(id, schedule);

const fleet = (count: number, schedule: (index: number) => string): DispatchEntry[] =>
  Array.from({ length: count }, (_, index) => entry(`audit-${String(index).padStart(4, '0')}`, schedule(index)));

/** Plan [from, to) one minute at a time, as the dispatcher does. */
function planMinuteByMinute(entries: DispatchEntry[], from: number, to: number): PlannedStart[] {
  const starts: PlannedStart[] = [];
  for (let minute = from; minute < to; minute += MINUTE) starts.push(...planStarts(entries, minute, minute + MINUTE));
  return starts;
}

function startsById(starts: PlannedStart[]): Map<string, number[]> {
  const byId = new Map<string, number[]>();
  for (const start of starts) byId.set(start.entry.source.id, [...(byId.get(start.entry.source.id) ?? []), start.startMs]);
  return byId;
}

function mostInAnyBucket(starts: PlannedStart[], bucketMs: number): number {
  const counts = new Map<number, number>();
  for (const { startMs } of starts) counts.set(Math.floor(startMs / bucketMs), (counts.get(Math.floor(startMs / bucketMs)) ?? 0) + 1);
  return Math.max(...counts.values());
}

describe('planStarts for rate schedules', () => {
  it('starts each instance at hash(id) mod P seconds into every period counted from the epoch', () => {
    const id = 'audit-ap-guangzhou';
    // The first 8 hex digits of sha256("audit-ap-guangzhou"), as an integer, mod 300.
    expect(spreadHash(id)).toBe(0x29c44a13);
    const starts = planStarts([entry(id, 'rate(5 minutes)')], MIDNIGHT, MIDNIGHT + HOUR);
    const offset = 0x29c44a13 % 300;
    expect(starts.map((start) => start.startMs)).toEqual(Array.from({ length: 12 }, (_, k) => MIDNIGHT + (offset + k * 300) * 1000));
    expect(new Set(starts.map((start) => start.periodSeconds))).toEqual(new Set([300]));
  });

  it('is deterministic: the same starts whatever the order of the table or the call', () => {
    const entries = fleet(200, (index) => ['rate(1 minute)', 'rate(5 minutes)', 'rate(1 hour)'][index % 3]!);
    const once = planStarts(entries, MIDNIGHT, MIDNIGHT + HOUR);
    const again = planStarts([...entries].reverse(), MIDNIGHT, MIDNIGHT + HOUR);
    expect(again).toEqual(once);
  });

  it('spreads 1,000 instances on rate(5 minutes) over the period: at most a dozen in any second, 200 ± 15% a minute', () => {
    const starts = planMinuteByMinute(fleet(1000, () => 'rate(5 minutes)'), MIDNIGHT, MIDNIGHT + 5 * MINUTE);
    expect(starts).toHaveLength(1000);
    // ceil(1000 / 300) = 4 on average; a hash of the id lands a few more in its busiest second.
    expect(mostInAnyBucket(starts, 1000)).toBeLessThanOrEqual(12);
    expect(mostInAnyBucket(starts, MINUTE)).toBeLessThanOrEqual(230);
  });

  it('planned a minute at a time over an hour, starts every instance exactly once per period', () => {
    const schedules = ['rate(1 minute)', 'rate(5 minutes)', 'rate(7 minutes)', 'rate(15 minutes)', 'rate(1 hour)'];
    const entries = fleet(500, (index) => schedules[index % schedules.length]!);
    const starts = planMinuteByMinute(entries, MIDNIGHT, MIDNIGHT + HOUR);
    expect(starts).toEqual(planStarts(entries, MIDNIGHT, MIDNIGHT + HOUR));
    const byId = startsById(starts);
    expect(byId.size).toBe(500);
    for (const item of entries) {
      const period = Number(/\d+/.exec(item.source.schedule)![0]) * (item.source.schedule.includes('hour') ? 3600 : 60) * 1000;
      const times = byId.get(item.source.id)!;
      // The first start falls within the first period, the last within the last, each one period after the one before.
      expect(times[0]! - MIDNIGHT).toBeLessThan(period);
      expect(MIDNIGHT + HOUR - times.at(-1)!).toBeLessThanOrEqual(period);
      expect(times.slice(1).map((time, index) => time - times[index]!)).toEqual(new Array(times.length - 1).fill(period));
    }
  });
});

describe('planStarts for cron schedules', () => {
  // Each case: the minutes of the hour it fires at, each with the span its starts spread over.
  it.each([
    // Every 10 minutes: spread over the 600 s to the next firing.
    ['cron(0/10 * * * ? *)', { 0: 600, 10: 600, 20: 600, 30: 600, 40: 600, 50: 600 }],
    // Hourly at :55: spread over 900 s, so the 23:55 firing's late starts fall after midnight.
    ['cron(55 * * * ? *)', { 55: 900 }],
    // Irregular: :00 spreads over the 300 s to :05, :05 over 900 s.
    ['cron(0,5 * * * ? *)', { 0: 300, 5: 900 }],
  ])('%s: every instance starts once per firing, hash(id) mod min(gap, 900 s) after it', (schedule, spans: Record<number, number>) => {
    const entries = fleet(300, () => schedule);
    const starts = planMinuteByMinute(entries, MIDNIGHT - 2 * HOUR, MIDNIGHT + 2 * HOUR);
    const byId = startsById(starts);
    for (const item of entries) expect(byId.get(item.source.id)).toHaveLength(4 * Object.keys(spans).length);
    for (const start of starts) {
      const firings = Object.entries(spans).map(([minute, span]) => {
        const firing = Math.floor((start.startMs - Number(minute) * MINUTE) / HOUR) * HOUR + Number(minute) * MINUTE;
        return start.startMs - firing === (spreadHash(start.entry.source.id) % span) * 1000;
      });
      expect(firings.filter(Boolean)).toHaveLength(1);
    }
  });

  it('gives a weekday schedule the gap to its next firing as the period, a weekend longer on Friday', () => {
    const entries = [entry('dbss-audit', 'cron(0 9 ? * MON-FRI *)')];
    const friday = Date.parse('2026-12-11T09:00:00Z');
    const [start] = planStarts(entries, friday, friday + 15 * MINUTE);
    expect(start!.periodSeconds).toBe(3 * 86_400);
    expect(start!.startMs).toBe(friday + (spreadHash('dbss-audit') % 900) * 1000);
    const [thursday] = planStarts(entries, friday - 86_400_000, friday - 86_400_000 + 15 * MINUTE);
    expect(thursday!.periodSeconds).toBe(86_400);
  });

  it('refuses a schedule that does not parse, naming the entry', () => {
    expect(() => planStarts([entry('audit-1', 'rate(5 minute)')], MIDNIGHT, MIDNIGHT + MINUTE)).toThrow(
      'dispatch table entry "audit-1": schedule "rate(5 minute)": EventBridge wants the plural unit for 5: "rate(5 minutes)"',
    );
  });
});
