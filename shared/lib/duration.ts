/**
 * The one parser for every duration and time a person types: config `lag`
 * and `start`, rule windows, `--interval`, `--from` and `--to`. One grammar
 * and one message each, so `5m` means the same everywhere and a typo is
 * refused the same way everywhere.
 */

/** Seconds in a day: the unit of providers' retention and window limits. */
export const DAY_SECONDS = 86_400;

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: DAY_SECONDS };

/** What a duration looks like, for error messages. */
export const DURATION_HINT = 'a duration such as 30s, 10m, 6h or 7d';

/** What a time looks like where an absolute time or a lookback is accepted. */
export const TIME_HINT = 'an ISO 8601 time such as 2026-01-01T00:00:00Z, unix seconds, or a duration ago such as 7d';

/** Parse `30s`, `10m`, `6h`, `7d` into seconds; undefined if malformed. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNITS[match[2]!]!;
}

export function formatDuration(seconds: number): string {
  if (seconds % DAY_SECONDS === 0 && seconds > 0) return `${seconds / DAY_SECONDS}d`;
  if (seconds % 3600 === 0 && seconds > 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0 && seconds > 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

// A calendar date, optionally with a time that then must carry its zone: a time
// without one would mean whatever zone the machine running cloudtap is in.
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * Strict ISO 8601 (`2026-01-01`, `2026-01-01T08:00:00Z`, `2026-01-01T08:00+08:00`)
 * to epoch seconds; undefined for anything else. `Date.parse` is not used
 * because it accepts `"12"` as December 2001.
 */
export function parseInstant(text: string): number | undefined {
  const match = ISO_8601.exec(text.trim());
  if (!match) return undefined;
  const [, year, month, day, hour = '00', minute = '00', second = '00', , zone = 'Z'] = match;
  const fields = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  const utc = Date.UTC(fields[0], fields[1] - 1, fields[2], fields[3], fields[4], fields[5]);
  const back = new Date(utc);
  // Date.UTC rolls 2026-02-30 over into March; a date that does not round-trip does not exist.
  if (
    back.getUTCFullYear() !== fields[0] ||
    back.getUTCMonth() !== fields[1] - 1 ||
    back.getUTCDate() !== fields[2] ||
    back.getUTCHours() !== fields[3] ||
    back.getUTCMinutes() !== fields[4] ||
    back.getUTCSeconds() !== fields[5]
  ) {
    return undefined;
  }
  const offsetMinutes = zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  return Math.floor(utc / 1000) - offsetMinutes * 60;
}

/** A time typed on the command line: ISO 8601, unix seconds, or a duration before `nowSeconds` (`7d`). */
export function parseTimeArgument(text: string, nowSeconds: number): number | undefined {
  if (/^\d{9,11}$/.test(text.trim())) return Number(text.trim());
  const ago = parseDuration(text);
  if (ago !== undefined) return nowSeconds - ago;
  return parseInstant(text);
}
