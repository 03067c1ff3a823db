import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../lib/errors';
import { parseDuration } from '../lib/duration';
import type { Registry, SourceDefinition, SourceInstanceConfig } from '../providers/definition';
import { check, formatIssue } from './issues';
import { beyondRetention, parseStart } from './start';
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

export interface CloudtapConfig {
  sources: SourceInstanceConfig[];
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
 * Validate configuration data in one pass: the shape of every section, each
 * source entry against its definition, and duplicate ids, every problem with
 * its path, so one run of `cloudtap validate` lists everything.
 */
export function parseConfig(data: unknown, registry: Registry, where = 'configuration', nowMs = Date.now()): CloudtapConfig {
  if (data === null || data === undefined) throw new ConfigError(where, ['the configuration is empty; it needs at least a `sources` list']);
  const sections = check(configSchema, data);
  const entries = Array.isArray((data as { sources?: unknown }).sources) ? ((data as { sources: unknown[] }).sources) : [];

  const problems: string[] = [];
  const sources: SourceInstanceConfig[] = [];
  const firstIndexOf = new Map<string, number>();
  entries.forEach((entry, index) => {
    const id = (entry as { id?: unknown } | null)?.id;
    const at = typeof id === 'string' ? `sources[${index}] (${id})` : `sources[${index}]`;
    const checked = checkSource(entry, index, at, registry, nowMs);
    if (typeof id === 'string') {
      if (firstIndexOf.has(id)) checked.problems.unshift(`${at}.id: duplicate source id "${id}"`);
      else firstIndexOf.set(id, index);
    }
    problems.push(...checked.problems);
    if (checked.instance) sources.push(checked.instance);
  });
  if (!sections.success) problems.push(...sections.issues.map((issue) => formatIssue(issue)));
  if (problems.length > 0 || !sections.success) throw new ConfigError(where, problems);

  const { destination, local, alerts, rules, monitoring, deployment } = sections.data;
  return { sources, destination, local, alerts, rules, monitoring, deployment };
}

/** One source entry: its shape, then what its definition asks of it, all reported together. */
function checkSource(
  entry: unknown,
  index: number,
  at: string,
  registry: Registry,
  nowMs: number,
): { instance?: SourceInstanceConfig; problems: string[] } {
  const shape = check(sourceInstanceSchema, entry);
  // Shape errors name the entry by position alone, as zod paths do; what the definition refuses names its id too.
  const problems = shape.success ? [] : shape.issues.map((issue) => formatIssue(issue, `sources[${index}]`));
  const fields = (entry !== null && typeof entry === 'object' ? entry : {}) as Record<string, unknown>;
  if (typeof fields.type !== 'string') return { problems };

  const definition = registry.get(fields.type);
  if (!definition) {
    const near = closest(fields.type, [...registry.keys()]);
    const hint = near ? `did you mean "${near}"? ` : '';
    problems.push(`${at}.type: unknown source type "${fields.type}"; ${hint}known types: ${[...registry.keys()].join(', ')}`);
    return { problems };
  }
  if (shape.success) return { instance: resolveInstance(shape.data, definition, at, problems, nowMs), problems };
  definitionProblems(fields, definition, at, problems, nowMs);
  return { problems };
}

/**
 * Fill a validated instance with its provider's defaults and check what its
 * definition asks of it; problems are appended to `problems`.
 */
export function resolveInstance<Options>(
  input: SourceInstanceInput,
  definition: SourceDefinition<Options>,
  at: string,
  problems: string[],
  nowMs = Date.now(),
): SourceInstanceConfig<Options> | undefined {
  const before = problems.length;
  const options = definitionProblems(input, definition, at, problems, nowMs);
  if (problems.length > before || options === undefined) return undefined;
  return {
    id: input.id,
    type: input.type,
    region: input.region,
    schedule: input.schedule ?? definition.defaults.schedule,
    lagSeconds: parseDuration(input.lag ?? definition.defaults.lag)!,
    start: parseStart(input.start ?? definition.defaults.start)!,
    endpoint: input.endpoint,
    credentialSet: input.id,
    credentialEnv: Object.fromEntries(
      definition.credentialFields.map((field) => [field.name, input.credentials?.env?.[field.name] ?? field.env]),
    ),
    enabled: input.enabled,
    options: options.data,
  };
}

/**
 * What a definition asks of an entry: a region where required, valid options,
 * known credential fields, a start within retention. Works on an entry whose
 * shape is wrong elsewhere too, checking only fields of the right type (the
 * shape check reports the rest), so both kinds of mistake come out at once.
 * Returns the parsed options when they are valid.
 */
function definitionProblems<Options>(
  fields: Record<string, unknown>,
  definition: SourceDefinition<Options>,
  at: string,
  problems: string[],
  nowMs: number,
): { data: Options } | undefined {
  if (definition.requiresRegion && fields.region === undefined) problems.push(`${at}.region: required for ${definition.type}`);

  let options: { data: Options } | undefined;
  const rawOptions = fields.options ?? {};
  if (isRecord(rawOptions)) {
    const parsed = check(definition.optionsSchema, rawOptions);
    if (parsed.success) options = { data: parsed.data };
    else problems.push(...parsed.issues.map((issue) => formatIssue(issue, `${at}.options`)));
  }

  const env = isRecord(fields.credentials) ? fields.credentials.env : undefined;
  if (isRecord(env)) {
    const known = definition.credentialFields.map((field) => field.name);
    for (const name of Object.keys(env)) {
      if (known.includes(name)) continue;
      const near = closest(name, known);
      problems.push(`${at}.credentials.env.${name}: ${definition.type} takes ${known.join(', ')}${near ? `; did you mean "${near}"?` : ''}`);
    }
  }

  if (typeof fields.start === 'string') {
    const start = parseStart(fields.start);
    const beyond = start && beyondRetention(start, fields.start, definition.type, definition.retentionSeconds, nowMs);
    if (beyond) problems.push(`${at}.start: ${beyond}`);
  }
  return options;
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
