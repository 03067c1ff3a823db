import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, SQSBatchItemFailure, SQSBatchResponse } from 'aws-lambda';
import { systemClock } from '../lib/clock';
import { ConfigError } from '../lib/errors';
import type { Log } from '../lib/logger';
import { progressOf } from '../core/pipeline';
import type { RunSkip } from '../core/ports/cursor-store';
import type { RunSummary } from '../core/run-options';
import { describeFailure, publishRunMetrics, publishSkipMetrics } from '../ops/run-metrics';
import { DynamoDbCursorStore } from '../cursor/dynamodb-store';
import { DynamoDbPacer } from '../cursor/dynamodb-pacer';
import { createDeployedAlertRouter } from '../alerts/wiring';
import { PullAssembly } from './assemble';
import { readBundledRules } from './bundled-rules';
import { isLegacyInvocation, isQueueEvent, messageWhere, parsePullMessage, resolveInvocationSource, type QueuedRecord } from './invocation-source';
import type { Registry, SourceDefinition, SourceInstanceConfig } from '../providers/definition';
import { splunkSourcetypes } from '../providers/siem';
import type { Sink } from '../core/ports/sink';
import { encoderFor, type DestinationFormat } from '../sinks/encoders/for-format';
import { FirehoseSink } from '../sinks/firehose-sink';
import { SecurityLakeFirehoseSink } from '../sinks/security-lake/firehose-router';
import { credentialsFromSecret } from './credentials';
import { FUNCTION_ENV, readDeliveryStreamsEnv, readDestinationEnv } from './invocation';
import { rateLimitOf } from './pacing';

/** Created once per cold start and reused by warm invocations. */
const logger = new Logger({ serviceName: 'cloudtap' });

/** Powertools' Logger takes extra keys as a rest argument; the core's Log passes one optional object. */
const log: Log = {
  debug: (message, extra) => (extra ? logger.debug(message, extra) : logger.debug(message)),
  info: (message, extra) => (extra ? logger.info(message, extra) : logger.info(message)),
  warn: (message, extra) => (extra ? logger.warn(message, extra) : logger.warn(message)),
  error: (message, extra) => (extra ? logger.error(message, extra) : logger.error(message)),
};

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new ConfigError('function environment', [`${name} is not set`]);
  return value;
}

/** The definition of the source type the stack set in FUNCTION_ENV.sourceType; an unknown type stops the cold start. */
export function definitionFromEnv(registry: Registry): SourceDefinition<any> {
  const type = requiredEnv(FUNCTION_ENV.sourceType);
  const definition = registry.get(type);
  if (!definition) throw new ConfigError('function environment', [`${FUNCTION_ENV.sourceType} names "${type}", which is no known source type (${[...registry.keys()].join(', ')})`]);
  return definition;
}

/** The stack's delivery: one stream in the destination's format, or Security Lake's stream per OCSF class. */
function deliverySink(format: DestinationFormat, definition: SourceDefinition<any>): Sink {
  if (format.type === 'security-lake') {
    return new SecurityLakeFirehoseSink({ streams: readDeliveryStreamsEnv(process.env[FUNCTION_ENV.deliveryStreams]), rawData: format.rawData, log });
  }
  return new FirehoseSink({ deliveryStreamName: requiredEnv(FUNCTION_ENV.deliveryStreamName), encoder: encoderFor(format, splunkSourcetypes([definition])), log });
}

/**
 * The Lambda handler for one source type, fed by its queue: each SQS record is
 * one PullMessage, one run of the instance it names into the stack's delivery
 * stream, checkpointing in its table. A run whose start came more than a
 * period late, or whose lease another run holds, is skipped and recorded as
 * such. A record that fails (a bad message, a failed run) is reported in
 * `batchItemFailures`, so only it returns to the queue (the mapping reports
 * batch item failures); with maxReceiveCount 1 it then lands in the stack's
 * failed-invocations queue.
 */
