import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { ConfigError } from '../lib/errors';
import type { Log } from '../lib/logger';
import { readDispatchTable, readQueuesEnv } from './dispatch-table';
import { Dispatcher, type DispatchReport } from './dispatcher';
import { FUNCTION_ENV, type DispatchTable } from './invocation';

/** What the dispatcher's EventBridge rule sends: a scheduled event, of which the dispatcher reads `time`. */
export interface ScheduledEvent {
  time?: string;
}

export interface DispatchHandlerOptions {
  /** Default: the table bundled beside the code. */
  table?: DispatchTable;
  /** Default: SDK clients with the function's credentials and region. */
  sqs?: SQSClient;
  dynamo?: DynamoDBClient;
}

/**
 * The dispatcher's Lambda handler. Everything it needs is read at cold start:
 * a missing table, queue or environment variable stops the function there.
 */
export function createDispatchHandler(options: DispatchHandlerOptions = {}) {
  const table = options.table ?? readDispatchTable();
  const logger = new Logger({
    serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'cloudtap',
    persistentKeys: { stackName: process.env[FUNCTION_ENV.stackName] ?? table.stackName },
  });
  const log: Log = {
    debug: (message, extra = {}) => logger.debug(message, extra),
    info: (message, extra = {}) => logger.info(message, extra),
    warn: (message, extra = {}) => logger.warn(message, extra),
    error: (message, extra = {}) => logger.error(message, extra),
  };
  const tableName = process.env[FUNCTION_ENV.tableName];
  if (!tableName) throw new ConfigError('function environment', [`${FUNCTION_ENV.tableName} is not set`]);
  const dispatcher = new Dispatcher({
    table,
    queues: readQueuesEnv(process.env[FUNCTION_ENV.queues], table),
    tableName,
    sqs: options.sqs ?? new SQSClient({}),
    dynamo: options.dynamo ?? new DynamoDBClient({}),
    log,
  });

  const dispatch = async (event: ScheduledEvent): Promise<DispatchReport> => {
    const time = event.time === undefined ? Number.NaN : Date.parse(event.time);
    // Dispatching "now" instead would start a minute's runs twice when a late event arrives after the next one.
    if (Number.isNaN(time)) throw new ConfigError('dispatcher event', [`expected a scheduled event with an ISO "time", got ${JSON.stringify(event).slice(0, 200)}`]);
    return dispatcher.dispatch(time);
  };
  return middy(dispatch).use(injectLambdaContext(logger, { resetKeys: true }));
}
