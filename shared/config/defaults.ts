import type { Registry } from '../providers/definition';
import { isRecord, referencedSets, type DeclaredSets } from './credential-sets';
import { definitionProblems } from './definition-checks';
import { check, formatIssue } from './issues';
import { typeDefaultsSchema } from './schema';
import { closest } from './suggest';

/** Per source type, the `defaults` fields that passed their checks: only those reach the instances. */
export type TypeDefaults = ReadonlyMap<string, Record<string, unknown>>;

/**
 * Check `defaults`: per source type, any instance field but id, type and
 * enabled. A refused field is reported once, here, and left out of what the
 * instances inherit, so it is not reported again for each of them.
 */
export function checkDefaults(raw: unknown, registry: Registry, declared: DeclaredSets, problems: string[], nowMs: number): TypeDefaults {
  const byType = new Map<string, Record<string, unknown>>();
  if (raw === undefined) return byType;
  if (!isRecord(raw)) {
    problems.push('defaults: expected a map of source types to instance fields, e.g. <type>: { schedule: rate(10 minutes) }');
    return byType;
  }
  const types = [...registry.keys()];
  for (const [type, value] of Object.entries(raw)) {
    const at = `defaults.${type}`;
    const definition = registry.get(type);
    if (!definition) {
      const near = closest(type, types);
      problems.push(`${at}: unknown source type "${type}"; ${near ? `did you mean "${near}"? ` : ''}known types: ${types.join(', ')}`);
      continue;
    }
    if (!isRecord(value)) {
      problems.push(`${at}: expected instance fields, e.g. { schedule: rate(10 minutes), credentials: <set> }`);
      continue;
    }
    const refused = new Set<string>();
    const shape = check(typeDefaultsSchema, value);
    if (!shape.success) {
      problems.push(...shape.issues.map((issue) => formatIssue(issue, at)));
      for (const issue of shape.issues) refused.add(String(issue.path[0]));
    }
    const judged = Object.fromEntries(Object.entries(value).filter(([key]) => !refused.has(key)));
    const { refusedOptions, refusedFields } = definitionProblems(judged, definition, at, problems, nowMs, true);
    if (refusedOptions.size > 0 && isRecord(judged.options)) {
      judged.options = Object.fromEntries(Object.entries(judged.options).filter(([key]) => !refusedOptions.has(key)));
    }
    for (const field of refusedFields) delete judged[field];
    const referenced = problems.length;
    referencedSets(judged.credentials, definition, declared, at, problems);
    if (problems.length > referenced) delete judged.credentials;
    byType.set(type, judged);
  }
  return byType;
}

/**
 * An entry completed by its type's defaults, shallowly: a field the entry sets
 * wins (`region` and `regions` count as one field), and `options` merge key by
 * key, the entry's keys winning.
 */
export function withDefaults(entry: Record<string, unknown>, defaults: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!defaults) return entry;
  const merged = { ...entry };
  const placed = entry.region !== undefined || entry.regions !== undefined;
  for (const [key, value] of Object.entries(defaults)) {
    if (key === 'options') merged.options = isRecord(entry.options) ? { ...(value as object), ...entry.options } : (entry.options ?? value);
    else if ((key === 'region' || key === 'regions') && placed) continue;
    else if (entry[key] === undefined) merged[key] = value;
  }
  return merged;
}
