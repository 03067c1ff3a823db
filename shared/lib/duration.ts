/** Seconds in a day: the unit of providers' retention and window limits. */
export const DAY_SECONDS = 86_400;

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: DAY_SECONDS };

/** Parse `30s`, `10m`, `6h`, `7d` into seconds; undefined if malformed. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)\s*([smhd])$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNITS[match[2]!]!;
}

export function formatDuration(seconds: number): string {
  if (seconds % 86_400 === 0 && seconds > 0) return `${seconds / 86_400}d`;
  if (seconds % 3600 === 0 && seconds > 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0 && seconds > 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
