import { progressOf } from '../shared/core/pipeline';
import type { Cursor } from '../shared/core/ports/cursor-store';
import type { Alert, Severity } from '../shared/core/ports/detection';
import type { LocalRunResult } from '../shared/runtime/local';

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** How a source's run ended, as `run` reports it: only `ok` is a success. */
export type SourceStatus = 'ok' | 'failed' | 'skipped' | 'interrupted';

export function statusOf(result: LocalRunResult): SourceStatus {
  if (!result.ok) return 'failed';
  if (result.summary.stoppedBy === 'lease-held') return 'skipped';
  return result.summary.stoppedBy === 'interrupted' ? 'interrupted' : 'ok';
}

const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

/** The alerts the console took during a run, by severity. */
export class AlertCount {
  readonly bySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };

  add = (alerts: readonly Alert[]): void => {
    for (const alert of alerts) this.bySeverity[alert.rule.severity]++;
  };

  get total(): number {
    return SEVERITIES.reduce((sum, severity) => sum + this.bySeverity[severity], 0);
  }

  /** `12 alerts (3 HIGH, 9 MEDIUM) written to FILE`; empty when there were none. */
  line(file: string): string {
    if (this.total === 0) return '';
    const parts = SEVERITIES.filter((severity) => this.bySeverity[severity] > 0).map((severity) => `${this.bySeverity[severity]} ${severity.toUpperCase()}`);
    return `${this.total} alert${this.total === 1 ? '' : 's'} (${parts.join(', ')}) written to ${file}`;
  }
}

/** The alert line of a summary: where the alerts went, and how to see them in full when they were only counted. */
export interface AlertsReported {
  count: AlertCount;
  file: string;
  /** They were printed in full as they were raised. */
  printed: boolean;
}

/** Past this many sources, `run` prints one table by source type rather than a line per source. */
export const PER_SOURCE_LINES_UP_TO = 20;

/**
 * What a person wants after a run: per source (or, for many, per source type),
 * what came in, what went out, where it stopped; then where the events and
 * alerts are.
 */
export function formatSummary(results: LocalRunResult[], output: string, alerts?: AlertsReported): string {
  const lines = results.length > PER_SOURCE_LINES_UP_TO ? summaryTable(results) : results.flatMap(sourceLines);
  const delivered = results.reduce((total, r) => total + (r.ok ? r.summary.delivered : 0), 0);
  lines.push(`${delivered} events written to ${output}`);
  const alertLine = alerts?.count.line(alerts.file);
  if (alertLine) lines.push(alerts!.printed ? alertLine : `${alertLine} (--alerts full prints each one)`);
  return lines.join('\n');
}

/** Sources not ok listed under the table, at most this many. */
const NOT_OK_LISTED = 20;

/** One row per source type and a total; then each source that failed or was skipped, since those need a look. */
function summaryTable(results: LocalRunResult[]): string[] {
  const columns = ['sources', 'ok', 'skipped', 'failed', 'interrupted', 'pulled', 'delivered', 'pages'] as const;
  type Row = Record<(typeof columns)[number], number>;
  const zero = (): Row => ({ sources: 0, ok: 0, skipped: 0, failed: 0, interrupted: 0, pulled: 0, delivered: 0, pages: 0 });
  const rows = new Map<string, Row>();
  const total = zero();
  for (const result of results) {
    const row = rows.get(result.sourceType) ?? zero();
    rows.set(result.sourceType, row);
    const report = sourceReport(result);
    for (const into of [row, total]) {
      into.sources++;
      into[report.status]++;
      into.pulled += report.pulled;
      into.delivered += report.delivered;
      into.pages += report.pages;
    }
  }
  const named = [...[...rows].sort(([a], [b]) => a.localeCompare(b)), ['total', total] as const];
  const width = Math.max(4, ...named.map(([type]) => type.length));
  const cell = (text: string, column: string) => text.padStart(Math.max(column.length, 7));
  const lines = [
    `${'type'.padEnd(width)}  ${columns.map((column) => cell(column, column)).join('  ')}`,
    ...named.map(([type, row]) => `${type.padEnd(width)}  ${columns.map((column) => cell(String(row[column]), column)).join('  ')}`),
  ];
  const notOk = results.filter((result) => statusOf(result) === 'failed' || statusOf(result) === 'skipped');
  lines.push(...notOk.slice(0, NOT_OK_LISTED).flatMap(sourceLines));
  if (notOk.length > NOT_OK_LISTED) lines.push(`… and ${notOk.length - NOT_OK_LISTED} more failed or skipped (run --json lists every source)`);
  return lines;
}

