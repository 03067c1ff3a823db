import { nextFiring, parseSchedule } from '../shared/lib/schedule';
import { registry } from '../shared/providers/registry';
import { planStarts } from '../shared/runtime/dispatch-plan';
import { buildMessages } from '../shared/runtime/dispatch-send';
import type { DispatchEntry } from '../shared/runtime/invocation';
import { median } from './stats';

/**
 * The dispatcher's cost and its spread, for docs/scale.md: how long planning a
 * minute and building its messages takes for N instances (no network: SQS's
 * round trips are not the dispatcher's own cost), and the most runs starting
 * in any one second and minute of an hour, spread as the dispatcher does and
 * all at the schedule's own firing (":00"), as one EventBridge rule per
 * instance started them.
 */

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** A Monday, 00:00 UTC: every rate and the cron below fire at it. */
const FROM = Date.parse('2026-12-07T00:00:00Z');
/** Instances take the registered source types in turn. */
const TYPES = [...registry.keys()];
const QUEUES = Object.fromEntries(TYPES.map((type) => [type, `https://sqs.us-east-1.amazonaws.com/123456789012/cloudtap-${type}`]));

export const MIXED_SCHEDULES = ['rate(5 minutes)', 'rate(5 minutes)', 'rate(1 minute)', 'rate(15 minutes)', 'rate(1 hour)', 'cron(0/10 * * * ? *)', 'cron(0 * * * ? *)'];

export interface DispatchSpread {
  schedules: string;
  startsPerHour: number;
  spread: { perSecond: number; perMinute: number };
  unspread: { perSecond: number; perMinute: number };
}

export interface DispatchBench {
  instances: number;
  /** The first minute planned in a process: ids hashed and schedules parsed once. */
  firstPlanMs: number;
  /** Median of 60 minutes planned after that. */
  planMs: number;
  buildMs: number;
  /** Planning and building every minute of an hour, one after another. */
  hourLoopMs: number;
  spreads: DispatchSpread[];
}

export function benchDispatch(instances: number): DispatchBench {
  const mixed = fleet(instances, (index) => MIXED_SCHEDULES[index % MIXED_SCHEDULES.length]!);
  let started = performance.now();
  planStarts(mixed, FROM, FROM + MINUTE);
  const firstPlanMs = performance.now() - started;

  const plans: number[] = [];
  const builds: number[] = [];
  started = performance.now();
  for (let minute = FROM; minute < FROM + HOUR; minute += MINUTE) {
    const planStarted = performance.now();
    const starts = planStarts(mixed, minute, minute + MINUTE);
    const buildStarted = performance.now();
    buildMessages(starts, minute, QUEUES);
    builds.push(performance.now() - buildStarted);
    plans.push(buildStarted - planStarted);
  }
  const hourLoopMs = performance.now() - started;

  return {
    instances,
    firstPlanMs,
    planMs: median(plans),
    buildMs: median(builds),
    hourLoopMs,
    spreads: [
      spreadOf(fleet(instances, () => 'rate(5 minutes)'), 'rate(5 minutes)'),
      spreadOf(mixed, `mixed, in sevenths: ${[...new Set(MIXED_SCHEDULES)].map((text) => `${MIXED_SCHEDULES.filter((other) => other === text).length}× ${text}`).join(', ')}`),
    ],
  };
}

function spreadOf(entries: DispatchEntry[], schedules: string): DispatchSpread {
  const spread: number[] = [];
  for (let minute = FROM; minute < FROM + HOUR; minute += MINUTE) spread.push(...planStarts(entries, minute, minute + MINUTE).map((start) => start.startMs));
  const unspread = entries.flatMap((entry) => firingsIn(entry.source.schedule, FROM, FROM + HOUR));
  return { schedules, startsPerHour: spread.length, spread: peaks(spread), unspread: peaks(unspread) };
}

function firingsIn(text: string, from: number, to: number): number[] {
  const parsed = parseSchedule(text);
  if (!parsed.ok) throw new Error(parsed.error);
  const firings: number[] = [];
  for (let at = nextFiring(parsed.schedule, from - 1); at !== undefined && at < to; at = nextFiring(parsed.schedule, at)) firings.push(at);
  return firings;
}

function peaks(starts: number[]): { perSecond: number; perMinute: number } {
  const most = (bucketMs: number) => {
    const counts = new Map<number, number>();
    for (const start of starts) counts.set(Math.floor(start / bucketMs), (counts.get(Math.floor(start / bucketMs)) ?? 0) + 1);
    return Math.max(...counts.values());
  };
  return { perSecond: most(1000), perMinute: most(MINUTE) };
}

function fleet(count: number, schedule: (index: number) => string): DispatchEntry[] {
  return Array.from({ length: count }, (_, index) => ({
    source: {
      id: `audit-${String(index).padStart(4, '0')}`,
      type: TYPES[index % TYPES.length]!,
      schedule: schedule(index),
      lagSeconds: 600,
      start: { lookbackSeconds: 3600 },
      credentialSet: `set-${index % 50}`,
      credentialEnv: {},
      enabled: true,
      options: {},
    },
    secretName: `cloudtap/set-${index % 50}`,
  }));
}
