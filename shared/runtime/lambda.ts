import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { systemClock } from '../lib/clock';
import { ConfigError } from '../lib/errors';
import type { Log } from '../lib/logger';
import { progressOf } from '../core/pipeline';
import type { RunSummary } from '../core/run-options';
import { describeFailure, publishRunMetrics } from '../ops/run-metrics';
import { DynamoDbCursorStore } from '../cursor/dynamodb-store';
import { createDeployedAlertRouter } from '../alerts/wiring';
import { PullAssembly } from './assemble';
import { readBundledRules } from './bundled-rules';
import { resolveInvocationSource } from './invocation-source';
import type { Registry, SourceDefinition } from '../providers/definition';
import { splunkSourcetypes } from '../providers/siem';
import { encoderFor } from '../sinks/encoders/for-format';
import { FirehoseSink } from '../sinks/firehose-sink';
import { credentialsFromSecret } from './credentials';
import { FUNCTION_ENV, readDestinationEnv, type PullInvocation } from './invocation';

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

/**
 * The Lambda handler for one source type: pull the instance named in the
 * scheduled event into the stack's delivery stream, in its destination's
 * record format, checkpointing in its table.
 */
export function createPullHandler(definition: SourceDefinition<any>) {
  const tableName = requiredEnv(FUNCTION_ENV.tableName);
  const store = new DynamoDbCursorStore({ tableName });
  const sink = new FirehoseSink({
    deliveryStreamName: requiredEnv(FUNCTION_ENV.deliveryStreamName),
    encoder: encoderFor(readDestinationEnv(process.env[FUNCTION_ENV.destination]), splunkSourcetypes([definition])),
    log,
  });
  // A bundled rules file that does not parse stops the cold start here.
  const rules = readBundledRules();
  const alerts = createDeployedAlertRouter({
    tableName,
    topicArn: process.env[FUNCTION_ENV.alertTopicArn],
    eventBusName: process.env[FUNCTION_ENV.alertBusName],
    siemLink: process.env[FUNCTION_ENV.siemLink],
    metricDimensions: { SourceType: definition.type },
    log,
  });
  // Rules are compiled once per cold start; each run gets a fresh detector (threshold counts are per run).
  const pulls = new PullAssembly({ store, sink, rules, alerts, clock: systemClock, log });

  const pull = async (event: PullInvocation, context: Context): Promise<RunSummary> => {
    const instance = resolveInvocationSource(definition, event.source);
    logger.appendKeys({ sourceId: instance.id, sourceType: instance.type });
    const startedAt = Date.now();
    const metrics = { sourceType: instance.type, sourceId: instance.id };
    try {
      const credentials = await credentialsFromSecret(definition, instance, event.secretArn);
      const summary = await pulls.pull({ definition, instance, credentials, owner: context.awsRequestId, deadline: Date.now() + context.getRemainingTimeInMillis() });
      logger.info('run finished', { summary });
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

  /** The stored cursor's windowStart, for the lag of a run that has no summary cursor; a failed read only loses the lag. */
  const storedWindowStart = async (sourceId: string): Promise<number | undefined> => {
    try {
      return (await store.read(sourceId))?.cursor?.windowStart;
    } catch (error) {
      logger.warn('could not read the cursor for the lag metric', { error: String(error) });
      return undefined;
    }
  };

  return middy(pull).use(injectLambdaContext(logger, { resetKeys: true }));
}
