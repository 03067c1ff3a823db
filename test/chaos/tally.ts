import type { EpisodeReport } from './episode';

/** Episode reports of one API, added up. */
export interface ApiTally {
  api: string;
  episodes: number;
  invocations: number;
  failedRuns: number;
  served: number;
  delivered: number;
  lost: number;
  duplicated: number;
  unexplainedDuplicates: number;
  duplicatesByCause: Record<string, number>;
  largestRepeat: number;
  unexpected: number;
  idConflicts: number;
  notCaughtUp: number;
  faults: Record<string, number>;
}

export function tally(reports: readonly EpisodeReport[]): ApiTally[] {
  const byApi = new Map<string, ApiTally>();
  for (const report of reports) {
    const t = byApi.get(report.api) ?? emptyTally(report.api);
    t.episodes++;
    t.invocations += report.invocations;
    t.failedRuns += report.failedRuns;
    t.served += report.served;
    t.delivered += report.delivered;
    t.lost += report.lost;
    t.duplicated += report.duplicated;
    t.unexplainedDuplicates += report.unexplainedDuplicates;
    t.largestRepeat = Math.max(t.largestRepeat, report.largestRepeat);
    t.unexpected += report.unexpected;
    t.idConflicts += report.idConflicts;
    if (!report.caughtUp) t.notCaughtUp++;
    addInto(t.duplicatesByCause, report.duplicatesByCause);
    addInto(t.faults, report.faults);
    byApi.set(report.api, t);
  }
  return [...byApi.values()];
}

/** What must hold for every episode: nothing lost, nothing unexpected, every duplicate explained. */
export function violations(report: EpisodeReport): string[] {
  const found: string[] = [];
  if (!report.caughtUp) found.push('did not catch up');
  if (report.lost > 0) found.push(`lost ${report.lost}`);
  if (report.unexplainedDuplicates > 0) found.push(`${report.unexplainedDuplicates} duplicates not after a crash or failure between ack and checkpoint`);
  if (report.unexpected > 0) found.push(`${report.unexpected} documents the provider never served`);
  if (report.idConflicts > 0) found.push(`${report.idConflicts} records redelivered under another event.id`);
  return found;
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** One line per episode: enough to see what happened and to replay it. */
export function formatEpisode(report: EpisodeReport): string {
  const problems = violations(report);
  return [
    report.api.padEnd(18),
    `seed ${String(report.seed).padStart(10)}`,
    `runs ${String(report.invocations).padStart(3)} (${report.failedRuns} failed)`,
    `served ${String(report.served).padStart(5)}`,
    `delivered ${String(report.delivered).padStart(5)}`,
    `lost ${report.lost}`,
    `dup ${report.duplicated}${report.duplicated > 0 ? ` (${Object.entries(report.duplicatesByCause).map(([cause, n]) => `${cause} ${n}`).join(', ')})` : ''}`,
    `faults ${sum(report.faults)}`,
    `${(report.realMs / 1000).toFixed(1)}s`,
    problems.length > 0 ? `FAILED: ${problems.join('; ')}` : 'ok',
  ].join('  ');
}

/** The per-API table, then the faults injected by kind. */
export function formatTally(tallies: readonly ApiTally[]): string {
  const header = ['API', 'episodes', 'runs', 'failed runs', 'served', 'delivered', 'lost', 'duplicated', 'unexplained dup', 'largest repeat', 'faults'];
  const rows = tallies.map((t) => [
    t.api,
    t.episodes,
    t.invocations,
    t.failedRuns,
    t.served,
    t.delivered,
    t.lost,
    t.duplicated,
    t.unexplainedDuplicates,
    t.largestRepeat,
    sum(t.faults),
  ]);
  const lines = [table(header, rows), ''];
  const kinds = [...new Set(tallies.flatMap((t) => Object.keys(t.faults)))].sort();
  lines.push(table(['fault', ...tallies.map((t) => t.api)], kinds.map((kind) => [kind, ...tallies.map((t) => t.faults[kind] ?? 0)])));
  const causes = [...new Set(tallies.flatMap((t) => Object.keys(t.duplicatesByCause)))].sort();
  if (causes.length > 0) {
    lines.push('', 'duplicated copies, by what left them acknowledged but not checkpointed:');
    lines.push(table(['cause', ...tallies.map((t) => t.api)], causes.map((cause) => [cause, ...tallies.map((t) => t.duplicatesByCause[cause] ?? 0)])));
  }
  return lines.join('\n');
}

function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(cells[0]!), rule, ...cells.slice(1).map(line)].join('\n');
}

function emptyTally(api: string): ApiTally {
  return {
    api,
    episodes: 0,
    invocations: 0,
    failedRuns: 0,
    served: 0,
    delivered: 0,
    lost: 0,
    duplicated: 0,
    unexplainedDuplicates: 0,
    duplicatesByCause: {},
    largestRepeat: 0,
    unexpected: 0,
    idConflicts: 0,
    notCaughtUp: 0,
    faults: {},
  };
}

function addInto(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, count] of Object.entries(from)) into[key] = (into[key] ?? 0) + count;
}
