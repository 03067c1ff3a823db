import * as z from 'zod';
import type { DestinationConfig } from '../config/destination';
import { ConfigError } from '../lib/errors';
import type { SourceInstanceConfig } from '../providers/definition';
import { destinationFormatOf, type DestinationFormat } from '../sinks/encoders/for-format';

/**
 * What each EventBridge rule sends its puller function: which instance to pull
 * and where its credentials are. One function per source type serves every
 * configured instance of that type.
 */
export interface PullInvocation {
  source: SourceInstanceConfig;
  /** The Secrets Manager secret holding the instance's credential fields as JSON. */
  secretArn: string;
}

/**
 * What the dispatcher sends a source type's queue when an instance is due: one
 * SQS message, one run. The puller function reads it from the queue.
 */
export interface PullMessage {
  source: SourceInstanceConfig;
  /** The Secrets Manager secret (by name) of the instance's credential set. */
  secretName: string;
  /** When the run was due, epoch seconds: its start in the spread schedule. */
  dueAt: number;
  /** Seconds between runs; a message still unrun one period after `dueAt` is skipped as expired. */
  periodSeconds: number;
}

/** One enabled instance as the dispatcher knows it (its bundled dispatch table). */
export interface DispatchEntry {
  source: SourceInstanceConfig;
  secretName: string;
}

/** The dispatcher's table, bundled beside its code as DISPATCH_TABLE_FILE. */
export interface DispatchTable {
  version: 1;
  /** The CloudFormation stack it belongs to. */
  stackName: string;
  entries: DispatchEntry[];
}

export const DISPATCH_TABLE_FILE = 'cloudtap-dispatch.json';

/** Environment variables the stack sets on every puller function. */
export const FUNCTION_ENV = {
  /**
   * The source type the function pulls. An environment variable rather than an
   * esbuild define: the one entry file then runs as is under tests and locally,
   * and the deployed type can be read in the function's configuration.
   */
  sourceType: 'CLOUDTAP_SOURCE_TYPE',
  tableName: 'CLOUDTAP_TABLE_NAME',
  deliveryStreamName: 'CLOUDTAP_DELIVERY_STREAM',
  /** Security Lake: JSON object, OCSF class uid -> the delivery stream of that class (see readDeliveryStreamsEnv). */
  deliveryStreams: 'CLOUDTAP_DELIVERY_STREAMS',
  /** The destination's record format as JSON, e.g. {"type":"splunk","index":"main"} (see destinationEnv). */
  destination: 'CLOUDTAP_DESTINATION',
  /** The SNS topic alerts are published to. */
  alertTopicArn: 'CLOUDTAP_ALERT_TOPIC_ARN',
  /** The EventBridge bus alerts are put on (`default` or the custom bus's name). */
  alertBusName: 'CLOUDTAP_ALERT_BUS_NAME',
  /** The SIEM link template with `{event.id}`; unset when not configured. */
  siemLink: 'CLOUDTAP_SIEM_LINK',
  /** Dispatcher only: JSON object, source type -> the URL of its pull queue. */
  queues: 'CLOUDTAP_QUEUES',
  /** The stack's name, for log lines and metric properties. */
  stackName: 'CLOUDTAP_STACK_NAME',
} as const;

/** The value the stack gives FUNCTION_ENV.destination: the format only, no endpoint or secret. */
export function destinationEnv(destination: DestinationConfig | DestinationFormat): string {
  return JSON.stringify(destinationFormatOf(destination));
}

const formatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('s3') }).strict(),
  z.object({ type: z.literal('splunk'), index: z.string().min(1).optional() }).strict(),
  z.object({ type: z.literal('elastic') }).strict(),
  z.object({ type: z.literal('security-lake'), rawData: z.boolean() }).strict(),
]);

/**
 * Read FUNCTION_ENV.destination. Unset means S3, the configuration's default
 * destination; a value that is set but wrong stops the function at cold start
 * rather than sending records the destination would refuse.
 */
export function readDestinationEnv(value: string | undefined): DestinationFormat {
  if (value === undefined || value === '') return { type: 's3' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new ConfigError('function environment', [`${FUNCTION_ENV.destination} is not JSON`]);
  }
  const result = formatSchema.safeParse(parsed);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${FUNCTION_ENV.destination}${issue.path.length ? `.${issue.path.join('.')}` : ''}: ${issue.message}`);
    throw new ConfigError('function environment', problems);
  }
  return result.data;
}

/**
 * Read FUNCTION_ENV.deliveryStreams: one stream per OCSF class for Security Lake.
 * Missing or malformed stops the function at cold start, naming the variable.
 */
export function readDeliveryStreamsEnv(value: string | undefined): Map<number, string> {
  const problem = (what: string) => new ConfigError('function environment', [`${FUNCTION_ENV.deliveryStreams}: ${what}`]);
  if (value === undefined || value === '') throw problem('required for the security-lake destination');
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw problem('is not JSON');
  }
  const result = z.record(z.string().regex(/^\d+$/), z.string().min(1)).safeParse(parsed);
  if (!result.success || Object.keys(result.data).length === 0) throw problem('expected {"<class uid>": "<stream name>", ...}');
  return new Map(Object.entries(result.data).map(([uid, stream]) => [Number(uid), stream]));
}
