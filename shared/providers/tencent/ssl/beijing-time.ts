/**
 * The SSL API speaks "YYYY-MM-DD HH:mm:ss" in Beijing time (UTC+8), in
 * StartTime/EndTime and in every record's CreatedOn. China has observed no
 * daylight saving time since 1991, so the offset is a constant and the
 * conversion is exact arithmetic, independent of the host's time zone.
 */

export const BEIJING_OFFSET_SECONDS = 8 * 3600;

const PATTERN = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** Unix seconds of a Beijing-time text; throws on anything else, including impossible dates (2024-02-30). */
export function parseBeijingTime(value: unknown): number {
  const match = typeof value === 'string' ? PATTERN.exec(value) : null;
  if (!match) throw new Error(`time ${JSON.stringify(value)} is not "YYYY-MM-DD HH:mm:ss"`);
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const utcMs = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls over out-of-range parts (Feb 30 -> Mar 1); a round trip catches them.
  if (formatWallClock(utcMs / 1000) !== value) throw new Error(`time ${JSON.stringify(value)} is not a valid date and time`);
  return utcMs / 1000 - BEIJING_OFFSET_SECONDS;
}

/** Unix seconds -> "YYYY-MM-DD HH:mm:ss" in Beijing time. */
export function formatBeijingTime(seconds: number): string {
  if (!Number.isSafeInteger(seconds)) throw new Error(`time ${seconds} is not whole unix seconds`);
  return formatWallClock(seconds + BEIJING_OFFSET_SECONDS);
}

/** The UTC wall clock of `seconds`, in the API's layout. */
function formatWallClock(seconds: number): string {
  const iso = new Date(seconds * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}
