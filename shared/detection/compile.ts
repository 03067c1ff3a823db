import { parseDuration } from '../lib/duration';
import type { Log } from '../lib/logger';
import type { Condition, Leaf, Scalar } from './condition';
import { fieldPath, find, MISSING, show, type FieldPath, type Predicate } from './paths';
import { validateRules, type Rule } from './rule-schema';
import type { RuleInfo } from '../core/ports/detection';

/**
 * A condition compiled to closures: paths split, regexes built and value sets
 * filled once, so `test` walks the document without allocating. `explain`
 * repeats the walk for a document that matched and says which leaves did.
 */
export interface CompiledCondition {
  test(document: unknown): boolean;
  /** Same answer as `test`; when true, `reasons` holds one line per leaf that made it so. */
  explain(document: unknown, reasons: string[]): boolean;
  /** The condition in words, e.g. `event.action in ["StopLogging"]`. */
  readonly description: string;
}

const NUMERIC = /^\s*-?\d+(?:\.\d+)?\s*$/;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const quote = (value: Scalar) => JSON.stringify(value);

/** The document a leaf is testing, for `equalsField`; evaluation is synchronous and never re-enters. */
let documentUnderTest: unknown;

export function compileCondition(condition: Condition): CompiledCondition {
  if ('all' in condition) return combine(condition.all.map(compileCondition), true);
  if ('any' in condition) return combine(condition.any.map(compileCondition), false);
  if ('not' in condition) {
    const inner = compileCondition(condition.not);
    const description = `not ${inner.description}`;
    return {
      description,
      test: (document) => !inner.test(document),
      explain(document, reasons) {
        if (inner.test(document)) return false;
        reasons.push(description);
        return true;
      },
    };
  }
  return compileLeaf(condition);
}

function combine(children: CompiledCondition[], all: boolean): CompiledCondition {
  const description = children.length === 1 ? children[0]!.description : `(${children.map((c) => c.description).join(all ? ' and ' : ' or ')})`;
  return {
    description,
    test(document) {
      for (let i = 0; i < children.length; i++) if (children[i]!.test(document) !== all) return !all;
      return all;
    },
    explain(document, reasons) {
      const mark = reasons.length;
      for (const child of children) {
        if (child.explain(document, reasons) !== all) {
          if (all) reasons.length = mark;
          return !all;
        }
      }
      return all;
    },
  };
}

function compileLeaf(leaf: Leaf): CompiledCondition {
  const field = leaf.field;
  const segments = field.split('.');
  const { predicate, description, silent } = leafPredicate(leaf);
  if ('exists' in leaf && leaf.exists === false) {
    const exists = (value: unknown) => value !== null;
    return {
      description,
      test: (document) => find(document, segments, 0, exists) === MISSING,
      explain(document, reasons) {
        if (find(document, segments, 0, exists) !== MISSING) return false;
        reasons.push(description);
        return true;
      },
    };
  }
  return {
    description,
    test: (document) => {
      documentUnderTest = document;
      return find(document, segments, 0, predicate) !== MISSING;
    },
    explain(document, reasons) {
      documentUnderTest = document;
      const value = find(document, segments, 0, predicate);
      if (value === MISSING) return false;
      reasons.push(silent ? `${field} = ${show(field, value)}` : `${field} = ${show(field, value)} (${description.slice(field.length + 1)})`);
      return true;
    },
  };
}

/** The value test of a leaf; `silent` when the value shown says it all (equals, in). */
function leafPredicate(leaf: Leaf): { predicate: Predicate; description: string; silent?: boolean } {
  const field = leaf.field;
  const fold = leaf.ignoreCase === true;
  const caseNote = fold ? ' (any case)' : '';
  if ('equals' in leaf) {
    return { predicate: scalarSet([leaf.equals!], fold), description: `${field} = ${quote(leaf.equals!)}${caseNote}`, silent: true };
  }
  if (leaf.in !== undefined) {
    return { predicate: scalarSet(leaf.in, fold), description: `${field} in [${leaf.in.map(quote).join(', ')}]${caseNote}`, silent: true };
  }
  if (leaf.contains !== undefined) {
    const needle = leaf.contains;
    const pattern = new RegExp(escape(needle), 'i');
    return {
      predicate: fold ? (v) => typeof v === 'string' && pattern.test(v) : (v) => typeof v === 'string' && v.includes(needle),
      description: `${field} contains ${quote(needle)}${caseNote}`,
    };
  }
  if (leaf.startsWith !== undefined) {
    const prefix = leaf.startsWith;
    const pattern = new RegExp(`^${escape(prefix)}`, 'i');
    return {
      predicate: fold ? (v) => typeof v === 'string' && pattern.test(v) : (v) => typeof v === 'string' && v.startsWith(prefix),
      description: `${field} starts with ${quote(prefix)}${caseNote}`,
    };
  }
  if (leaf.regex !== undefined) {
    const pattern = new RegExp(leaf.regex, leaf.flags ?? '');
    return {
      predicate: (v) => (typeof v === 'string' ? pattern.test(v) : typeof v === 'number' && pattern.test(String(v))),
      description: `${field} matches ${pattern}`,
    };
  }
  if (leaf.exists !== undefined) {
    return { predicate: (v) => v !== null, description: leaf.exists ? `${field} is set` : `${field} is not set` };
  }
  if (leaf.equalsField !== undefined) {
    // Reads the other field of the document being tested (set by compileLeaf); one closure, reused.
    const other = leaf.equalsField.split('.');
    let current: unknown;
    const same: Predicate = (w) =>
      w === current || (w !== null && current !== null && typeof w !== 'object' && typeof current !== 'object' && String(w) === String(current));
    return {
      predicate: (v) => {
        current = v;
        return find(documentUnderTest, other, 0, same) !== MISSING;
      },
      description: `${field} = field ${leaf.equalsField}`,
    };
  }
  const { gt, gte, lt, lte } = leaf;
  const bounds = [gt !== undefined && `> ${gt}`, gte !== undefined && `>= ${gte}`, lt !== undefined && `< ${lt}`, lte !== undefined && `<= ${lte}`];
  return {
    predicate: (v) => {
      const n = typeof v === 'number' ? v : typeof v === 'string' && NUMERIC.test(v) ? Number(v) : NaN;
      if (Number.isNaN(n)) return false;
      return (gt === undefined || n > gt) && (gte === undefined || n >= gte) && (lt === undefined || n < lt) && (lte === undefined || n <= lte);
    },
    description: `${field} ${bounds.filter(Boolean).join(' and ')}`,
  };
}

