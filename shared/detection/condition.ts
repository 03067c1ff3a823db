/**
 * The condition tree of a rule: leaves test one ECS field (dotted path;
 * arrays match when any element does), `all`/`any`/`not` combine them.
 * Validation walks the tree itself so every problem names its exact path
 * (`when.all[1].regex`), which a schema union cannot do.
 */

export type Scalar = string | number | boolean | null;

export interface Leaf {
  field: string;
  equals?: Scalar;
  in?: Scalar[];
  contains?: string;
  startsWith?: string;
  regex?: string;
  /** Regex flags, any of `imsu`. */
  flags?: string;
  exists?: boolean;
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  /** True when the field holds a value equal to one of another field's (e.g. target user = caller). */
  equalsField?: string;
  /** For equals/in/contains/startsWith on strings. */
  ignoreCase?: boolean;
}

export type Condition = Leaf | { all: Condition[] } | { any: Condition[] } | { not: Condition };

export interface ConditionIssue {
  path: (string | number)[];
  message: string;
}

const OPERATORS = ['equals', 'in', 'contains', 'startsWith', 'regex', 'exists', 'equalsField'] as const;
const RANGE = ['gt', 'gte', 'lt', 'lte'] as const;
const OPTIONS = ['flags', 'ignoreCase'] as const;
const LEAF_KEYS = new Set<string>(['field', ...OPERATORS, ...RANGE, ...OPTIONS]);
const COMBINATORS = ['all', 'any', 'not'] as const;
const MAX_DEPTH = 32;

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const isScalar = (value: unknown): value is Scalar =>
  value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));

/** A dotted path of non-empty segments: `user.name`, `cloudtap.acme.request_parameters.TargetId`. */
export function isFieldPath(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.split('.').every((segment) => segment.length > 0 && segment.trim() === segment);
}

/** `['when', 'all', 1, 'regex']` -> `when.all[1].regex`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out || '(rule)';
}

/** Every problem in `value` as a condition, with paths relative to it. */
export function checkCondition(value: unknown, path: (string | number)[] = [], depth = 0): ConditionIssue[] {
  const issues: ConditionIssue[] = [];
  const issue = (at: (string | number)[], message: string) => issues.push({ path: at, message });
  if (!isObject(value)) {
    issue(path, 'expected a condition: { field, <operator> } or { all: [...] }, { any: [...] }, { not: ... }');
    return issues;
  }
  if (depth > MAX_DEPTH) {
    issue(path, `conditions nest deeper than ${MAX_DEPTH} levels`);
    return issues;
  }
  const keys = Object.keys(value);
  const combinators = COMBINATORS.filter((key) => key in value);
  if (combinators.length > 0) {
    if (keys.length !== 1) {
      issue(path, `a combinator stands alone: found ${keys.map((k) => `"${k}"`).join(', ')}; wrap them in { all: [...] }`);
      return issues;
    }
    const key = combinators[0]!;
    const inner = value[key];
    if (key === 'not') return checkCondition(inner, [...path, 'not'], depth + 1);
    if (!Array.isArray(inner) || inner.length === 0) {
      issue([...path, key], 'expected a non-empty list of conditions');
      return issues;
    }
    inner.forEach((child, index) => issues.push(...checkCondition(child, [...path, key, index], depth + 1)));
    return issues;
  }

  for (const key of keys) {
    if (!LEAF_KEYS.has(key)) issue([...path, key], `unknown key "${key}"; a leaf is { field, ${[...OPERATORS, ...RANGE].join(' | ')} }`);
  }
  if (!isFieldPath(value.field)) issue([...path, 'field'], 'expected a dotted field path such as "event.action"');
  const operators = OPERATORS.filter((key) => key in value);
  const ranges = RANGE.filter((key) => key in value);
  const count = operators.length + (ranges.length > 0 ? 1 : 0);
  if (count !== 1) {
    const found = [...operators, ...ranges];
    const expected = 'expected one operator: equals, in, contains, startsWith, regex, exists, equalsField or gt/gte/lt/lte';
    issue(path, count === 0 ? expected : `expected one operator, found ${found.join(', ')}`);
    return issues;
  }
  const at = (key: string) => [...path, key];
  if ('equals' in value && !isScalar(value.equals)) issue(at('equals'), 'expected a string, number, boolean or null');
  if ('in' in value && (!Array.isArray(value.in) || value.in.length === 0 || !value.in.every(isScalar))) {
    issue(at('in'), 'expected a non-empty list of strings, numbers, booleans or null');
  }
  for (const key of ['contains', 'startsWith'] as const) {
    if (key in value && (typeof value[key] !== 'string' || value[key] === '')) issue(at(key), 'expected a non-empty string');
  }
  if ('exists' in value && typeof value.exists !== 'boolean') issue(at('exists'), 'expected true or false');
  if ('equalsField' in value && !isFieldPath(value.equalsField)) issue(at('equalsField'), 'expected a dotted field path');
  for (const key of ranges) if (typeof value[key] !== 'number' || !Number.isFinite(value[key])) issue(at(key), 'expected a number');
  if ('flags' in value) {
    const flags = value.flags;
    if (!('regex' in value)) issue(at('flags'), 'flags apply to regex only (use ignoreCase for the other operators)');
    else if (typeof flags !== 'string' || !/^[imsu]*$/.test(flags) || new Set(flags).size !== flags.length) {
      issue(at('flags'), 'expected regex flags among "i", "m", "s", "u", each at most once');
    }
  }
  if ('regex' in value) {
    if (typeof value.regex !== 'string' || value.regex === '') issue(at('regex'), 'expected a non-empty regular expression');
    else {
      try {
        new RegExp(value.regex, typeof value.flags === 'string' && /^[imsu]*$/.test(value.flags) ? value.flags : '');
      } catch (error) {
        const reason = (error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '');
        issue(at('regex'), `invalid regular expression /${value.regex}/: ${reason}`);
      }
    }
  }
  if ('ignoreCase' in value) {
    if (typeof value.ignoreCase !== 'boolean') issue(at('ignoreCase'), 'expected true or false');
    else if (!operators.some((key) => key === 'equals' || key === 'in' || key === 'contains' || key === 'startsWith')) {
      issue(at('ignoreCase'), 'ignoreCase applies to equals, in, contains and startsWith (use flags: "i" with regex)');
    }
  }
  return issues;
}
