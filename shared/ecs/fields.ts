import { isIP } from 'node:net';
import { isoFromSeconds } from '../lib/civil-time';

/** Helpers shared by every provider mapping. All pure. */

/** Parse a JSON string nested inside a record; non-strings pass through, bad JSON stays a string. */
export function decodeNested(value: unknown): { value: unknown; ok: boolean } {
  if (typeof value !== 'string' || value === '') return { value, ok: true };
  try {
    return { value: JSON.parse(value), ok: true };
  } catch {
    return { value, ok: false };
  }
}

/** A usable IP address, or undefined: ECS `ip` fields reject anything else at index time. */
export function ipOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && isIP(value.trim()) ? value.trim() : undefined;
}

/** A non-empty trimmed string, or undefined (providers use "", "--" and null for "none"). */
export function text(value: unknown): string | undefined {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' || trimmed === '--' ? undefined : trimmed;
}

/** Distinct defined values, or undefined when none (ECS arrays should not be empty). */
export function distinct<T>(...values: (T | undefined)[]): T[] | undefined {
  const set = [...new Set(values.filter((value): value is T => value !== undefined))];
  return set.length > 0 ? set : undefined;
}

/**
 * 1e12 as seconds is the year 33658; as milliseconds, September 2001. An epoch
 * value from here on is milliseconds, whatever the API documents.
 */
const EPOCH_MILLISECONDS_FROM = 1e12;

/**
 * Whole unix seconds from an epoch time given as a number or a string of digits,
 * in seconds or, from 1e12 on, milliseconds (fractions of a second dropped).
 * Undefined for anything else. The APIs document seconds; a value in
 * milliseconds read as seconds would date an event 50,000 years ahead, where no
 * window ever reaches it, so it would never be delivered.
 */
export function epochSeconds(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^\d{1,16}$/.test(value.trim()) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number <= 0) return undefined;
  return number >= EPOCH_MILLISECONDS_FROM ? Math.floor(number / 1000) : number;
}

/** Unix seconds -> ISO 8601 UTC; throws on anything that is not a plausible time. */
export function isoFromUnixSeconds(seconds: unknown): string {
  const value = typeof seconds === 'string' && /^\d+$/.test(seconds) ? Number(seconds) : seconds;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`event time ${JSON.stringify(seconds)} is not unix seconds`);
  }
  return isoFromSeconds(value);
}

/** Drop undefined members so documents stay compact and round-trip through JSON unchanged. */
export function compact<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) {
    const member = value[key];
    if (member === undefined) delete value[key];
    else if (member !== null && typeof member === 'object' && !Array.isArray(member)) {
      compact(member as object);
      if (Object.keys(member as object).length === 0) delete value[key];
    }
  }
  return value;
}

/** ECS `event.type` from an API action's verb; the fallback covers verbs not listed. */
export function eventTypeFromAction(action: string, fallback: 'access' | 'change' | 'info'): string {
  if (/^(Create|Add|Attach|Put|Generate|Issue|Apply|Upload|Import|Allocate|Run|Register|Bind|Associate)/.test(action)) {
    return 'creation';
  }
  if (/^(Delete|Remove|Detach|Destroy|Terminate|Revoke|Release|Deregister|Unbind|Disassociate|Cancel)/.test(action)) {
    return 'deletion';
  }
  if (/^(Describe|Get|List|Query|LookUp|Lookup|Search|Check|Inquir|Download|Export|View)/.test(action)) return 'access';
  if (/^(Modify|Update|Set|Stop|Start|Enable|Disable|Reset|Change|Replace|Restart|Reboot|Renew|Upgrade)/.test(action)) {
    return 'change';
  }
  return fallback;
}
