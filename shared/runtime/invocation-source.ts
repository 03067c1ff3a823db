import * as z from 'zod';
import { ConfigError } from '../lib/errors';
import type { SourceDefinition, SourceInstanceConfig } from '../providers/definition';
import type { PullInvocation, PullMessage } from './invocation';

/**
 * What a puller function is invoked with: SQS records carrying PullMessages
 * (the dispatcher's), or, during an upgrade, the previous layout's scheduled
 * event `{source, secretArn}` from an EventBridge rule not yet removed.
 */
export interface QueuedRecord {
  messageId: string;
  body: string;
}

/** An SQS event: the event source mapping's batch. */
export function isQueueEvent(event: unknown): event is { Records: QueuedRecord[] } {
  return typeof event === 'object' && event !== null && Array.isArray((event as { Records?: unknown }).Records);
}

/** The previous layout's invocation: one instance and its secret's ARN, no Records. */
export function isLegacyInvocation(event: unknown): event is PullInvocation {
  return typeof event === 'object' && event !== null && !isQueueEvent(event) && typeof (event as { secretArn?: unknown }).secretArn === 'string';
}

const pullMessageSchema = z.object({
  source: z.custom<object>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), {
    message: 'expected the source instance (an object)',
  }),
  secretName: z.string().min(1),
  dueAt: z.number().finite(),
  periodSeconds: z.number().finite().positive(),
});

/** Where a message's problems are reported: the message, by id. */
export const messageWhere = (messageId: string): string => `pull message ${messageId}`;

/** The record's PullMessage with its source still unchecked (resolveInvocationSource checks it against the definition). */
export function parsePullMessage(record: QueuedRecord): Omit<PullMessage, 'source'> & { source: unknown } {
  const where = messageWhere(record.messageId);
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new ConfigError(where, [`the body is not JSON (${record.body.length} characters)`]);
  }
  const parsed = pullMessageSchema.safeParse(body);
  if (!parsed.success) {
    throw new ConfigError(where, parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`));
  }
  return parsed.data;
}

/**
 * Check the instance a pull message (or a scheduled event) carries. The stack
 * wrote it from a validated config, but a hand-edited message or a newer
 * function version must fail with a message, not half-way through a run.
 */
export function resolveInvocationSource<Options>(
  definition: SourceDefinition<Options>,
  source: unknown,
  where = 'scheduled event',
): SourceInstanceConfig<Options> {
  if (!source || typeof source !== 'object') throw new ConfigError(where, ['there is no "source" object']);
  const instance = source as SourceInstanceConfig<unknown>;
  if (instance.type !== definition.type) {
    throw new ConfigError(where, [`source ${instance.id} is of type ${instance.type}; this function pulls ${definition.type}`]);
  }
  const options = definition.optionsSchema.safeParse(instance.options ?? {});
  if (!options.success) {
    throw new ConfigError(where, options.error.issues.map((issue) => `source ${instance.id}.options.${issue.path.join('.')}: ${issue.message}`));
  }
  if (definition.requiresRegion && !instance.region) throw new ConfigError(where, [`source ${instance.id}: region is required`]);
  return { ...instance, options: options.data };
}
