/** `cloudtap status`, pure: what each configured source instance's state says, and how to print it. */
import type { SourceInstanceConfig } from '../providers/definition';
import { RECENT_RUNS_WINDOW_MS, type RunSkip, type SourceState } from '../core/ports/cursor-store';

export interface StatusRow {
  sourceId: string;
  type: string;
  enabled: boolean;
  /** Epoch ms. */
  lastSuccessAt?: number;
  lastRunAt?: number;
  lastError?: string;
  /** Unix seconds: everything before it has been delivered. */
  windowStart?: number;
  openWindows: number;
  /** now − windowStart, seconds; undefined before the first run. */
  lagSeconds?: number;
  /** Records delivered by the runs that ended in the last 24 h; undefined when no run recorded a count. */
  eventsLastDay?: number;
  /** The last skipped run, when it came after the last run that happened (or no run did). */
  lastSkip?: RunSkip;
  /** Runs skipped, ever; with `lastSkip`. */
  skippedRuns?: number;
  health: 'ok' | 'failing' | 'never-run';
}

export function buildStatusReport(
  instances: readonly SourceInstanceConfig[],
  states: ReadonlyMap<string, SourceState | undefined>,
  nowMs: number,
): StatusRow[] {
  return instances.map((instance) => {
    const state = states.get(instance.id);
    const cursor = state?.cursor;
    const row: StatusRow = {
      sourceId: instance.id,
      type: instance.type,
      enabled: instance.enabled,
      openWindows: cursor?.windows?.filter((window) => !window.done).length ?? 0,
      health: !state || state.lastRunAt === undefined ? 'never-run' : state.lastError !== undefined ? 'failing' : 'ok',
    };
    if (state?.lastSuccessAt !== undefined) row.lastSuccessAt = state.lastSuccessAt;
    if (state?.lastRunAt !== undefined) row.lastRunAt = state.lastRunAt;
    if (state?.lastError !== undefined) row.lastError = state.lastError;
    const lastDay = state?.recentRuns?.filter((run) => run.at > nowMs - RECENT_RUNS_WINDOW_MS);
    if (state?.recentRuns && state.recentRuns.length > 0) row.eventsLastDay = (lastDay ?? []).reduce((sum, run) => sum + run.delivered, 0);
    // An older skip says nothing the last run does not: a run has happened since.
    if (state?.lastSkip && state.lastSkip.at > (state.lastRunAt ?? -Infinity)) {
      row.lastSkip = { ...state.lastSkip };
      row.skippedRuns = state.skippedRuns ?? 1;
    }
    if (cursor) {
      row.windowStart = cursor.windowStart;
      row.lagSeconds = Math.max(0, Math.floor(nowMs / 1000) - cursor.windowStart);
    }
    return row;
  });
}

/** 90 -> "1m 30s", 93784 -> "1d 2h 3m". */
export function humanDuration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const parts: [number, string][] = [
    [Math.floor(seconds / 86_400), 'd'],
    [Math.floor((seconds % 86_400) / 3600), 'h'],
    [Math.floor((seconds % 3600) / 60), 'm'],
  ];
  if (seconds < 3600) parts.push([seconds % 60, 's']);
  return parts.filter(([value]) => value > 0).slice(0, 3).map(([value, unit]) => `${value}${unit}`).join(' ');
}

function when(ms: number | undefined, nowMs: number): string {
  if (ms === undefined) return 'never';
  return `${new Date(ms).toISOString()} (${humanDuration(Math.max(0, Math.round((nowMs - ms) / 1000)))} ago)`;
}

function skipWhy(skip: RunSkip): string {
  return skip.reason === 'lease-held' ? `another run held the lease${skip.heldBy ? ` (${skip.heldBy})` : ''}` : 'its start came after its period had passed';
}

const MARK = { ok: '✓', failing: '✗', 'never-run': '·' } as const;

export function formatStatusReport(rows: readonly StatusRow[], nowMs: number, where: string): string {
  const lines = [`cloudtap status — ${where} — ${new Date(nowMs).toISOString()}`];
  for (const row of rows) {
    lines.push(`${MARK[row.health]} ${row.sourceId} (${row.type}${row.enabled ? '' : ', disabled'})`);
    lines.push(`    last success: ${when(row.lastSuccessAt, nowMs)}`);
    lines.push(`    last run:     ${when(row.lastRunAt, nowMs)}`);
    lines.push(
      row.windowStart === undefined
        ? '    cursor:       none yet (the first run starts from the configured start)'
        : `    cursor:       ${new Date(row.windowStart * 1000).toISOString()}, ${row.openWindows} open window(s)`,
    );
    lines.push(`    lag:          ${row.lagSeconds === undefined ? 'n/a' : `${row.lagSeconds} s (${humanDuration(row.lagSeconds)})`}`);
    lines.push(`    events (24h): ${row.eventsLastDay ?? 'n/a'}`);
    if (row.lastSkip !== undefined) lines.push(`    last skipped: ${when(row.lastSkip.at, nowMs)}, ${skipWhy(row.lastSkip)} (${row.skippedRuns} skipped in all)`);
    if (row.lastError !== undefined) lines.push(`    last error:   ${row.lastError}`);
  }
  return lines.join('\n');
}
