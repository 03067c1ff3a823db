import { unixSecondsOfCivil, wallClockOfSeconds } from '../../../lib/civil-time';

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
  const wallClock = unixSecondsOfCivil(Number(match[1]), Number(match[2]), Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6]));
  if (wallClock === undefined) throw new Error(`time ${JSON.stringify(value)} is not a valid date and time`);
  return wallClock - BEIJING_OFFSET_SECONDS;
}

/** Unix seconds -> "YYYY-MM-DD HH:mm:ss" in Beijing time. */
export function formatBeijingTime(seconds: number): string {
  if (!Number.isSafeInteger(seconds)) throw new Error(`time ${seconds} is not whole unix seconds`);
  return wallClockOfSeconds(seconds + BEIJING_OFFSET_SECONDS);
}