/** A source's line, and its warnings. */
function sourceLines(result: LocalRunResult): string[] {
  if (!result.ok) return [`✗ ${result.sourceId}: ${result.error.message}`];
  const s = result.summary;
  if (s.stoppedBy === 'lease-held') {
    const holder = s.heldBy ? ` (owner ${s.heldBy.owner}, until ${new Date(s.heldBy.until).toISOString()})` : '';
    return [`– ${s.sourceId}: skipped: another run holds the lease${holder}`];
  }
  const open = s.cursor?.windows?.filter((window) => !window.done).length ?? 0;
  const position = s.cursor ? ` cursor at ${iso(s.cursor.windowStart)}${open > 0 ? ` (${open} window(s) to resume)` : ''}` : '';
  const stopped = { 'caught-up': 'caught up', 'time-budget': 'stopped for time, will resume', interrupted: 'interrupted, the next run resumes' }[s.stoppedBy];
  const mark = s.stoppedBy === 'interrupted' ? '…' : '✓';
  const lines = [`${mark} ${s.sourceId}: ${s.pulled} pulled, ${s.delivered} delivered in ${s.pages} pages, ${(s.durationMs / 1000).toFixed(1)} s; ${stopped};${position}`];
  if (s.mappingErrors > 0) lines.push(`  ! ${s.mappingErrors} records could not be mapped and were delivered raw (event.kind: pipeline_error)`);
  if (s.skippedSeconds > 0) lines.push(`  ! ${s.skippedSeconds} s fell outside the provider's retention and could not be pulled`);
  return lines;
}

/** One source in `run --json`. */
export interface SourceReport {
  sourceId: string;
  status: SourceStatus;
  pulled: number;
  delivered: number;
  pages: number;
  durationMs: number;
  /** Where the cursor stands after the run; null when the run failed or was skipped (`cloudtap status` reads it). */
  cursor: { windowStart: number; at: string; openWindows: number } | null;
  error?: string;
  /** For `skipped`: the run holding the lease. */
  lease?: { owner: string; until: string };
}

/** `run --json`: the whole run as one document. */
export interface RunReport {
  sources: SourceReport[];
  totals: Record<SourceStatus, number> & { sources: number; pulled: number; delivered: number; pages: number };
  alerts: { total: number; bySeverity: Record<Severity, number>; file: string };
  /** Where the events went. */
  output: string;
  exitCode: number;
}

export function runReport(results: LocalRunResult[], context: { output: string; alerts: AlertCount; alertsFile: string; exitCode: number }): RunReport {
  const sources = results.map(sourceReport);
  const totals: RunReport['totals'] = { sources: sources.length, ok: 0, failed: 0, skipped: 0, interrupted: 0, pulled: 0, delivered: 0, pages: 0 };
  for (const source of sources) {
    totals[source.status]++;
    totals.pulled += source.pulled;
    totals.delivered += source.delivered;
    totals.pages += source.pages;
  }
  return {
    sources,
    totals,
    alerts: { total: context.alerts.total, bySeverity: { ...context.alerts.bySeverity }, file: context.alertsFile },
    output: context.output,
    exitCode: context.exitCode,
  };
}

function sourceReport(result: LocalRunResult): SourceReport {
  const status = statusOf(result);
  if (!result.ok) {
    // What the run delivered before it failed.
    const progress = progressOf(result.error);
    return {
      sourceId: result.sourceId,
      status,
      pulled: progress?.pulled ?? 0,
      delivered: progress?.delivered ?? 0,
      pages: progress?.pages ?? 0,
      durationMs: result.durationMs,
      cursor: null,
      error: result.error.message,
    };
  }
  const s = result.summary;
  const report: SourceReport = {
    sourceId: s.sourceId,
    status,
    pulled: s.pulled,
    delivered: s.delivered,
    pages: s.pages,
    durationMs: s.durationMs,
    cursor: s.cursor ? cursorReport(s.cursor) : null,
  };
  if (s.heldBy) report.lease = { owner: s.heldBy.owner, until: new Date(s.heldBy.until).toISOString() };
  return report;
}

function cursorReport(cursor: Cursor): NonNullable<SourceReport['cursor']> {
  return { windowStart: cursor.windowStart, at: iso(cursor.windowStart), openWindows: cursor.windows?.filter((window) => !window.done).length ?? 0 };
}
