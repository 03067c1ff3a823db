import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../lib/errors';
import { parseDuration } from '../lib/duration';
import type { Registry, SourceDefinition, SourceInstanceConfig } from '../providers/definition';
import {
  checkDeclaredSets,
  credentialEnvOf,
  isRecord,
  perInstanceSet,
  referencedSets,
  type CredentialSetConfig,
  type DeclaredSets,
} from './credential-sets';
import { checkDefaults, withDefaults, type TypeDefaults } from './defaults';
import { definitionProblems } from './definition-checks';
import { expandEntry, type Expansion } from './expand';
import { check, formatIssue } from './issues';
import { parseStart } from './start';
import { closest } from './suggest';

import {
  configSchema,
  sourceInstanceSchema,
  type AlertsConfig,
  type DeploymentConfig,
  type DestinationConfig,
  type LocalConfig,
  type MonitoringConfig,
  type RulesConfig,
  type SourceInstanceInput,
} from './schema';

export type { CredentialSetConfig } from './credential-sets';

export interface CloudtapConfig {
  /** Every instance, compact entries expanded. */
  sources: SourceInstanceConfig[];
  /** The sets declared under `credentials` (referenced or not), then the per-instance sets, in instance order. */
  credentialSets: CredentialSetConfig[];
  destination: DestinationConfig;
  local: LocalConfig;
  alerts: AlertsConfig;
  rules: RulesConfig;
  monitoring: MonitoringConfig;
  deployment: DeploymentConfig;
}

/**
 * Read and validate a YAML or JSON configuration file. `nowMs` is the time an
 * absolute `start` is checked against the provider's retention.
 */
export async function loadConfigFile(path: string, registry: Registry, nowMs = Date.now()): Promise<CloudtapConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [`cannot read the file: ${(error as Error).message}`]);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new ConfigError(path, [`not valid YAML or JSON: ${(error as Error).message}`]);
  }
  return parseConfig(data, registry, path, nowMs);
}

/**
 * Validate configuration data in one pass: the shape of every section, the
 * credential sets and per-type defaults, each source entry against its
 * definition (expanded into its instances), and duplicate ids, every problem
 * with its path, so one run of `cloudtap validate` lists everything.
 */
export function parseConfig(data: unknown, registry: Registry, where = 'configuration', nowMs = Date.now()): CloudtapConfig {
  if (data === null || data === undefined) throw new ConfigError(where, ['the configuration is empty; it needs at least a `sources` list']);
  const sections = check(configSchema, data);
  const file = isRecord(data) ? data : {};
  const entries = Array.isArray(file.sources) ? file.sources : [];

  const sectionProblems: string[] = [];
  const declared = checkDeclaredSets(file.credentials, registry, sectionProblems);
  const defaults = checkDefaults(file.defaults, registry, declared, sectionProblems, nowMs);

  const problems: string[] = [];
  const sources: SourceInstanceConfig[] = [];
  const ownSets: CredentialSetConfig[] = [];
  const firstIndexOf = new Map<string, number>();
  entries.forEach((entry, index) => {
    const checked = checkSource(entry, index, { registry, declared, defaults, nowMs });
    for (const { id, expanded } of checked.expansions) {
      const first = firstIndexOf.get(id);
      if (first === undefined) firstIndexOf.set(id, index);
      else problems.push(duplicateId(checked.at, id, expanded, first === index ? undefined : first));
    }
    problems.push(...checked.problems);
    sources.push(...checked.instances);
    ownSets.push(...checked.ownSets);
  });
  problems.push(...sectionProblems);
  if (!sections.success) problems.push(...sections.issues.map((issue) => formatIssue(issue)));
  if (problems.length > 0 || !sections.success) throw new ConfigError(where, problems);

  const { destination, local, alerts, rules, monitoring, deployment } = sections.data;
  const credentialSets = [...declared.sets.values(), ...ownSets];
  return { sources, credentialSets, destination, local, alerts, rules, monitoring, deployment };
}

function duplicateId(at: string, id: string, expanded: boolean, firstIndex: number | undefined): string {
  if (!expanded) return `${at}.id: duplicate source id "${id}"`;
  if (firstIndex === undefined) return `${at}.id: expanded id "${id}" comes out twice: a set or region is listed twice`;
  return `${at}.id: expanded id "${id}" is already a source id of sources[${firstIndex}]`;
}

interface SourceContext {
  registry: Registry;
  declared: DeclaredSets;
  defaults: TypeDefaults;
  nowMs: number;
}

interface CheckedSource {
  /** How problems name the entry: by position, and by id once it has one. */
  at: string;
  /** The ids it stands for, known even when the entry is refused, so duplicates are reported with the rest. */
  expansions: Expansion[];
  instances: SourceInstanceConfig[];
  /** The per-instance credential sets of its instances. */
  ownSets: CredentialSetConfig[];
  problems: string[];
}

