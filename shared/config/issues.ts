import * as z from 'zod';
import { closest } from './suggest';

/** One problem of a parse: where, and what is wrong. */
export interface Issue {
  path: readonly PropertyKey[];
  message: string;
}

export type Checked<T> = { success: true; data: T } | { success: false; issues: Issue[] };

/**
 * Parse with a zod schema, keeping every issue. Zod reports a strict object's
 * unknown keys once per object; here each key gets its own issue, at its own
 * path, with the nearest key that object allows (for a discriminated union,
 * the keys of the variant its `type` chose).
 */
export function check<T>(schema: z.ZodType<T>, data: unknown): Checked<T> {
  // The error map sees the object schema that refused the keys; the final issue no longer does.
  const allowedAt = new Map<string, readonly string[]>();
  const parsed = schema.safeParse(data, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') allowedAt.set(pathKey(issue.path ?? []), shapeKeys(issue.inst));
      return undefined;
    },
  });
  if (parsed.success) return { success: true, data: parsed.data };
  const issues = parsed.error.issues.flatMap((issue): Issue[] =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...issue.path, key], message: unknownKey(key, allowedAt.get(pathKey(issue.path)) ?? []) }))
      : [{ path: issue.path, message: issue.message }],
  );
  return { success: false, issues };
}

/** `prefix.path[0].key: message`, the form every configuration problem takes. */
export function formatIssue(issue: Issue, prefix = ''): string {
  const path = issue.path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)),
    prefix,
  );
  return `${path || '(top level)'}: ${issue.message}`;
}

export function unknownKey(key: string, allowed: readonly string[]): string {
  const near = closest(key, allowed);
  if (near) return `unknown key; did you mean "${near}"?`;
  return allowed.length > 0 ? `unknown key; expected one of ${allowed.join(', ')}` : 'unknown key';
}

/** Keys kept in a shape only to be refused with what replaced them: never offered as allowed. */
const refusedKeys = new WeakSet<object>();

/**
 * A key that no longer exists: any value is refused with `message` (what
 * replaced it), instead of a bare "unknown key".
 */
export function refusedKey(message: string) {
  const schema = z.custom<never>(() => false, { message }).optional();
  refusedKeys.add(schema);
  return schema;
}

const pathKey = (path: readonly PropertyKey[]): string => JSON.stringify(path.map(String));

function shapeKeys(schema: unknown): readonly string[] {
  const shape = (schema as { _zod?: { def?: { shape?: Record<string, object> } } } | undefined)?._zod?.def?.shape;
  return shape ? Object.keys(shape).filter((key) => !refusedKeys.has(shape[key]!)) : [];
}
