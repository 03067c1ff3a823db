import type { LocalRunResult } from '../shared/runtime/local';

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** What a person wants after a run: per source, what came in, what went out, where it stopped; then where the events are. */
export function formatSummary(results: LocalRunResult[], output: string): string {
  const lines: string[] = [];
  for (const result of results) {
    if (!result.ok) {
      lines.push(`✗ ${result.sourceId}: ${result.error.message}`);
      continue;
    }
    const s = result.summary;
    const open = s.cursor?.windows?.filter((window) => !window.done).length ?? 0;
    const position = s.cursor ? ` cursor at ${iso(s.cursor.windowStart)}${open > 0 ? ` (${open} window(s) to resume)` : ''}` : '';
    const stopped = { 'caught-up': 'caught up', 'time-budget': 'stopped for time, will resume', interrupted: 'interrupted, will resume', 'lease-held': 'skipped: another run holds the lease' }[s.stoppedBy];
    lines.push(
      `✓ ${s.sourceId}: ${s.pulled} pulled, ${s.delivered} delivered in ${s.pages} pages, ${(s.durationMs / 1000).toFixed(1)} s; ${stopped};${position}`,
    );
    if (s.mappingErrors > 0) lines.push(`  ! ${s.mappingErrors} records could not be mapped and were delivered raw (event.kind: pipeline_error)`);
    if (s.skippedSeconds > 0) lines.push(`  ! ${s.skippedSeconds} s fell outside the provider's retention and could not be pulled`);
  }
  const delivered = results.reduce((total, r) => total + (r.ok ? r.summary.delivered : 0), 0);
  lines.push(`${delivered} events written to ${output}`);
  return lines.join('\n');
}