/** One source entry: its shape (completed by its type's defaults), then what its definition asks of it, all reported together. */
function checkSource(entry: unknown, index: number, context: SourceContext): CheckedSource {
  const { registry, declared, defaults, nowMs } = context;
  const type = isRecord(entry) ? entry.type : undefined;
  const definition = typeof type === 'string' ? registry.get(type) : undefined;
  const data = isRecord(entry) && definition ? withDefaults(entry, defaults.get(definition.type)) : entry;
  const fields = isRecord(data) ? data : {};
  const shape = check(sourceInstanceSchema, data);
  // Shape errors name the entry by position alone, as zod paths do; what the definition refuses names its id too.
  const problems = shape.success ? [] : shape.issues.map((issue) => formatIssue(issue, `sources[${index}]`));
  const at = typeof fields.id === 'string' ? `sources[${index}] (${fields.id})` : `sources[${index}]`;
  const refused = (): CheckedSource => ({ at, expansions, instances: [], ownSets: [], problems });

  const idProblems: string[] = [];
  const expansions = typeof fields.id === 'string' ? expandEntry(fields.id, fields.credentials, fields.regions, at, idProblems) : [];
  if (typeof type !== 'string') return refused();
  if (!definition) {
    const near = closest(type, [...registry.keys()]);
    const hint = near ? `did you mean "${near}"? ` : '';
    problems.push(`${at}.type: unknown source type "${type}"; ${hint}known types: ${[...registry.keys()].join(', ')}`);
    return refused();
  }

  const { options } = definitionProblems(fields, definition, at, problems, nowMs);
  const sets = referencedSets(fields.credentials, definition, declared, at, problems);
  if (!sets) {
    for (const { id } of expansions) {
      if (declared.names.includes(id)) {
        problems.push(`${at}.id: "${id}" also names a set under credentials, and an instance with credentials of its own is a set named after it; rename one`);
      }
    }
  }
  problems.push(...idProblems);
  if (!shape.success || !options || problems.length > 0) return refused();

  const input = shape.data;
  const instances: SourceInstanceConfig[] = [];
  const ownSets: CredentialSetConfig[] = [];
  for (const expansion of expansions) {
    const set = sets?.find((candidate) => candidate.name === (expansion.setName ?? input.credentials));
    const credentialEnv = credentialEnvOf(definition, set ? set.env : isRecord(input.credentials) ? input.credentials.env : undefined);
    if (!set) ownSets.push(perInstanceSet(expansion.id, definition, credentialEnv, registry));
    instances.push(
      instanceOf(input, definition, options.data, { id: expansion.id, region: expansion.region ?? input.region, credentialSet: set?.name ?? expansion.id, credentialEnv }),
    );
  }
  return { at, expansions, instances, ownSets, problems };
}

/**
 * Fill a validated instance with its provider's defaults and check what its
 * definition asks of it; problems are appended to `problems`. One instance,
 * without the file's credential sets: one named by `credentials` is its set,
 * read from each field's default variable.
 */
export function resolveInstance<Options>(
  input: SourceInstanceInput,
  definition: SourceDefinition<Options>,
  at: string,
  problems: string[],
  nowMs = Date.now(),
): SourceInstanceConfig<Options> | undefined {
  const before = problems.length;
  const { options } = definitionProblems(input, definition, at, problems, nowMs);
  if (problems.length > before || options === undefined) return undefined;
  return instanceOf(input, definition, options.data, {
    id: input.id,
    region: input.region,
    credentialSet: typeof input.credentials === 'string' ? input.credentials : input.id,
    credentialEnv: credentialEnvOf(definition, isRecord(input.credentials) ? input.credentials.env : undefined),
  });
}

/** Where one instance of an entry runs and what it signs with: its own in the compact form, the entry's otherwise. */
interface Placement {
  id: string;
  region: string | undefined;
  credentialSet: string;
  credentialEnv: Record<string, string>;
}

function instanceOf<Options>(input: SourceInstanceInput, definition: SourceDefinition<Options>, options: Options, placement: Placement): SourceInstanceConfig<Options> {
  return {
    id: placement.id,
    type: input.type,
    region: placement.region,
    schedule: input.schedule ?? definition.defaults.schedule,
    lagSeconds: parseDuration(input.lag ?? definition.defaults.lag)!,
    start: parseStart(input.start ?? definition.defaults.start)!,
    endpoint: input.endpoint,
    credentialSet: placement.credentialSet,
    credentialEnv: placement.credentialEnv,
    enabled: input.enabled,
    options,
  };
}
