import { sha256Hex } from '../lib/hashing';
import { nextFiring, parseSchedule, type Schedule } from '../lib/schedule';
import type { DispatchEntry } from './invocation';

/**
 * Which instances start when, minute by minute: the dispatcher's plan. Pure,
 * so the spread can be proven by tests and measured by the benchmark.
 *
 * Instances on one schedule would all start in the same second; each instead
 * starts at a fixed offset into its period, taken from a hash of its id, so
 * starts spread evenly and every dispatcher (every minute, every deployment)
 * computes the same offsets without storing any:
 * - `rate(P)`: at `offset + k·P` seconds since the epoch, `offset = hash(id) mod P`;
 * - `cron(...)`: at each firing F plus `hash(id) mod min(gap to the next firing, 900 s)`,
 *   900 s being the longest delay SQS gives a message.
 */

/** SQS's longest DelaySeconds: a cron start is spread over at most this much. */
export const MAX_CRON_SPREAD_SECONDS = 900;

/** One run to start. */
export interface PlannedStart {
  entry: DispatchEntry;
  /** Epoch ms, a whole second. */
  startMs: number;
  /** Seconds until the instance's next start: its rate, or the gap to the cron's next firing. */
  periodSeconds: number;
}

const hashes = new Map<string, number>();

/** A stable, evenly spread number for an id: the first 32 bits of its SHA-256 (kept per process: the table's ids are few). */
export function spreadHash(id: string): number {
  let hash = hashes.get(id);
  if (hash === undefined) {
    hash = Number.parseInt(sha256Hex(id).slice(0, 8), 16);
    hashes.set(id, hash);
  }
  return hash;
}

/** Every start in [fromMs, toMs), ordered by time then id; each instance's starts are those of its schedule alone. */
export function planStarts(entries: readonly DispatchEntry[], fromMs: number, toMs: number): PlannedStart[] {
  const starts: PlannedStart[] = [];
  for (const group of groupBySchedule(entries).values()) {
    const schedule = entrySchedule(group[0]!);
    if (schedule.kind === 'rate') for (const entry of group) starts.push(...rateStarts(entry, schedule.seconds, fromMs, toMs));
    else starts.push(...cronStarts(group, schedule, fromMs, toMs));
  }
  return starts.sort((a, b) => a.startMs - b.startMs || (a.entry.source.id < b.entry.source.id ? -1 : 1));
}

/**
 * The seconds between runs around `atMs`: a rate's period, or the gap between
 * the cron's next two firings (a day when it has fewer left).
 */
export function periodSecondsAt(schedule: Schedule, atMs: number): number {
  if (schedule.kind === 'rate') return schedule.seconds;
  const first = nextFiring(schedule, atMs);
  const second = first === undefined ? undefined : nextFiring(schedule, first);
  return first === undefined || second === undefined ? 86_400 : (second - first) / 1000;
}

function rateStarts(entry: DispatchEntry, periodSeconds: number, fromMs: number, toMs: number): PlannedStart[] {
  const offset = spreadHash(entry.source.id) % periodSeconds;
  const from = fromMs / 1000;
  const starts: PlannedStart[] = [];
  // The first k with offset + k·P >= from.
  for (let second = offset + Math.max(0, Math.ceil((from - offset) / periodSeconds)) * periodSeconds; second * 1000 < toMs; second += periodSeconds) {
    starts.push({ entry, startMs: second * 1000, periodSeconds });
  }
  return starts;
}

function cronStarts(group: readonly DispatchEntry[], schedule: Schedule, fromMs: number, toMs: number): PlannedStart[] {
  const starts: PlannedStart[] = [];
  // A firing up to 900 s before the window can still start an instance inside it.
  for (let firing = nextFiring(schedule, fromMs - MAX_CRON_SPREAD_SECONDS * 1000); firing !== undefined && firing < toMs; ) {
    const next = nextFiring(schedule, firing);
    const gapSeconds = next === undefined ? undefined : (next - firing) / 1000;
    const span = Math.min(gapSeconds ?? MAX_CRON_SPREAD_SECONDS, MAX_CRON_SPREAD_SECONDS);
    for (const entry of group) {
      const startMs = firing + (spreadHash(entry.source.id) % span) * 1000;
      if (startMs >= fromMs && startMs < toMs) starts.push({ entry, startMs, periodSeconds: gapSeconds ?? MAX_CRON_SPREAD_SECONDS });
    }
    firing = next;
  }
  return starts;
}

function groupBySchedule(entries: readonly DispatchEntry[]): Map<string, DispatchEntry[]> {
  const groups = new Map<string, DispatchEntry[]>();
  for (const entry of entries) {
    const group = groups.get(entry.source.schedule);
    if (group) group.push(entry);
    else groups.set(entry.source.schedule, [entry]);
  }
  return groups;
}

const parsed = new Map<string, Schedule>();

/** The entry's schedule, parsed once per process; a schedule that does not parse names the entry. */
export function entrySchedule(entry: DispatchEntry): Schedule {
  const text = entry.source.schedule;
  const hit = parsed.get(text);
  if (hit) return hit;
  const result = parseSchedule(text);
  if (!result.ok) throw new Error(`dispatch table entry "${entry.source.id}": schedule "${text}": ${result.error}`);
  parsed.set(text, result.schedule);
  return result.schedule;
}
