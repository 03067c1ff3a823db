import * as z from 'zod';
import type { CredentialField, Registry, SourceDefinition } from '../providers/definition';
import { check, formatIssue } from './issues';
import { NAME_PATTERN, NAME_RULE } from './schema';
import { closest } from './suggest';

/**
 * A credential set: one provider key, one secret (deployed) and one share of
 * the provider's rate limits, used by every instance that names it.
 */
export interface CredentialSetConfig {
  /** Its name under `credentials`, or, for a per-instance set, the instance id. */
  name: string;
  vendor: string;
  /** Credential field -> environment variable for local runs: as configured, else the field's default. */
  env: Record<string, string>;
  /** Every credential field name of the vendor: the keys its secret may hold. */
  fields: string[];
  /** An instance's own credentials (the old form, or none given): its secret stays the instance's own. */
  perInstance: boolean;
}

/** The file's `credentials` section, as checked: the valid sets, and every name declared (valid or not). */
export interface DeclaredSets {
  sets: ReadonlyMap<string, CredentialSetConfig>;
  /** Names declared, valid or not: a reference to a refused set is not also an unknown one. */
  names: readonly string[];
}

const setSchema = z.strictObject({
  vendor: z.string({ error: 'expected the vendor whose key the set holds: the first part of its source types, e.g. acme for acme-audit' }),
  /** Local runs: which environment variable holds each credential field. */
  env: z.record(z.string(), z.string({ error: 'expected the name of an environment variable' })).optional(),
});

/** Every credential field of a vendor, over all its APIs (the first definition's default variable for each). */
export function vendorFields(registry: Registry, vendor: string): CredentialField[] {
  const fields = new Map<string, CredentialField>();
  for (const definition of registry.values()) {
    if (definition.vendor !== vendor) continue;
    for (const field of definition.credentialFields) if (!fields.has(field.name)) fields.set(field.name, field);
  }
  return [...fields.values()];
}

const vendorsOf = (registry: Registry): string[] => [...new Set([...registry.values()].map((definition) => definition.vendor))];

/** Check the top-level `credentials` map; problems are appended to `problems`. */
export function checkDeclaredSets(raw: unknown, registry: Registry, problems: string[]): DeclaredSets {
  const sets = new Map<string, CredentialSetConfig>();
  if (raw === undefined) return { sets, names: [] };
  if (!isRecord(raw)) {
    problems.push('credentials: expected a map of credential set names, each { vendor, env }');
    return { sets, names: [] };
  }
  const vendors = vendorsOf(registry);
  for (const [name, value] of Object.entries(raw)) {
    const at = `credentials.${name}`;
    const before = problems.length;
    if (!NAME_PATTERN.test(name)) problems.push(`${at}: a set name takes ${NAME_RULE} (it names a secret and the instances it expands)`);
    const shape = check(setSchema, value);
    if (!shape.success) {
      problems.push(...shape.issues.map((issue) => formatIssue(issue, at)));
      continue;
    }
    const { vendor, env = {} } = shape.data;
    if (!vendors.includes(vendor)) {
      const near = closest(vendor, vendors);
      problems.push(`${at}.vendor: unknown vendor "${vendor}"; ${near ? `did you mean "${near}"? ` : ''}known vendors: ${vendors.join(', ')}`);
      continue;
    }
    const fields = vendorFields(registry, vendor);
    envKeyProblems(env, fields, `${vendor} credentials take`, `${at}.env`, problems);
    if (problems.length > before) continue;
    sets.set(name, {
      name,
      vendor,
      env: Object.fromEntries(fields.map((field) => [field.name, env[field.name] ?? field.env])),
      fields: fields.map((field) => field.name),
      perInstance: false,
    });
  }
  return { sets, names: Object.keys(raw) };
}

/** Each `env` key must be a credential field; a typo is named with the field meant. */
export function envKeyProblems(env: Record<string, unknown>, fields: readonly CredentialField[], takes: string, at: string, problems: string[]): void {
  const known = fields.map((field) => field.name);
  for (const name of Object.keys(env)) {
    if (known.includes(name)) continue;
    const near = closest(name, known);
    problems.push(`${at}.${name}: ${takes} ${known.join(', ')}${near ? `; did you mean "${near}"?` : ''}`);
  }
}

/**
 * The sets an instance's `credentials` names: one for a name, each for a list
 * (the entry expands over them); undefined when the instance has credentials
 * of its own (`{ env }`, or none). Unknown names and sets of another vendor
 * are problems; they return no set.
 */
export function referencedSets(
  reference: unknown,
  definition: SourceDefinition<any>,
  declared: DeclaredSets,
  at: string,
  problems: string[],
): CredentialSetConfig[] | undefined {
  if (typeof reference === 'string') return [...lookUp(reference, definition, declared, `${at}.credentials`, problems)];
  if (Array.isArray(reference)) {
    return reference.flatMap((name, index) => (typeof name === 'string' ? lookUp(name, definition, declared, `${at}.credentials[${index}]`, problems) : []));
  }
  return undefined;
}

function lookUp(name: string, definition: SourceDefinition<any>, declared: DeclaredSets, at: string, problems: string[]): CredentialSetConfig[] {
  const set = declared.sets.get(name);
  if (set) {
    if (set.vendor === definition.vendor) return [set];
    problems.push(`${at}: set "${name}" holds ${set.vendor} credentials; ${definition.type} needs ${definition.vendor} credentials`);
    return [];
  }
  if (declared.names.includes(name)) return []; // refused where it is declared; said there
  const near = closest(name, declared.names);
  const known = declared.names.length > 0 ? `declared sets: ${declared.names.join(', ')}` : 'no set is declared under credentials';
  problems.push(`${at}: unknown credential set "${name}"; ${near ? `did you mean "${near}"? ` : ''}${known}`);
  return [];
}

/** The set of an instance with credentials of its own: named after the instance, as its secret has been. */
export function perInstanceSet(id: string, definition: SourceDefinition<any>, env: Record<string, string>, registry: Registry): CredentialSetConfig {
  return { name: id, vendor: definition.vendor, env, fields: vendorFields(registry, definition.vendor).map((field) => field.name), perInstance: true };
}

/** Field -> variable for one instance: its definition's fields, from the set's `env` or the field's default. */
export function credentialEnvOf(definition: SourceDefinition<any>, env: Record<string, unknown> | undefined): Record<string, string> {
  return Object.fromEntries(
    definition.credentialFields.map((field) => {
      const variable = env?.[field.name];
      return [field.name, typeof variable === 'string' ? variable : field.env];
    }),
  );
}

export const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
