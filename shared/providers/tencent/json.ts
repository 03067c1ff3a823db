/**
 * JSON that keeps integers exact. Tencent returns ids such as CloudAudit's
 * `NextToken` (16106961641644206) as bare integers beyond 2^53, which
 * `JSON.parse` silently rounds; and it expects them back as bare integers.
 */

const INTEGER = /^-?(?:0|[1-9]\d*)$/;
const MAX = BigInt(Number.MAX_SAFE_INTEGER);
const MIN = -MAX;

/** An integer sent as a bare JSON number with its exact digits, e.g. a NextToken. */
export class JsonInteger {
  readonly digits: string;
  constructor(value: string | number | bigint) {
    const digits = String(value);
    if (!INTEGER.test(digits) || (typeof value === 'number' && !Number.isSafeInteger(value))) {
      throw new TypeError(`not an exact integer: ${digits.slice(0, 40)}`);
    }
    this.digits = digits;
  }
  toString(): string {
    return this.digits;
  }
  /** Plain JSON.stringify (cursors, logs) keeps the digits as a string. */
  toJSON(): string {
    return this.digits;
  }
}

function isUnsafeInteger(token: string): boolean {
  if (!INTEGER.test(token)) return false;
  const value = BigInt(token);
  return value > MAX || value < MIN;
}

/**
 * Tokens for the scan, tried in order: (1) a run of string literals and
 * structural characters, (2) an integer of 16+ digits standing alone, (3) any
 * other number. Strings are consumed whole, so digits inside them are never
 * touched; long runs keep the number of matches (and callbacks) small, which
 * makes this several times faster than a character loop in JavaScript.
 */
const TOKENS = /(?:"[^"\\]*(?:\\.[^"\\]*)*"|[^"\d-]+)+|(-?\d{16,})(?![\d.eE])|[\d.eE+-]+/g;

/**
 * Rewrite every integer token outside strings that is not a safe integer with
 * `wrap(token)`. Everything else is copied as is, so JSON.parse still rejects
 * malformed text. Integers of 15 digits or fewer are always safe.
 */
function rewriteUnsafeIntegers(text: string, wrap: (token: string) => string): string {
  if (!/\d{16}/.test(text)) return text;
  // An exec loop that copies only around rewritten tokens: String#replace with
  // a callback would rebuild the whole text token by token, at 3x the cost.
  const tokens = new RegExp(TOKENS);
  let out = '';
  let copied = 0;
  for (let match = tokens.exec(text); match; match = tokens.exec(text)) {
    const integer = match[1];
    if (integer === undefined || !isUnsafeInteger(integer)) continue;
    out += text.slice(copied, match.index) + wrap(integer);
    copied = match.index + integer.length;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

export interface ParseJsonOptions {
  /** How to return integers beyond ±(2^53-1): decimal strings (default) or JsonInteger. */
  bigIntegers?: 'string' | 'JsonInteger';
}

/** JSON.parse, except integers that are not safe come back exact (see options). */
export function parseJson(text: string, options: ParseJsonOptions = {}): unknown {
  if (options.bigIntegers !== 'JsonInteger') {
    return JSON.parse(rewriteUnsafeIntegers(text, (token) => `"${token}"`));
  }
  // A per-call random marker cannot collide with a string that was in the text.
  const marker = `\u0000${Math.random().toString(36).slice(2)}:`;
  const escaped = JSON.stringify(marker).slice(1, -1);
  return JSON.parse(rewriteUnsafeIntegers(text, (token) => `"${escaped}${token}"`), (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith(marker) ? new JsonInteger(value.slice(marker.length)) : value,
  );
}

/**
 * JSON.stringify without whitespace, writing JsonInteger and bigint values as
 * bare integers. Undefined and function members are omitted, as JSON.stringify does.
 */
export function stringifyJson(value: unknown): string {
  const out = write(value);
  if (out === undefined) throw new TypeError('value is not serializable to JSON');
  return out;
}

function write(value: unknown): string | undefined {
  if (value instanceof JsonInteger) return value.digits;
  if (typeof value === 'bigint') return value.toString();
  if (value === null) return 'null';
  if (typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return write((value as { toJSON(): unknown }).toJSON());
  }
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((item) => write(item) ?? 'null').join(',')}]`;
      const members: string[] = [];
      for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
        const encoded = write(member);
        if (encoded !== undefined) members.push(`${JSON.stringify(key)}:${encoded}`);
      }
      return `{${members.join(',')}}`;
    }
    default:
      return undefined;
  }
}
