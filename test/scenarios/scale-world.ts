/**
 * The deployment of the scale scenario (test/scenarios/scale.test.ts), wired on
 * local wire servers: the SQS server (a queue per source type and the stack's
 * failed-invocations queue, redrive maxReceiveCount 1, visibility = function
 * timeout + 60 s), dynalite with the cursor table, the Firehose and Secrets
 * Manager servers (one secret per credential set), one simulator per source
 * type that knows every key of its vendor and enforces the documented rate per
 * caller, and an event source mapping per type (batch 1, MaximumConcurrency =
 * deployment.concurrency, ReportBatchItemFailures) invoking the real puller
 * handler, `createPullHandler`, whose SDK clients reach the servers through
 * the SDK's endpoint variables.
 *
 * The configuration goes through the real config parser and becomes the
 * dispatch table as the stack writes it (infra/stack.ts).
 *
 * Two instances are broken on purpose: `HANGING` points at a TCP server that
 * accepts and never answers; `FAILING` names a DBSS audit instance the
 * simulator does not have (DBSS.10020021, not retried), as a deleted one would.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DEFAULT_PROVIDERS } from '@aws-lambda-powertools/parameters/base';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { parseConfig } from '../../shared/config/load';
import { credentialSecretName } from '../../shared/ops/credential-secret-name';
import { dispatchTableOf } from '../../shared/runtime/dispatch-table';
import { registry } from '../../shared/providers/registry';
import type { SourceInstanceConfig } from '../../shared/providers/definition';
import type { DispatchTable, PullMessage } from '../../shared/runtime/invocation';
import { createPullHandler } from '../../shared/runtime/lambda';
import type { RateStats } from '../../simulators/common/http-simulator';
import { generateDbssEvents, startDbssSimulator } from '../../simulators/huawei/dbss/simulator';
import { generateCloudAuditEvents, startCloudAuditSimulator } from '../../simulators/tencent/cloudaudit/simulator';
import { generateSslEvents, startSslSimulator } from '../../simulators/tencent/ssl/simulator';
import { generateOperationEvents, startUCloudOperationsSimulator } from '../../simulators/ucloud/operations/simulator';
import { recordKey } from './harness';
import { startDynamoDb, type TestDynamoDb } from '../support/dynamodb';
import { startEventSourceMapping, type EventSourceMapping } from '../support/event-source-mapping';
import { startFirehoseServer, type FirehoseServer } from '../support/firehose-server';
import { startSecretsManagerServer, type SecretsManagerServer } from '../support/secrets-manager-server';
import { startSqsServer, type SqsServer } from '../support/sqs-server';

export const STACK = 'cloudtap-scale';
export const TABLE = `${STACK}-cursors`;
export const STREAM = `${STACK}-events`;
export const FAILED_QUEUE = `${STACK}-failed-invocations`;
/** `deployment.concurrency` left at its default, as the mapping's MaximumConcurrency. */
export const CONCURRENCY = 10;
/**
 * The function timeout the mappings enforce. A run stops requesting pages 30 s
 * before it (shared/core/budget.ts), so 60 s leaves 30 s of pulling: enough for
 * the runs of one key that overlap to share its rate, and less than the 4
 * attempts of 10 s a provider request gets, so the hanging instance is stopped
 * by its time budget rather than failing on its last attempt.
 */
export const FUNCTION_TIMEOUT_MS = 60_000;
/** The stack's rule: the function timeout plus a minute (infra/constructs/source-puller.ts). */
export const VISIBILITY_TIMEOUT_SECONDS = FUNCTION_TIMEOUT_MS / 1000 + 60;

export const HANGING = 'tencent-cloudaudit-007';
export const FAILING = 'huawei-dbss-013';

/** 20 sets: 10 Tencent (shared by CloudAudit and SSL), 5 UCloud, 5 Huawei; 200 instances. */
export const PLAN = [
  { type: 'tencent-cloudaudit', vendor: 'tencent', sets: 10, instances: 60 },
  { type: 'tencent-ssl', vendor: 'tencent', sets: 10, instances: 40 },
  { type: 'ucloud-operations', vendor: 'ucloud', sets: 5, instances: 50 },
  { type: 'huawei-dbss', vendor: 'huawei', sets: 5, instances: 50 },
] as const;
export type ScaleType = (typeof PLAN)[number]['type'];