/** Membership in a set of scalars; numbers and numeric strings compare by value ("0" = 0). */
function scalarSet(values: readonly Scalar[], fold: boolean): Predicate {
  const strings = new Set<string>();
  const numbers = new Set<number>();
  const others = new Set<Scalar>();
  for (const value of values) {
    if (typeof value === 'string') {
      strings.add(value);
      if (NUMERIC.test(value)) numbers.add(Number(value));
    } else if (typeof value === 'number') numbers.add(value);
    else others.add(value);
  }
  const folded = fold && strings.size > 0 ? new RegExp(`^(?:${[...strings].map(escape).join('|')})$`, 'i') : undefined;
  return (v) => {
    if (typeof v === 'string') return (folded ? folded.test(v) : strings.has(v)) || (numbers.size > 0 && NUMERIC.test(v) && numbers.has(Number(v)));
    if (typeof v === 'number') return numbers.has(v);
    return others.has(v as Scalar);
  };
}

/** A rule ready to evaluate: its condition compiled, its scoping and keys resolved. */
export interface CompiledRule {
  readonly rule: Rule;
  readonly info: RuleInfo;
  readonly condition: CompiledCondition;
  readonly sourceTypes?: ReadonlySet<string>;
  readonly datasets?: ReadonlySet<string>;
  readonly dedupBy: readonly FieldPath[];
  readonly dedupWindowSeconds: number;
  readonly threshold?: { readonly count: number; readonly windowSeconds: number; readonly by: readonly FieldPath[] };
}

/** The active rules of a pack, compiled once (per cold start); detectors built from it cost nothing. */
export interface CompiledRules {
  readonly kind: 'cloudtap.compiled-rules';
  readonly rules: readonly CompiledRule[];
}

export interface CompileOptions {
  /** Rule ids to leave out. */
  disabled?: readonly string[];
  /**
   * Only the rules that can match documents of these source types (those
   * naming one of them in `source_types`, and those naming none): a puller
   * serves one type and need not compile the others' rules at cold start.
   */
  sourceTypes?: readonly string[];
  log?: Log;
}

/**
 * Validate and compile rules (throws RuleError naming each rule and field),
 * dropping those disabled by `enabled: false` or listed in `disabled`.
 */
export function compileRules(inputs: readonly unknown[], options: CompileOptions = {}): CompiledRules {
  const rules = validateRules(inputs);
  const disabled = new Set(options.disabled ?? []);
  const known = new Set(rules.map((rule) => rule.id));
  const unknown = [...disabled].filter((id) => !known.has(id));
  // Config validation rejects unknown ids; here a stray one only means nothing to disable.
  if (unknown.length > 0) options.log?.warn('disabled rule ids match no rule', { ids: unknown });
  const served = options.sourceTypes && new Set(options.sourceTypes);
  const canMatch = (rule: Rule) => !served || !rule.source_types || rule.source_types.some((type) => served.has(type));
  const active = rules.filter((rule) => rule.enabled && !disabled.has(rule.id) && canMatch(rule));
  return { kind: 'cloudtap.compiled-rules', rules: active.map(compileRule) };
}

export function compileRule(rule: Rule): CompiledRule {
  const datasets = rule.dataset === undefined ? undefined : new Set(typeof rule.dataset === 'string' ? [rule.dataset] : rule.dataset);
  return {
    rule,
    info: {
      id: rule.id,
      name: rule.name,
      description: rule.description,
      severity: rule.severity,
      riskScore: rule.risk_score,
      tags: [...rule.tags],
    },
    condition: compileCondition(rule.when),
    sourceTypes: rule.source_types ? new Set(rule.source_types) : undefined,
    datasets,
    dedupBy: rule.dedup.by.map(fieldPath),
    dedupWindowSeconds: parseDuration(rule.dedup.window)!,
    threshold: rule.threshold && {
      count: rule.threshold.count,
      windowSeconds: parseDuration(rule.threshold.window)!,
      by: rule.threshold.by.map(fieldPath),
    },
  };
}
