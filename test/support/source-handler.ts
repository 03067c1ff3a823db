import { DEFAULT_PROVIDERS } from '@aws-lambda-powertools/parameters/base';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { vi } from 'vitest';
import type { RunSummary } from '../../shared/core/run-options';
import type { SourceInstanceConfig } from '../../shared/providers/definition';
import type { PullMessage } from '../../shared/runtime/invocation';
import { startDynamoDb, type TestDynamoDb } from './dynamodb';
import { startEventBridgeServer, type EventBridgeServer } from './eventbridge-server';
import { startFirehoseServer, type FirehoseServer } from './firehose-server';
import { startSecretsManagerServer, type SecretsManagerServer } from './secrets-manager-server';
import { DEFAULT_TOPIC_ARN, startSnsServer, type SnsServer } from './sns-server';

/** A puller function: an SQS batch in, the records that failed out (nothing for an event it ignores). */
export type Handler = (event: unknown, context: Context) => Promise<SQSBatchResponse | undefined>;

/** What every simulator start function returns: its server, and whatever else it hands out. */
export interface StartedSimulator {
  server: { url: string; close(): Promise<void> };
}

/** The custom bus the alerting environment names (the stack creates one unless told `default`). */
export const ALERT_BUS = 'cloudtap-alerts';

export interface SourceHandlerOptions<S extends StartedSimulator> {
  /** The source type, set in the function's environment as the stack sets it for functions/pull/handler.ts. */
  type: string;
  table: string;
  stream: string;
  /** More delivery streams the Firehose server knows (Security Lake's stream per OCSF class). */
  moreStreams?: string[];
  /** Starts the provider simulator the instance's `endpoint` will name. */
  simulator: () => Promise<S>;
  /** The function role's AWS keys and region, as the Lambda runtime sets them. */
  awsEnv: Record<string, string>;
  /** Set the alerting variables as the stack does when alerts are configured (SNS topic and EventBridge bus). */
  alerting?: boolean;
  /** More variables to set, and ones to remove, before the import. */
  env?: Record<string, string>;
  unset?: string[];
}

export interface SourceHandlerEnvironment<S extends StartedSimulator> {
  db: TestDynamoDb;
  firehose: FirehoseServer;
  secrets: SecretsManagerServer;
  /** Always running, so no SDK client can reach real AWS; published to only with `alerting`. */
  sns: SnsServer;
  eventBridge: EventBridgeServer;
  simulator: S;
  handler: Handler;
  /** Import the handler afresh into `handler`, as a new container's cold start would (no warm state carried over). */
  coldStart(): Promise<void>;
  /** Restore the process environment and stop every server. */
  stop(): Promise<void>;
}

/** Whether a handler was imported into this test file's module registry already. */
let handlerImported = false;

/**
 * A deployed puller handler, imported as Lambda would load it, wired to
 * dynalite, the Firehose, Secrets Manager, SNS and EventBridge wire servers
 * and a provider simulator through the AWS SDK's own endpoint variables. The
 * handler builds its store, sink and alert clients at import, so the
 * environment is set first.
 */
export async function startSourceHandler<S extends StartedSimulator>(options: SourceHandlerOptions<S>): Promise<SourceHandlerEnvironment<S>> {
  const saved = { ...process.env };
  const [db, firehose, secrets, sns, eventBridge, simulator] = await Promise.all([
    startDynamoDb(),
    startFirehoseServer({ streams: [options.stream, ...(options.moreStreams ?? [])] }),
    startSecretsManagerServer({ region: options.awsEnv.AWS_REGION }),
    startSnsServer({ topics: [DEFAULT_TOPIC_ARN] }),
    startEventBridgeServer({ buses: [ALERT_BUS] }),
    options.simulator(),
  ]);
  await db.createTable(options.table);

  const unset = ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', ...(options.unset ?? [])];
  for (const name of unset) delete process.env[name];
  Object.assign(process.env, options.awsEnv, {
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    AWS_ENDPOINT_URL_FIREHOSE: firehose.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    AWS_ENDPOINT_URL_SNS: sns.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.endpoint,
    CLOUDTAP_SOURCE_TYPE: options.type,
    CLOUDTAP_TABLE_NAME: options.table,
    CLOUDTAP_DELIVERY_STREAM: options.stream,
    ...(options.alerting && { CLOUDTAP_ALERT_TOPIC_ARN: DEFAULT_TOPIC_ARN, CLOUDTAP_ALERT_BUS_NAME: ALERT_BUS }),
    AWS_LAMBDA_FUNCTION_NAME: `cloudtap-${options.type}`,
    ...options.env,
  });

  const environment: SourceHandlerEnvironment<S> = {
    db,
    firehose,
    secrets,
    sns,
    eventBridge,
    simulator,
    handler: await importHandler(),
    async coldStart() {
      environment.handler = await importHandler();
    },
    async stop() {
      process.env = saved;
      await Promise.all([db.stop(), firehose.stop(), secrets.stop(), sns.stop(), eventBridge.stop(), simulator.server.close()]);
    },
  };
  return environment;
}