/** Events in each Tencent store (one per type, which every instance of the type reads). */
const TENCENT_EVENTS = 8;
/**
 * Events per UCloud project and per DBSS audit instance (one each per instance), served
 * PAGE_SIZE a page: about ten requests a run, so runs behind one key overlap and must
 * share its rate.
 */
const INSTANCE_EVENTS = 16;
const PAGE_SIZE = 2;
const HUAWEI_PROJECT = '0123456789abcdef0123456789abcdef';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
/** Obviously fake keys per set, in each vendor's credential field names. */
const tencentKeys = (n: number) => ({ secretId: `AKIDscaleFakeSet${pad(n)}`, secretKey: `scaleFakeTencentKeyForTestsOnly${pad(n)}` });
const ucloudKeys = (n: number) => ({ publicKey: `scaleFakePublicKey${pad(n)}@example.com`, privateKey: `scaleFakeUCloudKeyForTestsOnly${pad(n)}` });
const huaweiKeys = (n: number) => ({ accessKeyId: `SCALEFAKEHUAWEIAK${pad(n)}`, secretAccessKey: `scaleFakeHuaweiSkForTestsOnly${pad(n)}` });
const KEYS: Record<string, (n: number) => Record<string, string>> = { tencent: tencentKeys, ucloud: ucloudKeys, huawei: huaweiKeys };
const keysOf = <K>(keys: (n: number) => K, sets: number) => Array.from({ length: sets }, (_, n) => keys(n));
const dbssInstanceId = (n: number) => `fedcba9876543210fedcba9876543210in${pad(n, 3)}`;

/** The dispatch path's clock: real time plus `shift`, which the scenario sets (see scale.test.ts). */
export interface ShiftedClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  shift: number;
}

export interface ScaleWorld {
  sqs: SqsServer;
  /** The deployed functions' SQS client (SDK defaults, aimed at the server). */
  sqsClient: SQSClient;
  db: TestDynamoDb;
  firehose: FirehoseServer;
  secrets: SecretsManagerServer;
  clock: ShiftedClock;
  table: DispatchTable;
  queues: Record<ScaleType, { url: string; arn: string }>;
  mappings: Record<ScaleType, EventSourceMapping>;
  /** Every record the mappings handed a handler: message id -> its PullMessage. */
  received: Map<string, PullMessage>;
  /** Source id -> the canonical keys (harness.recordKey) of the records its provider serves it. */
  served: Map<string, string[]>;
  /** Per simulator: requests, the most in any 1 s and throttles, per API + endpoint host + caller. */
  rateStats(): Record<ScaleType, RateStats[]>;
  /** Connections the hanging endpoint accepted (and never answered). */
  hangingConnections(): number;
  stop(): Promise<void>;
}

/** What the config file would say: named sets, defaults per type, and 200 instances round-robin over their vendor's sets. */
function configData(endpoints: Record<ScaleType, string>, hangingEndpoint: string) {
  const credentials = Object.fromEntries(
    PLAN.flatMap(({ vendor, sets }) => Array.from({ length: sets }, (_, n) => [`${vendor}-set-${pad(n)}`, { vendor }])),
  );
  // rate(1 minute): one dispatched minute starts every instance once.
  const defaults = Object.fromEntries(PLAN.map(({ type }) => [type, { schedule: 'rate(1 minute)', lag: '1m', start: '30m' }]));
  const sources = PLAN.flatMap(({ type, vendor, sets, instances }) =>
    Array.from({ length: instances }, (_, n) => {
      const id = `${type}-${pad(n, 3)}`;
      const entry: Record<string, unknown> = { id, type, credentials: `${vendor}-set-${pad(n % sets)}`, endpoint: id === HANGING ? hangingEndpoint : endpoints[type] };
      if (type === 'tencent-cloudaudit') entry.region = 'ap-guangzhou';
      if (type === 'ucloud-operations') entry.options = { projectId: `org-scale-${pad(n, 3)}`, maxResults: PAGE_SIZE };
      if (type === 'huawei-dbss') {
        Object.assign(entry, { region: 'cn-north-4', options: { projectId: HUAWEI_PROJECT, instanceId: dbssInstanceId(id === FAILING ? 999 : n), pageSize: PAGE_SIZE } });
      }
      return entry;
    }),
  );
  return { credentials, defaults, sources, deployment: { concurrency: CONCURRENCY } };
}

