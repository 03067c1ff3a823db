/**
 * EventBridge schedule expressions, checked by EventBridge's own rules so a
 * mistake fails `cloudtap validate` rather than `cdk deploy`. The rules are
 * those of the Amazon EventBridge User Guide pages "Rate expressions
 * reference" and "Cron expressions reference" (scheduled rules). What those
 * pages leave open (the order of a range's ends, a step wider than its field,
 * the case of JAN or MON) is accepted: refusing it could refuse a schedule
 * EventBridge takes, while accepting it at worst leaves the verdict to deploy.
 */

import { nextCronFiring } from './cron';

/** What a schedule looks like, for error messages. */
export const SCHEDULE_HINT = 'an EventBridge schedule such as "rate(1 hour)", "rate(5 minutes)" or "cron(0/10 * * * ? *)"';

export type Schedule = { kind: 'rate'; seconds: number } | { kind: 'cron'; fields: readonly string[] };

export type ScheduleResult = { ok: true; schedule: Schedule } | { ok: false; error: string };

/** Check an expression; the error says which part is wrong and, where one is obvious, the fix. */
export function parseSchedule(text: string): ScheduleResult {
  if (text.startsWith('rate(') && text.endsWith(')')) return parseRate(text.slice(5, -1));
  if (text.startsWith('cron(') && text.endsWith(')')) return parseCron(text.slice(5, -1));
  return { ok: false, error: `expected ${SCHEDULE_HINT}` };
}

/** Seconds between runs of a `rate(...)` schedule; undefined for cron or an invalid expression. */
export function rateSeconds(text: string): number | undefined {
  const parsed = parseSchedule(text);
  return parsed.ok && parsed.schedule.kind === 'rate' ? parsed.schedule.seconds : undefined;
}

const UNIT_SECONDS: Record<string, number> = { minute: 60, hour: 3600, day: 86_400 };

/** `rate(value unit)`: a positive whole value; the unit singular for 1 and plural otherwise. */
function parseRate(body: string): ScheduleResult {
  const parts = body.split(' ');
  if (parts.length !== 2) return { ok: false, error: 'expected rate(value unit) with one space, e.g. "rate(5 minutes)"' };
  const [value, unit] = parts as [string, string];
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    return { ok: false, error: `the rate's value must be a whole number of at least 1, not "${value}"` };
  }
  const singular = unit.endsWith('s') ? unit.slice(0, -1) : unit;
  const seconds = UNIT_SECONDS[singular];
  if (seconds === undefined) return { ok: false, error: `the rate's unit must be minute(s), hour(s) or day(s), not "${unit}"` };
  const count = Number(value);
  const wanted = count === 1 ? singular : `${singular}s`;
  if (unit !== wanted) {
    return { ok: false, error: `EventBridge wants the ${count === 1 ? 'singular' : 'plural'} unit for ${count}: "rate(${count} ${wanted})"` };
  }
  return { ok: true, schedule: { kind: 'rate', seconds: count * seconds } };
}

interface CronField {
  name: string;
  min: number;
  max: number;
  /** Names for the values from `min` on (JAN-DEC, SUN-SAT). */
  names?: readonly string[];
  /** The wildcards the reference lists for the field. */
  wildcards: string;
}