/** `functions/pull/handler.ts`, evaluated afresh unless it is the first handler this test file imports. */
async function importHandler(): Promise<Handler> {
  // A second import must not reuse the module state of the first (clients, logger, alert
  // breaker). The first shares the test file's registry, so classes the test imports
  // (ConfigError, ...) are the handler's own.
  if (handlerImported) vi.resetModules();
  handlerImported = true;
  // Powertools keeps getSecret's provider in node_modules, which resetModules leaves alone:
  // drop it so the handler's first read builds its client from the current environment.
  for (const name of Object.keys(DEFAULT_PROVIDERS)) delete DEFAULT_PROVIDERS[name];
  const module = await import('../../functions/pull/handler');
  return (event, context) => module.handler(event, context);
}

/**
 * A Lambda context with a real deadline `timeoutMs` from now, for the function
 * the running handler environment names (as Lambda's context and environment agree).
 */
export function lambdaContext(awsRequestId: string, timeoutMs = 120_000): Context {
  const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'cloudtap';
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2025/06/02/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** A PullMessage as the dispatcher sends it: due now unless told otherwise, every 5 minutes. */
export function pullMessage(source: SourceInstanceConfig, secretName: string, due: { dueAt?: number; periodSeconds?: number } = {}): PullMessage {
  return { source, secretName, dueAt: due.dueAt ?? Math.floor(Date.now() / 1000), periodSeconds: due.periodSeconds ?? 300 };
}

let messages = 0;

/**
 * The event an SQS event source mapping invokes the function with: one record
 * per body (a PullMessage, or a string sent as is), each with a fresh message id.
 */
export function queueEvent(...bodies: (PullMessage | string)[]): SQSEvent {
  return {
    Records: bodies.map((body) => {
      const messageId = `0f7c${String(++messages).padStart(4, '0')}-5b1e-4c9a-9d2e-3a8b6c1d2e4f`;
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      return {
        messageId,
        receiptHandle: `AQEB${messageId}`,
        body: text,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(Date.now()),
          SenderId: 'AROAEXAMPLE:cloudtap-dispatcher',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:cloudtap-pull',
        awsRegion: 'us-east-1',
      };
    }),
  };
}

/** Powertools writes one JSON object per line; anything else (a Node warning) is not a record. */
export const jsonLines = (text: string): Record<string, any>[] =>
  text.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, any>);

/**
 * What the records of an invocation came to, from its log lines (a batch
 * response says only which records failed): each finished run's summary, and
 * each failure's line (`run failed`, `pull message refused`) with its `error`
 * message, `errorName` (the cause's) and, from a provider, `code`.
 */
export function outcomesIn(lines: Record<string, any>[]): { summaries: RunSummary[]; failures: Record<string, any>[] } {
  return {
    summaries: lines.filter((line) => line.message === 'run finished').map((line) => line.summary as RunSummary),
    failures: lines.filter((line) => line.level === 'ERROR' && (line.message === 'run failed' || line.message === 'pull message refused')),
  };
}

/** What one invocation returned or threw, and every JSON line it wrote (Powertools' logs and EMF objects). */
export interface CapturedInvocation extends ReturnType<typeof outcomesIn> {
  response?: SQSBatchResponse;
  error?: unknown;
  output: string;
  lines: Record<string, any>[];
  /** The EMF objects among the lines. */
  emf: Record<string, any>[];
  /** Epoch ms around the call. */
  before: number;
  after: number;
}

/** Invoke the handler, capturing what it writes to stdout/stderr. */
export async function invokeCapturing(handler: Handler, event: unknown, context: Context): Promise<CapturedInvocation> {
  const output: string[] = [];
  const capture = ((chunk: string | Uint8Array) => {
    output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(capture), vi.spyOn(process.stderr, 'write').mockImplementation(capture)];
  const before = Date.now();
  let response: SQSBatchResponse | undefined;
  let error: unknown;
  try {
    response = await handler(event, context);
  } catch (caught) {
    error = caught;
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  const after = Date.now();
  const text = output.join('');
  const lines = jsonLines(text);
  return { response, error, output: text, lines, emf: lines.filter((line) => line._aws), ...outcomesIn(lines), before, after };
}
