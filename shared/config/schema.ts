import { z } from 'zod';
import { parseDuration } from '../lib/duration';
import { alertsSchema, rulesSchema } from './alerts';
import { deploymentSchema } from './deployment';
import { destinationSchema, localSinkSchema } from './destination';
import { monitoringSchema } from './monitoring';

export type { AlertsConfig, RulesConfig } from './alerts';
export type { DeploymentConfig } from './deployment';
export type { DestinationConfig, LocalSinkConfig } from './destination';
export type { MonitoringConfig } from './monitoring';

/**
 * The one configuration file, read by the CDK app and by the local runner.
 * Provider-specific `options` are validated by each provider's definition.
 */

const duration = z
  .string()
  .refine((text) => parseDuration(text) !== undefined, { message: 'expected a duration such as 30s, 10m, 6h or 7d' });

/** A lookback (`7d`) or an absolute ISO 8601 time. */
const start = z
  .string()
  .refine((text) => parseDuration(text) !== undefined || !Number.isNaN(Date.parse(text)), {
    message: 'expected a lookback such as 7d or an ISO 8601 time such as 2026-01-01T00:00:00Z',
  });

/** EventBridge schedule expressions, checked for shape so a typo fails at synth, not at deploy. */
const schedule = z
  .string()
  // EventBridge wants the singular unit for 1 and the plural otherwise; it would refuse the rest at deploy time.
  .regex(/^(rate\(1 (minute|hour|day)\)|rate\(([2-9]|[1-9]\d+) (minutes|hours|days)\)|cron\(\S+ \S+ \S+ \S+ \S+ \S+\))$/, {
    message: 'expected an EventBridge schedule such as "rate(1 hour)", "rate(5 minutes)" or "cron(0/10 * * * ? *)"',
  });

export const sourceInstanceSchema = z.object({
  /** Unique, used in resource names and the cursor key. */
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,46}[a-z0-9]$/, {
      message: 'expected 2-48 lowercase letters, digits or hyphens, starting and ending with a letter or digit',
    }),
  type: z.string(),
  /** Provider region, e.g. ap-guangzhou. */
  region: z.string().min(1).optional(),
  schedule: schedule.optional(),
  /** How late the provider may publish an event; windows end at now - lag. */
  lag: duration.optional(),
  /** Where the first run starts. */
  start: start.optional(),
  /** Override the provider endpoint (simulators, private endpoints). */
  endpoint: z.url().optional(),
  /** Local runs: which environment variable holds each credential field. */
  credentials: z.object({ env: z.record(z.string(), z.string()).optional() }).optional(),
  enabled: z.boolean().default(true),
  /** Provider-specific settings, validated by the provider module. */
  options: z.record(z.string(), z.unknown()).default({}),
});

export const localSchema = z.object({
  /** Where the file cursor store keeps one JSON file per source. */
  stateDir: z.string().default('.cloudtap/state'),
  /** The NDJSON file the local sink appends to. */
  output: z.string().default('.cloudtap/events.ndjson'),
  /** Where local runs deliver: the NDJSON file, or a SIEM directly. */
  sink: localSinkSchema.default({ type: 'file' }),
});

export const configSchema = z.object({
  sources: z.array(sourceInstanceSchema).min(1, { message: 'configure at least one source' }),
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
export type LocalConfig = z.infer<typeof localSchema>;
export type ConfigInput = z.infer<typeof configSchema>;
