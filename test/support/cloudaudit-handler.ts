import type { Context } from 'aws-lambda';
import type { RunSummary } from '../../shared/core/pipeline';
import type { SimulatorCredential, TencentApiServer } from '../../simulators/tencent/api-server';
import { startCloudAuditSimulator, type CloudAuditSimulator } from '../../simulators/tencent/cloudaudit';
import { startDynamoDb, type TestDynamoDb } from './dynamodb';
import { startFirehoseServer, type FirehoseServer } from './firehose-server';
import { startSecretsManagerServer, type SecretsManagerServer } from './secrets-manager-server';

export type Handler = (event: unknown, context: Context) => Promise<RunSummary>;

const FUNCTION_NAME = 'cloudtap-tencent-cloudaudit';

export interface CloudAuditHandlerEnvironment {
  db: TestDynamoDb;
  firehose: FirehoseServer;
  secrets: SecretsManagerServer;
  server: TencentApiServer;
  cloudaudit: CloudAuditSimulator;
  handler: Handler;
  /** Restore the process environment and stop every server. */
  stop(): Promise<void>;
}

/**
 * The deployed CloudAudit handler, imported as Lambda would load it, wired to
 * dynalite, the Firehose and Secrets Manager wire servers and the CloudAudit
 * simulator through the AWS SDK's own endpoint variables. The handler builds
 * its store and sink at import, so the environment is set first.
 */
export async function startCloudAuditHandler(options: {
  table: string;
  stream: string;
  /** Keys the simulator accepts. */
  credentials: SimulatorCredential;
  /** The function role's AWS keys and region, as the Lambda runtime sets them. */
  awsEnv: Record<string, string>;
  /** More variables to set, and ones to remove, before the import. */
  env?: Record<string, string>;
  unset?: string[];
}): Promise<CloudAuditHandlerEnvironment> {
  const saved = { ...process.env };
  const [db, firehose, secrets] = await Promise.all([
    startDynamoDb(),
    startFirehoseServer({ streams: [options.stream] }),
    startSecretsManagerServer({ region: options.awsEnv.AWS_REGION }),
  ]);
  await db.createTable(options.table);
  const { server, cloudaudit } = await startCloudAuditSimulator({ credentials: [options.credentials], enforceRateLimit: true });

  const unset = ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', ...(options.unset ?? [])];
  for (const name of unset) delete process.env[name];
  Object.assign(process.env, options.awsEnv, {
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    AWS_ENDPOINT_URL_FIREHOSE: firehose.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    CLOUDTAP_TABLE_NAME: options.table,
    CLOUDTAP_DELIVERY_STREAM: options.stream,
    AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME,
    ...options.env,
  });
  const { handler } = (await import('../../functions/tencent-cloudaudit/handler')) as unknown as { handler: Handler };

  return {
    db,
    firehose,
    secrets,
    server,
    cloudaudit,
    handler,
    async stop() {
      process.env = saved;
      await Promise.all([db.stop(), firehose.stop(), secrets.stop(), server.close()]);
    },
  };
}

/** A Lambda context with a real deadline `timeoutMs` from now. */
export function lambdaContext(awsRequestId: string, timeoutMs = 120_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: FUNCTION_NAME,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${FUNCTION_NAME}`,
    memoryLimitInMB: '512',
    awsRequestId,
    logGroupName: `/aws/lambda/${FUNCTION_NAME}`,
    logStreamName: '2025/06/02/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