const FIELDS: readonly CronField[] = [
  { name: 'minutes', min: 0, max: 59, wildcards: ', - * /' },
  { name: 'hours', min: 0, max: 23, wildcards: ', - * /' },
  { name: 'day-of-month', min: 1, max: 31, wildcards: ', - * ? / L W' },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'], wildcards: ', - * /' },
  { name: 'day-of-week', min: 1, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'], wildcards: ', - * ? L #' },
  { name: 'year', min: 1970, max: 2199, wildcards: ', - * /' },
];

const [, , DAY_OF_MONTH, , DAY_OF_WEEK] = FIELDS as [CronField, CronField, CronField, CronField, CronField, CronField];

/** `cron(minutes hours day-of-month month day-of-week year)`. */
function parseCron(body: string): ScheduleResult {
  const fields = body.trim().split(/\s+/).filter((field) => field !== '');
  if (fields.length !== FIELDS.length) {
    return {
      ok: false,
      error: `a cron expression has 6 fields (${FIELDS.map((field) => field.name).join(' ')}); this one has ${fields.length}`,
    };
  }
  const errors = FIELDS.flatMap((field, index) => {
    const error = checkField(fields[index]!, field);
    return error ? [`cron ${field.name} field "${fields[index]}": ${error}`] : [];
  });
  if (errors.length > 0) return { ok: false, error: errors.join('; ') };

  // "You can't specify the Day-of-month and Day-of-week fields in the same cron expression."
  const [dayOfMonth, dayOfWeek] = [fields[2]!, fields[4]!];
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    const both = dayOfMonth === '?' ? 'are both "?"; set one of them' : `are both set (day-of-month "${dayOfMonth}", day-of-week "${dayOfWeek}"); EventBridge needs "?" in one of them`;
    const fix = dayOfMonth === '?' ? undefined : dayOfWeek === '*' ? 4 : dayOfMonth === '*' ? 2 : undefined;
    const example = fix === undefined ? '' : `, e.g. "cron(${fields.map((field, index) => (index === fix ? '?' : field)).join(' ')})"`;
    return { ok: false, error: `cron day-of-month and day-of-week ${both}${example}` };
  }
  return { ok: true, schedule: { kind: 'cron', fields } };
}

/** What is wrong with one field, or undefined. */
function checkField(text: string, field: CronField): string | undefined {
  const stray = [...new Set(text.replace(/[A-Za-z0-9]/g, ''))].find((char) => !field.wildcards.split(' ').includes(char));
  if (stray) return `"${stray}" is not allowed here (${field.name} takes ${field.wildcards})`;
  if (text === '?') return undefined;
  if (text.includes('#')) {
    // "If you use the '#' character, you can define only one expression in the day-of-week field."
    const match = /^([^#,]+)#([1-5])$/.exec(text);
    if (!match) return 'expected one day#n expression such as 3#2 (the second Tuesday), n from 1 to 5, and nothing else';
    return valueError(match[1]!, field);
  }
  for (const item of text.split(',')) {
    const error = itemError(item, field);
    if (error) return error;
  }
  return undefined;
}

function itemError(item: string, field: CronField): string | undefined {
  if (item === '') return 'an empty entry in a list';
  if (item === '?') return '"?" stands alone, not in a list';
  if (item === '*') return undefined;
  if (field === DAY_OF_MONTH && /^(L|LW|\d+W)$/.test(item)) return item.endsWith('W') && item !== 'LW' ? valueError(item.slice(0, -1), field) : undefined;
  if (field === DAY_OF_WEEK && /^[^-/]*L$/.test(item)) return item === 'L' ? undefined : valueError(item.slice(0, -1), field);
  const [base, step, ...extra] = item.split('/');
  if (extra.length > 0) return `"${item}" has more than one "/"`;
  if (step !== undefined && !/^[1-9]\d*$/.test(step)) return `the increment after "/" must be a whole number of at least 1, not "${step}"`;
  if (base === '*') return undefined;
  const ends = base!.split('-');
  if (ends.length > 2) return `"${base}" is not a range such as 1-5`;
  for (const end of ends) {
    const error = valueError(end, field);
    if (error) return error;
  }
  return undefined;
}

function valueError(text: string, field: CronField): string | undefined {
  const range = `${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names.at(-1)}` : ''}`;
  if (/^\d+$/.test(text)) return Number(text) >= field.min && Number(text) <= field.max ? undefined : `${text} is outside ${range}`;
  if (field.names?.includes(text.toUpperCase())) return undefined;
  return `"${text}" is not a value of ${field.name} (${range})`;
}

/**
 * The schedule's first firing strictly after `afterMs` (epoch ms), or
 * undefined when a cron schedule never fires again. A rate fires at the
 * multiples of its period counted from the epoch: EventBridge starts a rate
 * rule's count when the rule is created, but cloudtap's dispatcher keeps its
 * own clock so every deployment spreads the same way.
 */
export function nextFiring(schedule: Schedule, afterMs: number): number | undefined {
  if (schedule.kind === 'cron') return nextCronFiring(schedule.fields, afterMs);
  const periodMs = schedule.seconds * 1000;
  return (Math.floor(afterMs / periodMs) + 1) * periodMs;
}