export function createPullHandler(definition: SourceDefinition<any>) {
  const tableName = requiredEnv(FUNCTION_ENV.tableName);
  const dynamoDb = new DynamoDBClient({});
  // The function serves one type, and IAM confines it to that type's items (source#<type>#*).
  const store = new DynamoDbCursorStore({ tableName, client: dynamoDb, sourceType: definition.type });
  const sink = deliverySink(readDestinationEnv(process.env[FUNCTION_ENV.destination]), definition);
  // A bundled rules file that does not parse stops the cold start here.
  const rules = readBundledRules();
  const alerts = createDeployedAlertRouter({
    tableName,
    topicArn: process.env[FUNCTION_ENV.alertTopicArn],
    eventBusName: process.env[FUNCTION_ENV.alertBusName],
    siemLink: process.env[FUNCTION_ENV.siemLink],
    metricDimensions: { SourceType: definition.type },
    // One DynamoDB client for the cursors, the dedup claims and the outbox: one connection pool, one set-up at cold start.
    clients: { dynamodb: dynamoDb },
    log,
  });
  // Rules are compiled once per cold start; each run gets a fresh detector (threshold counts are per run).
  const pulls = new PullAssembly({ store, sink, rules, alerts, sourceTypes: [definition.type], clock: systemClock, log });

  /** One record: its message checked, then skipped or run. Throws what failed it. */
  const pullRecord = async (record: QueuedRecord, context: Context): Promise<void> => {
    let message: ReturnType<typeof parsePullMessage>;
    let instance: SourceInstanceConfig;
    try {
      message = parsePullMessage(record);
      instance = resolveInvocationSource(definition, message.source, messageWhere(record.messageId));
    } catch (error) {
      logger.error('pull message refused', describeFailure(error));
      throw error;
    }
    logger.appendKeys({ sourceId: instance.id, sourceType: instance.type });
    const lateSeconds = Math.floor(Date.now() / 1000) - message.dueAt;
    if (lateSeconds > message.periodSeconds) {
      // The next period's message is due (or run) already; running this one too would only repeat it.
      return skip(instance, { at: Date.now(), reason: 'expired' }, { dueAt: message.dueAt, lateSeconds, periodSeconds: message.periodSeconds });
    }
    const summary = await run(instance, message.secretName, context);
    if (summary.stoppedBy === 'lease-held') {
      await skip(instance, { at: Date.now(), reason: 'lease-held', ...(summary.heldBy && { heldBy: summary.heldBy.owner }) }, { heldBy: summary.heldBy });
    }
  };

  /** Pull the instance; metrics for a run that happened (a held lease is the caller's to report). */
  const run = async (instance: SourceInstanceConfig, secretName: string, context: Context): Promise<RunSummary> => {
    const startedAt = Date.now();
    const metrics = { sourceType: instance.type, sourceId: instance.id };
    try {
      const credentials = await credentialsFromSecret(definition, instance, secretName);
      const limit = rateLimitOf(definition, instance);
      // Shared across invocations: every instance behind the same credential set, API and scope takes its slots here.
      const pacer = limit && new DynamoDbPacer({ tableName, key: limit.key, requestsPerSecond: limit.requestsPerSecond, client: dynamoDb });
      const summary = await pulls.pull({ definition, instance, credentials, pacer, owner: context.awsRequestId, deadline: Date.now() + context.getRemainingTimeInMillis() });
      logger.info('run finished', { summary });
      if (summary.stoppedBy === 'lease-held') return summary;
      const windowStart = summary.cursor?.windowStart ?? (await storedWindowStart(instance.id));
      publishRunMetrics({ ...metrics, summary, failed: false, windowStart, durationMs: Date.now() - startedAt });
      return summary;
    } catch (error) {
      const progress = progressOf(error);
      logger.error('run failed', { ...describeFailure(error), progress });
      const windowStart = await storedWindowStart(instance.id);
      publishRunMetrics({ ...metrics, progress, failed: true, windowStart, durationMs: Date.now() - startedAt });
      throw error;
    }
  };

  /** A run that did not happen: logged, metered (RunsSkipped) and recorded on the item for `cloudtap status`. */
  const skip = async (instance: SourceInstanceConfig, skipped: RunSkip, detail: Record<string, unknown>): Promise<void> => {
    logger.info('run skipped', { reason: skipped.reason, ...detail });
    publishSkipMetrics({ sourceType: instance.type, sourceId: instance.id, reason: skipped.reason });
    try {
      await store.recordSkip(instance.id, skipped);
    } catch (error) {
      // The skip stands whether or not it is recorded; failing the message would only send it to the failed queue.
      logger.warn('could not record the skipped run', { error: String(error) });
    }
  };

  /** The stored cursor's windowStart, for the lag of a run that has no summary cursor; a failed read only loses the lag. */
  const storedWindowStart = async (sourceId: string): Promise<number | undefined> => {
    try {
      return (await store.read(sourceId))?.cursor?.windowStart;
    } catch (error) {
      logger.warn('could not read the cursor for the lag metric', { error: String(error) });
      return undefined;
    }
  };

  const handle = async (event: unknown, context: Context): Promise<SQSBatchResponse | undefined> => {
    if (isLegacyInvocation(event)) {
      // An EventBridge rule of the previous layout, still firing during an upgrade: the dispatcher runs the instance now.
      logger.warn('ignored a scheduled event of the previous layout; the dispatcher schedules this instance', {
        sourceId: (event.source as { id?: unknown } | undefined)?.id,
      });
      return undefined;
    }
    if (!isQueueEvent(event)) throw new ConfigError('puller invocation', ['expected an SQS event of pull messages (Records)']);
    const batchItemFailures: SQSBatchItemFailure[] = [];
    for (const record of event.Records) {
      logger.appendKeys({ messageId: record.messageId });
      try {
        await pullRecord(record, context);
      } catch {
        // Logged where it failed; only this record returns to the queue.
        batchItemFailures.push({ itemIdentifier: record.messageId });
      } finally {
        logger.removeKeys(['messageId', 'sourceId', 'sourceType']);
      }
    }
    return { batchItemFailures };
  };

  return middy(handle).use(injectLambdaContext(logger, { resetKeys: true }));
}
