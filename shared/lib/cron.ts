/**
 * When an EventBridge `cron(...)` schedule fires: whole minutes, UTC. Takes
 * the fields `parseSchedule` accepted (shared/lib/schedule.ts) and evaluates
 * every wildcard the EventBridge User Guide lists ("Cron expressions
 * reference"): `,` `-` `*` `/` `?`, and `L`, `W`, `#` in the day fields.
 *
 * Where that page is silent, the evaluator follows the Quartz scheduler whose
 * syntax EventBridge's is: `L` alone in day-of-week is its last day (7, SAT);
 * `nL` there is the month's last such weekday; `nW` is the weekday nearest day
 * n without leaving the month; `LW` the month's last weekday; a range whose
 * ends are reversed (`22-2`, `FRI-MON`) wraps round the field; `a/n` runs from
 * a to the field's end.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** EventBridge's last year; no firing is looked for beyond it. */
const LAST_YEAR = 2199;

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** A day test: (year, month 1-12, day 1-31) -> matches. */
type DayTest = (year: number, month: number, day: number) => boolean;

interface CompiledCron {
  minutes: boolean[];
  hours: boolean[];
  months: boolean[];
  years: boolean[];
  day: DayTest;
}

const compiled = new Map<string, CompiledCron>();

/**
 * The first firing strictly after `afterMs` (epoch ms), or undefined when the
 * schedule never fires again (its years are past, or it names a day no month
 * has, such as 30 FEB). `fields` are the six fields of a schedule that
 * `parseSchedule` accepted; anything else throws.
 */