/** A server that accepts connections and never answers: a provider endpoint that hangs. */
async function startHangingServer(): Promise<{ url: string; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The puller function's environment, as the stack and the Lambda runtime set it, aimed at
 * the local servers; returns the process environment as it was, to restore.
 */
function setPullerEnvironment(db: TestDynamoDb, firehose: FirehoseServer, secrets: SecretsManagerServer): NodeJS.ProcessEnv {
  const saved = { ...process.env };
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS']) delete process.env[name];
  const env: Record<string, string> = {
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIALOCALSCALETEST',
    AWS_SECRET_ACCESS_KEY: 'local-scale-test-secret-access-key',
    // Any service without its own endpoint below goes nowhere rather than to AWS.
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    AWS_ENDPOINT_URL_FIREHOSE: firehose.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    CLOUDTAP_TABLE_NAME: TABLE,
    CLOUDTAP_DELIVERY_STREAM: STREAM,
    CLOUDTAP_STACK_NAME: STACK,
    POWERTOOLS_SERVICE_NAME: 'cloudtap',
    POWERTOOLS_METRICS_NAMESPACE: 'cloudtap',
  };
  Object.assign(process.env, env);
  // Powertools keeps getSecret's provider across imports: drop it so it is built from this environment.
  for (const name of Object.keys(DEFAULT_PROVIDERS)) delete DEFAULT_PROVIDERS[name];
  return saved;
}

/** Seed each simulator; returns each instance's served records, as canonical keys. */
function seedEvents(
  sources: readonly SourceInstanceConfig[],
  sims: { cloudaudit: Awaited<ReturnType<typeof startCloudAuditSimulator>>; ssl: Awaited<ReturnType<typeof startSslSimulator>>; ucloud: Awaited<ReturnType<typeof startUCloudOperationsSimulator>>; dbss: Awaited<ReturnType<typeof startDbssSimulator>> },
): Map<string, string[]> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  // Inside every run's first window (start 30m, lag 1m) whenever in the next few minutes it starts.
  const span = (seed: number, count = INSTANCE_EVENTS) => ({ count, from: nowSeconds - 1500, to: nowSeconds - 300, seed });
  const keys = (records: readonly unknown[]) => records.map((record) => recordKey(JSON.parse(JSON.stringify(record)))).sort();
  const audit = generateCloudAuditEvents(span(1201, TENCENT_EVENTS));
  sims.cloudaudit.cloudaudit.addEvents(audit);
  const certs = generateSslEvents(span(1202, TENCENT_EVENTS));
  sims.ssl.ssl.addEvents(certs);
  const served = new Map<string, string[]>();
  sources.forEach((source, index) => {
    switch (source.type) {
      case 'tencent-cloudaudit':
        return served.set(source.id, keys(audit.map((e) => e.record)));
      case 'tencent-ssl':
        return served.set(source.id, keys(certs.map((e) => e.record)));
      case 'ucloud-operations': {
        const events = generateOperationEvents(span(2000 + index)).map((e) => ({ ...e, projectId: (source.options as { projectId: string }).projectId }));
        sims.ucloud.operations.addEvents(events);
        return served.set(source.id, keys(events.map((e) => e.record)));
      }
      case 'huawei-dbss': {
        if (source.id === FAILING) return served.set(source.id, []);
        const events = generateDbssEvents(span(3000 + index));
        sims.dbss.dbss.addEvents(HUAWEI_PROJECT, (source.options as { instanceId: string }).instanceId, events);
        return served.set(source.id, keys(events.map((e) => e.record)));
      }
    }
  });
  served.set(HANGING, []);
  return served;
}

