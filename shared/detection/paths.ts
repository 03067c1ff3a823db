/**
 * Reading dotted ECS paths out of documents without allocating: a path is
 * split once at compile time, and a lookup walks it, fanning out over arrays
 * at any level (an array matches when any element does).
 */

export const MISSING: unique symbol = Symbol('missing');
export type Found = unknown | typeof MISSING;
export type Predicate = (value: unknown) => boolean;

export interface FieldPath {
  readonly path: string;
  readonly segments: readonly string[];
}

export const fieldPath = (path: string): FieldPath => ({ path, segments: path.split('.') });

/** The first value at `segments[i..]` under `node` that satisfies `predicate`, or MISSING. */
export function find(node: unknown, segments: readonly string[], i: number, predicate: Predicate): Found {
  for (;;) {
    if (Array.isArray(node)) {
      for (let k = 0; k < node.length; k++) {
        const found = find(node[k], segments, i, predicate);
        if (found !== MISSING) return found;
      }
      return MISSING;
    }
    if (i === segments.length) return node !== undefined && predicate(node) ? node : MISSING;
    if (node === null || typeof node !== 'object') return MISSING;
    node = (node as Record<string, unknown>)[segments[i]!];
    if (node === undefined) return MISSING;
    i++;
  }
}

/** Every scalar value at the path (for dedup and threshold keys; allocates, so only once a rule matched). */
export function valuesAt(document: unknown, field: FieldPath): string[] {
  const out: string[] = [];
  find(document, field.segments, 0, (value) => {
    if (value !== null && typeof value !== 'object') out.push(String(value));
    return false;
  });
  return out;
}

/** Field names whose values never go into messages: provider request parameters can carry session tokens. */
const SECRET_FIELD = /token|secret|password|passwd|signature|credential|private.?key|authorization/i;

/** A value for a person to read: quoted, cut short, and redacted where the field may hold a credential. */
export function show(field: string, value: unknown): string {
  if (SECRET_FIELD.test(field.slice(field.lastIndexOf('.') + 1))) return '[redacted]';
  // An object may nest anything (request parameters): name its kind, never its content.
  const text = typeof value === 'string' ? JSON.stringify(value) : value !== null && typeof value === 'object' ? '{...}' : String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