export function nextCronFiring(fields: readonly string[], afterMs: number): number | undefined {
  const cron = compile(fields);
  // The first whole minute after afterMs.
  let minute = Math.floor(afterMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  while (true) {
    const date = new Date(minute);
    const year = date.getUTCFullYear();
    if (year > LAST_YEAR) return undefined;
    if (!cron.years[year - 1970]) {
      minute = Date.UTC(year + 1, 0, 1);
      continue;
    }
    const month = date.getUTCMonth() + 1;
    if (!cron.months[month]) {
      minute = Date.UTC(year, month, 1);
      continue;
    }
    const day = date.getUTCDate();
    const dayStart = Date.UTC(year, month - 1, day);
    if (cron.day(year, month, day)) {
      const firing = firstTimeInDay(cron, minute - dayStart);
      if (firing !== undefined) return dayStart + firing;
    }
    minute = dayStart + DAY_MS;
  }
}

/** The first matching time of day at or after `fromMs` into the day, in ms into the day. */
function firstTimeInDay(cron: CompiledCron, fromMs: number): number | undefined {
  const fromMinute = fromMs / MINUTE_MS;
  for (let hour = Math.floor(fromMinute / 60); hour < 24; hour++) {
    if (!cron.hours[hour]) continue;
    const first = hour === Math.floor(fromMinute / 60) ? fromMinute % 60 : 0;
    for (let minute = first; minute < 60; minute++) {
      if (cron.minutes[minute]) return (hour * 60 + minute) * MINUTE_MS;
    }
  }
  return undefined;
}

function compile(fields: readonly string[]): CompiledCron {
  const key = fields.join(' ');
  const hit = compiled.get(key);
  if (hit) return hit;
  if (fields.length !== 6) throw new Error(`cron(${key}): expected 6 fields, got ${fields.length}`);
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields as [string, string, string, string, string, string];
  const cron: CompiledCron = {
    minutes: valueSet(minutes, 0, 59),
    hours: valueSet(hours, 0, 23),
    months: valueSet(month, 1, 12, MONTHS),
    years: valueSet(year, 1970, LAST_YEAR).slice(1970),
    day: dayOfMonth !== '?' ? dayOfMonthTest(dayOfMonth) : dayOfWeekTest(dayOfWeek),
  };
  compiled.set(key, cron);
  return cron;
}

/** `values[v]` is true for each v the field matches (index = the value itself). */
function valueSet(field: string, min: number, max: number, names?: readonly string[]): boolean[] {
  const values = new Array<boolean>(max + 1).fill(false);
  for (const item of field.split(',')) {
    for (const value of itemValues(item, min, max, names)) values[value] = true;
  }
  return values;
}

function itemValues(item: string, min: number, max: number, names?: readonly string[]): number[] {
  const [base, stepText] = item.split('/') as [string, string | undefined];
  const step = stepText === undefined ? 1 : Number(stepText);
  let from: number;
  let to: number;
  if (base === '*') [from, to] = [min, max];
  else if (base.includes('-')) {
    const [a, b] = base.split('-') as [string, string];
    [from, to] = [valueOf(a, min, names), valueOf(b, min, names)];
  } else {
    from = valueOf(base, min, names);
    to = stepText === undefined ? from : max;
  }
  const span = to >= from ? to - from : to - from + (max - min + 1);
  const values: number[] = [];
  for (let offset = 0; offset <= span; offset += step) {
    const value = from + offset;
    values.push(value > max ? value - (max - min + 1) : value);
  }
  return values;
}

function valueOf(text: string, min: number, names?: readonly string[]): number {
  if (/^\d+$/.test(text)) return Number(text);
  const index = names?.indexOf(text.toUpperCase()) ?? -1;
  if (index < 0) throw new Error(`cron value "${text}" is not a number${names ? ` or one of ${names.join(',')}` : ''}`);
  return min + index;
}

const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();
/** 1 (SUN) to 7 (SAT), as EventBridge numbers the days of the week. */
const weekdayOf = (year: number, month: number, day: number): number => new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;

function dayOfMonthTest(field: string): DayTest {
  const tests = field.split(',').map((item): DayTest => {
    if (item === 'L') return (year, month, day) => day === daysInMonth(year, month);
    if (item === 'LW') return (year, month, day) => day === lastWeekday(year, month);
    if (item.endsWith('W')) {
      const wanted = Number(item.slice(0, -1));
      return (year, month, day) => day === nearestWeekday(year, month, wanted);
    }
    const days = new Set(itemValues(item, 1, 31));
    return (_year, _month, day) => days.has(day);
  });
  return (year, month, day) => tests.some((test) => test(year, month, day));
}

function dayOfWeekTest(field: string): DayTest {
  const hash = /^([^#]+)#([1-5])$/.exec(field);
  if (hash) {
    const weekday = valueOf(hash[1]!, 1, WEEKDAYS);
    const nth = Number(hash[2]);
    return (year, month, day) => weekdayOf(year, month, day) === weekday && Math.ceil(day / 7) === nth;
  }
  const tests = field.split(',').map((item): DayTest => {
    if (item === 'L') return (year, month, day) => weekdayOf(year, month, day) === 7;
    if (item.endsWith('L')) {
      const weekday = valueOf(item.slice(0, -1), 1, WEEKDAYS);
      return (year, month, day) => weekdayOf(year, month, day) === weekday && day + 7 > daysInMonth(year, month);
    }
    const weekdays = new Set(itemValues(item, 1, 7, WEEKDAYS));
    return (year, month, day) => weekdays.has(weekdayOf(year, month, day));
  });
  return (year, month, day) => tests.some((test) => test(year, month, day));
}

function lastWeekday(year: number, month: number): number {
  let day = daysInMonth(year, month);
  while (isWeekend(weekdayOf(year, month, day))) day--;
  return day;
}

/** The weekday nearest day `wanted`, never crossing into another month; -1 (no day) when the month has no such day, as for a plain `31`. */
function nearestWeekday(year: number, month: number, wanted: number): number {
  const last = daysInMonth(year, month);
  if (wanted > last) return -1;
  const day = wanted;
  const weekday = weekdayOf(year, month, day);
  if (weekday === 7) return day === 1 ? 3 : day - 1; // Saturday: the Friday before, or Monday the 3rd
  if (weekday === 1) return day === last ? day - 2 : day + 1; // Sunday: the Monday after, or the Friday before at the month's end
  return day;
}

const isWeekend = (weekday: number): boolean => weekday === 1 || weekday === 7;
