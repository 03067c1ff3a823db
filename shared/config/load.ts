import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../lib/errors';
import { parseDuration } from '../lib/duration';
import type { Registry, SourceDefinition, SourceInstanceConfig } from '../providers/definition';

import {
  configSchema,
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

/** Read and validate a YAML or JSON configuration file. */
export async function loadConfigFile(path: string, registry: Registry): Promise<CloudtapConfig> {
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
  return parseConfig(data, registry, path);
}

/** Validate configuration data; every problem is reported with its path, not just the first. */
export function parseConfig(data: unknown, registry: Registry, where = 'configuration'): CloudtapConfig {
  const parsed = configSchema.safeParse(data);
  if (!parsed.success) throw new ConfigError(where, [...formatIssues(parsed.error.issues), ...unknownTypes(data, registry)]);

  const problems: string[] = [];
  const seen = new Set<string>();
  const sources: SourceInstanceConfig[] = [];
  parsed.data.sources.forEach((input, index) => {
    const at = `sources[${index}] (${input.id})`;
    if (seen.has(input.id)) problems.push(`${at}.id: duplicate source id "${input.id}"`);
    seen.add(input.id);
    const definition = registry.get(input.type);
    if (!definition) {
      problems.push(...unknownTypes({ sources: [input] }, registry).map((problem) => problem.replace('sources[0]', at)));
      return;
    }
    const resolved = resolveInstance(input, definition, at, problems);
    if (resolved) sources.push(resolved);
  });
  if (problems.length > 0) throw new ConfigError(where, problems);
  const { destination, local, alerts, rules, monitoring, deployment } = parsed.data;
  return { sources, destination, local, alerts, rules, monitoring, deployment };
}

/** Fill a validated instance with its provider's defaults and check its options. */
export function resolveInstance<Options>(
  input: SourceInstanceInput,
  definition: SourceDefinition<Options>,
  at: string,
  problems: string[],
): SourceInstanceConfig<Options> | undefined {
  if (definition.requiresRegion && !input.region) problems.push(`${at}.region: required for ${definition.type}`);
  const options = definition.optionsSchema.safeParse(input.options);
  if (!options.success) problems.push(...formatIssues(options.error.issues, `${at}.options`));

  const knownFields = new Set(definition.credentialFields.map((field) => field.name));
  for (const name of Object.keys(input.credentials?.env ?? {})) {
    if (!knownFields.has(name)) {
      problems.push(`${at}.credentials.env.${name}: ${definition.type} takes ${[...knownFields].join(', ')}`);
    }
  }
  if (!options.success || (definition.requiresRegion && !input.region)) return undefined;

  const startText = input.start ?? definition.defaults.start;
  const lookback = parseDuration(startText);
  return {
    id: input.id,
    type: input.type,
    region: input.region,
    schedule: input.schedule ?? definition.defaults.schedule,
    lagSeconds: parseDuration(input.lag ?? definition.defaults.lag)!,
    start: lookback !== undefined ? { lookbackSeconds: lookback } : { at: Math.floor(Date.parse(startText) / 1000) },
    endpoint: input.endpoint,
    credentialEnv: Object.fromEntries(
      definition.credentialFields.map((field) => [field.name, input.credentials?.env?.[field.name] ?? field.env]),
    ),
    enabled: input.enabled,
    options: options.data,
  };
}

/** Unknown source types, reported beside shape errors so one run of `validate` lists everything. */
function unknownTypes(data: unknown, registry: Registry): string[] {
  const sources = (data as { sources?: unknown } | null)?.sources;
  if (!Array.isArray(sources)) return [];
  return sources.flatMap((source, index) => {
    const type = (source as { type?: unknown } | null)?.type;
    return typeof type === 'string' && !registry.has(type)
      ? [`sources[${index}].type: unknown source type "${type}"; known types: ${[...registry.keys()].join(', ')}`]
      : [];
  });
}

function formatIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): string[] {
  return issues.map((issue) => {
    const path = issue.path.reduce<string>(
      (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)),
      prefix,
    );
    return `${path || '(top level)'}: ${issue.message}`;
  });
}