export async function startScaleWorld(): Promise<ScaleWorld> {
  const clock: ShiftedClock = {
    shift: 0,
    now: () => Date.now() + clock.shift,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
  const [sqs, db, firehose, secrets, hanging, cloudaudit, ssl, ucloud, dbss] = await Promise.all([
    startSqsServer({ now: () => clock.now() }),
    startDynamoDb(),
    startFirehoseServer({ streams: [STREAM] }),
    startSecretsManagerServer({ region: 'us-east-1' }),
    startHangingServer(),
    startCloudAuditSimulator({ credentials: keysOf(tencentKeys, 10), enforceRateLimit: true }),
    startSslSimulator({ credentials: keysOf(tencentKeys, 10), enforceRateLimit: true }),
    startUCloudOperationsSimulator({ credentials: keysOf(ucloudKeys, 5), enforceRateLimit: true }),
    startDbssSimulator({ credentials: keysOf(huaweiKeys, 5), enforceRateLimit: true }),
  ]);
  await db.createTable(TABLE);
  const servers = { 'tencent-cloudaudit': cloudaudit.server, 'tencent-ssl': ssl.server, 'ucloud-operations': ucloud.server, 'huawei-dbss': dbss.server };

  const endpoints = Object.fromEntries(Object.entries(servers).map(([type, server]) => [type, server.url])) as Record<ScaleType, string>;
  const config = parseConfig(configData(endpoints, hanging.url), registry, 'scale.yaml');
  // The table infra/stack.ts bundles for this configuration.
  const table = dispatchTableOf(config, STACK);
  for (const set of config.credentialSets) {
    secrets.putSecret(credentialSecretName(set, STACK), KEYS[set.vendor]!(Number(set.name.slice(-2))));
  }
  const served = seedEvents(config.sources, { cloudaudit, ssl, ucloud, dbss });

  const failed = sqs.createQueue(FAILED_QUEUE);
  const redrive = JSON.stringify({ deadLetterTargetArn: failed.arn, maxReceiveCount: 1 });
  const queues = Object.fromEntries(
    PLAN.map(({ type }) => [type, sqs.createQueue(`${STACK}-${type}`, { VisibilityTimeout: String(VISIBILITY_TIMEOUT_SECONDS), RedrivePolicy: redrive })]),
  ) as ScaleWorld['queues'];

  const savedEnv = setPullerEnvironment(db, firehose, secrets);
  // As Lambda's pollers and the dispatcher's SDK client do, with the SDK's default retries (the
  // server's own client makes one attempt): a delete lost to a reset connection is tried again.
  const sqsClient = new SQSClient({ endpoint: sqs.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIALOCALSCALETEST', secretAccessKey: 'local-scale-test-secret-access-key' } });
  const received = new Map<string, PullMessage>();
  const mappings = Object.fromEntries(
    PLAN.map(({ type }) => {
      // One function per type, built as its cold start builds it.
      const pull = createPullHandler(registry.get(type)!) as unknown as (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;
      const handler = (event: SQSEvent, context: Context) => {
        for (const record of event.Records) received.set(record.messageId, JSON.parse(record.body) as PullMessage);
        return pull(event, context);
      };
      const mapping = startEventSourceMapping({
        client: sqsClient,
        queueUrl: queues[type].url,
        queueArn: queues[type].arn,
        handler,
        batchSize: 1,
        maximumConcurrency: config.deployment.concurrency,
        reportBatchItemFailures: true,
        timeoutMs: FUNCTION_TIMEOUT_MS,
        functionName: `${STACK}-pull-${type}`,
        now: () => clock.now(),
      });
      return [type, mapping];
    }),
  ) as ScaleWorld['mappings'];

  return {
    sqs,
    sqsClient,
    db,
    firehose,
    secrets,
    clock,
    table,
    queues,
    mappings,
    received,
    served,
    rateStats: () => Object.fromEntries(Object.entries(servers).map(([type, server]) => [type, server.rateStats()])) as Record<ScaleType, RateStats[]>,
    hangingConnections: hanging.connections,
    async stop() {
      await Promise.all(Object.values(mappings).map((m) => m.stop()));
      sqsClient.destroy();
      process.env = savedEnv;
      await Promise.all([sqs.stop(), db.stop(), firehose.stop(), secrets.stop(), hanging.close(), ...Object.values(servers).map((s) => s.close())]);
    },
  };
}
