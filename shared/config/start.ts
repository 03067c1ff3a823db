import { formatDuration, parseDuration, parseInstant } from '../lib/duration';
import type { SourceInstanceConfig } from '../providers/definition';

/**
 * A source's `start`, where its first run begins: a lookback (`7d`, counted
 * back from that run) or an absolute ISO 8601 time. Strict: `Date.parse`
 * would read "12" as December 2001.
 */

export type StartPoint = SourceInstanceConfig['start'];

export function parseStart(text: string): StartPoint | undefined {
  const lookback = parseDuration(text);
  if (lookback !== undefined) return { lookbackSeconds: lookback };
  const at = parseInstant(text);
  return at === undefined ? undefined : { at };
}

const START_HINT = 'expected a lookback such as 7d or an ISO 8601 time such as 2026-01-01T00:00:00Z';

/** Why `text` is not a start. */
export function startProblem(text: string): string {
  // A date and time without a zone would mean whatever zone the machine running cloudtap is in.
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(text.trim())) return `${START_HINT}; a time needs its zone, e.g. ${text.trim()}Z or ${text.trim()}+08:00`;
  return START_HINT;
}

/**
 * Why a start reaches further back than the API serves, or undefined.
 * Otherwise the first run would begin at the retention edge and log the gap as
 * lost events. A start exactly at the edge (`start: 90d` for 90 days) is
 * accepted: it asks for all there is, and the run begins a few minutes inside.
 */
export function beyondRetention(start: StartPoint, text: string, type: string, retentionSeconds: number, nowMs: number): string | undefined {
  const kept = `what ${type} keeps (${formatDuration(retentionSeconds)})`;
  if ('lookbackSeconds' in start) return start.lookbackSeconds > retentionSeconds ? `${text} is beyond ${kept}` : undefined;
  const earliest = Math.floor(nowMs / 1000) - retentionSeconds;
  if (start.at >= earliest) return undefined;
  const edge = new Date(earliest * 1000).toISOString().replace('.000Z', 'Z');
  return `${text} is beyond ${kept}: nothing before ${edge} can be pulled; start only sets the first run, so a later time or a lookback such as ${formatDuration(retentionSeconds)} will do`;
}
