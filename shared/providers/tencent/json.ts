/**
 * JSON that keeps integers exact. Tencent returns ids such as CloudAudit's
 * `NextToken` (16106961641644206) as bare integers beyond 2^53, which
 * `JSON.parse` silently rounds; and it expects them back as bare integers.
 */

const INTEGER = /^-?(?:0|[1-9]\d*)$/;
// A JSON number token, per RFC 8259 (sticky: matched at a given index).
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
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
 * Rewrite every integer token outside strings that is not a safe integer with
 * `wrap(token)`. Everything else is copied as is, so JSON.parse still rejects
 * malformed text.
 */
function rewriteUnsafeIntegers(text: string, wrap: (token: string) => string): string {
  let out = '';
  let copied = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // Skip the string; a backslash escapes the next character (\" and \\).
      i++;
      while (i < text.length) {
        const s = text.charCodeAt(i);
        if (s === 0x5c /* \ */) i += 2;
        else if (s === 0x22) break;
        else i++;
      }
      i++;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = i;
      const match = NUMBER.exec(text);
      if (!match) {
        i++;
        continue;
      }
      const token = match[0];
      if (isUnsafeInteger(token)) {
        out += text.slice(copied, i) + wrap(token);
        copied = i + token.length;
      }
      i += token.length;
    } else {
      i++;
    }
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
