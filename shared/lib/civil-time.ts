/**
 * Calendar arithmetic in UTC without a Date per call: mapping converts every
 * record's time, and a Date round trip there was a fifth of the mapping's CPU
 * (docs/benchmarks.md, "Normalize"). Days from and to civil dates follow
 * Howard Hinnant's proleptic Gregorian algorithms ("chrono-Compatible
 * Low-Level Date Algorithms"); test/lib/civil-time.test.ts checks them against
 * Date over random times.
 */

const DAY_SECONDS = 86_400;

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The date of a day count since 1970-01-01. */
function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day: dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1 };
}

const isLeap = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Unix seconds of a UTC wall-clock time, or undefined when it is no real time
 * (month 13, Feb 30, hour 24, second 60): nothing rolls over.
 */
export function unixSecondsOfCivil(year: number, month: number, day: number, hour: number, minute: number, second: number): number | undefined {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  if (day > (month === 2 && isLeap(year) ? 29 : MONTH_DAYS[month - 1]!)) return undefined;
  return daysFromCivil(year, month, day) * DAY_SECONDS + hour * 3600 + minute * 60 + second;
}

const pad2 = (value: number) => (value < 10 ? `0${value}` : `${value}`);

/** "YYYY-MM-DD" and "HH:mm:ss" of whole unix seconds in UTC, for years 0-9999. */
function civilParts(seconds: number): [date: string, time: string] {
  const days = Math.floor(seconds / DAY_SECONDS);
  const secondOfDay = seconds - days * DAY_SECONDS;
  const { year, month, day } = civilFromDays(days);
  const hour = Math.floor(secondOfDay / 3600);
  const minute = Math.floor((secondOfDay % 3600) / 60);
  return [`${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`, `${pad2(hour)}:${pad2(minute)}:${pad2(secondOfDay % 60)}`];
}

/** Years Date#toISOString writes as four digits. */
const FOUR_DIGIT_YEARS = { from: -62_167_219_200, to: 253_402_300_800 };

/** Unix seconds (fractions kept to the millisecond) as Date#toISOString writes them: "2026-11-21T06:40:52.000Z". */
export function isoFromSeconds(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const whole = Math.floor(ms / 1000);
  if (!(whole >= FOUR_DIGIT_YEARS.from && whole < FOUR_DIGIT_YEARS.to)) return new Date(ms).toISOString();
  const [date, time] = civilParts(whole);
  return `${date}T${time}.${String(ms - whole * 1000).padStart(3, '0')}Z`;
}

/** Whole unix seconds as "YYYY-MM-DD HH:mm:ss" in UTC (years 0-9999). */
export function wallClockOfSeconds(seconds: number): string {
  const [date, time] = civilParts(seconds);
  return `${date} ${time}`;
}
