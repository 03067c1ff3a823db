import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { ConfigError } from '../lib/errors';
import { parseSchedule } from '../lib/schedule';
import { formatPath } from '../detection/condition';
import type { CloudtapConfig } from '../config/load';
import { secretNameBySet } from '../ops/credential-secret-name';
import { DISPATCH_TABLE_FILE, FUNCTION_ENV, type DispatchTable } from './invocation';

/**
 * The dispatcher's two inputs from the stack: the table of enabled instances,
 * bundled beside its code (1,000 instances do not fit the 4 KB of a
 * function's environment), and the queue of each source type, in its
 * environment. Either one wrong stops the cold start: dispatching from a
 * wrong table would start the wrong runs, or none, silently.
 */

/** The table the stack bundles for a validated configuration: every enabled instance, with its set's secret name. */
export function dispatchTableOf(config: Pick<CloudtapConfig, 'sources' | 'credentialSets'>, stackName: string): DispatchTable {
  const secretNameOf = secretNameBySet(config, stackName);
  const entries = config.sources.filter((source) => source.enabled).map((source) => ({ source, secretName: secretNameOf(source.credentialSet) }));
  return { version: 1, stackName, entries };
}

const sourceSchema = z
  .object({
    id: z.string().min(1),
    type: z.string().min(1),
    schedule: z.string().superRefine((text, context) => {
      const parsed = parseSchedule(text);
      if (!parsed.ok) context.addIssue({ code: 'custom', message: parsed.error });
    }),
    lagSeconds: z.number().nonnegative(),
  })
  // The rest of the instance travels to the puller as it is, which checks it.
  .passthrough();

const tableSchema = z
  .object({
    version: z.literal(1),
    stackName: z.string().min(1),
    entries: z.array(z.object({ source: sourceSchema, secretName: z.string().min(1) }).strict()),
  })
  .strict();

/** Read the table written beside the bundle; a missing or malformed file is a ConfigError naming the file and each problem. */
export function readDispatchTable(url: URL = new URL(`./${DISPATCH_TABLE_FILE}`, import.meta.url)): DispatchTable {
  const where = fileURLToPath(url);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(url, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(where, [code === 'ENOENT' ? 'the dispatch table is missing from the bundle' : 'not valid JSON']);
  }
  const parsed = tableSchema.safeParse(data);
  if (!parsed.success) throw new ConfigError(where, parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`));
  const table = parsed.data as unknown as DispatchTable;
  const ids = new Set<string>();
  const duplicates = table.entries.filter(({ source }) => ids.size === ids.add(source.id).size).map(({ source }) => `entries: "${source.id}" appears twice`);
  if (duplicates.length > 0) throw new ConfigError(where, duplicates);
  return table;
}

/** FUNCTION_ENV.queues: source type -> queue URL, with a queue for every type the table names. */
export function readQueuesEnv(value: string | undefined, table: DispatchTable): Record<string, string> {
  const problems: string[] = [];
  let queues: unknown;
  try {
    queues = JSON.parse(value ?? '');
  } catch {
    throw new ConfigError('function environment', [`${FUNCTION_ENV.queues} is not set to a JSON object of source type -> queue URL`]);
  }
  const parsed = z.record(z.string(), z.string().url()).safeParse(queues);
  if (!parsed.success) {
    throw new ConfigError('function environment', parsed.error.issues.map((issue) => `${FUNCTION_ENV.queues}${issue.path.length ? `.${issue.path.join('.')}` : ''}: ${issue.message}`));
  }
  for (const type of new Set(table.entries.map(({ source }) => source.type))) {
    if (!parsed.data[type]) problems.push(`${FUNCTION_ENV.queues} has no queue for source type "${type}", which the dispatch table names`);
  }
  if (problems.length > 0) throw new ConfigError('function environment', problems);
  return parsed.data;
}
