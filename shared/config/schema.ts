import * as z from 'zod';
import { DURATION_HINT, parseDuration } from '../lib/duration';
import { encryptedUrl } from '../lib/endpoint';
import { parseSchedule } from '../lib/schedule';
import { alertsSchema, rulesSchema } from './alerts';
import { deploymentSchema } from './deployment';
import { destinationSchema, localSinkSchema } from './destination';
import { monitoringSchema } from './monitoring';
import { parseStart, startProblem } from './start';

export type { AlertsConfig, RulesConfig } from './alerts';
export type { DeploymentConfig } from './deployment';
export type { DestinationConfig, LocalSinkConfig } from './destination';
export type { MonitoringConfig } from './monitoring';

/**
 * The one configuration file, read by the CDK app and by the local runner.
 * Provider-specific `options` are validated by each provider's definition.
 */

const duration = z.string().refine((text) => parseDuration(text) !== undefined, { message: `expected ${DURATION_HINT}` });

const start = z.string().superRefine((text, ctx) => {
  if (parseStart(text) === undefined) ctx.addIssue({ code: 'custom', message: startProblem(text) });
});

/** EventBridge schedule expressions, checked by EventBridge's rules so a mistake fails at validate, not at deploy. */
const schedule = z.string().superRefine((text, ctx) => {
  const parsed = parseSchedule(text);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
});

/** Instance ids and credential set names: both name resources, cursor keys and expanded ids. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,46}[a-z0-9]$/;
export const NAME_RULE = '2-48 lowercase letters, digits or hyphens, starting and ending with a letter or digit';

/**
 * `credentials` of an instance (or of `defaults.<type>`): the name of a set
 * under the file's `credentials`, a list of names (the entry expands into one
 * instance per set), or the instance's own `{ env }` (a set of its own).
 */
const credentialsReference = z.union(
  [
    z.string().min(1, { message: 'expected a credential set name' }),
    z.array(z.string({ error: 'expected a credential set name' }), { error: 'expected a list of credential set names' }).min(1, {
      message: 'expected at least one credential set name',
    }),
    /** Local runs: which environment variable holds each credential field. */
    z.strictObject({ env: z.record(z.string(), z.string()).optional() }),
  ],
  { error: 'expected a credential set name, a list of names, or { env: { field: VARIABLE } }' },
);

/** What an instance and `defaults.<type>` may both set. */
const instanceFields = {
  /** Provider region, e.g. ap-guangzhou. */
  region: z.string().min(1).optional(),
  /** Compact form: one instance per region, its id suffixed with the region. */
  regions: z
    .array(z.string().min(1), { error: 'expected a list of regions, e.g. [ap-guangzhou, ap-shanghai]' })
    .min(1, { message: 'expected at least one region' })
    .optional(),
  schedule: schedule.optional(),
  /** How late the provider may publish an event; windows end at now - lag. */
  lag: duration.optional(),
  /** Where the first run starts: a lookback (`7d`) or an ISO 8601 time; its source type's retention is checked by the loader. */
  start: start.optional(),
  /** Override the provider endpoint (international sites, simulators): https, or http to loopback only. */
  endpoint: encryptedUrl.optional(),
  credentials: credentialsReference.optional(),
};

/** Provider-specific settings, validated (unknown keys too) by the source type's definition. */
const options = z.record(z.string(), z.unknown());

export const sourceInstanceSchema = z.strictObject({
  /** Unique, used in resource names and the cursor key. */
  id: z.string().regex(NAME_PATTERN, { message: `expected ${NAME_RULE}` }),
  type: z.string(),
  ...instanceFields,
  enabled: z.boolean().default(true),
  options: options.default({}),
});

/** `defaults.<type>`: any instance field but id, type and enabled. */
export const typeDefaultsSchema = z.strictObject({ ...instanceFields, options: options.optional() });

export const localSchema = z.strictObject({
  /** Where the file cursor store keeps one JSON file per source. */
  stateDir: z.string().default('.cloudtap/state'),
  /** The NDJSON file the local sink appends to. */
  output: z.string().default('.cloudtap/events.ndjson'),
  /** Where local runs deliver: the NDJSON file, or a SIEM directly. */
  sink: localSinkSchema.default({ type: 'file' }),
});

/**
 * The file's sections. Each source entry is checked on its own (with its
 * definition), so here an entry is anything: one pass reports the shape of
 * every section and every source together.
 */
export const configSchema = z.strictObject({
  sources: z.array(z.unknown()).min(1, { message: 'configure at least one source' }),
  // Checked on their own (credential-sets.ts, defaults.ts): the sources need them even when another section is wrong.
  credentials: z.unknown().optional(),
  defaults: z.unknown().optional(),
  destination: destinationSchema.default({
    type: 's3',
    prefix: 'cloudtap/',
    errorPrefix: 'cloudtap-errors/',
    bufferSeconds: 300,
    bufferMiB: 64,
    lifecycle: {},
  }),
  local: localSchema.default({ stateDir: '.cloudtap/state', output: '.cloudtap/events.ndjson', sink: { type: 'file' } }),
  // Absent: no subscriptions, the default bus, every default rule and no custom one.
  alerts: alertsSchema.prefault({}),
  rules: rulesSchema.prefault({}),
  monitoring: monitoringSchema.prefault({}),
  deployment: deploymentSchema.prefault({}),
});

export type SourceInstanceInput = z.infer<typeof sourceInstanceSchema>;
export type TypeDefaultsInput = z.infer<typeof typeDefaultsSchema>;
export type LocalConfig = z.infer<typeof localSchema>;
