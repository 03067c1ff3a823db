/**
 * DRAFT, NOT RUN: vitest collects `test/**\/*.test.ts` only; rename to
 * `scale.test.ts` once the parts below exist.
 *
 * The scale scenario of issue 12: 200 source instances over 20 credential sets,
 * deployed as the dispatch layout runs them: the dispatcher sends each due
 * start to its type's SQS queue with a delay; an event source mapping per type
 * (batch 1, MaximumConcurrency = deployment.concurrency) invokes that type's
 * puller; pullers share each credential set's documented rate through the
 * cursor table; records go to Firehose.
 *
 * Wired here, on real time: the SQS server (a queue per type and the stack's
 * failed-invocations queue, redrive maxReceiveCount 1, visibility = function
 * timeout + 60 s), dynalite with the cursor table, the Firehose and Secrets
 * Manager servers (one secret per set), and one simulator per source type
 * that knows every set of its vendor and enforces the documented rate per
 * caller. Missing (other helpers' work, in flight): the dispatcher
 * (`ScaleHooks.dispatchMinute`) and the SQS puller handler (`ScaleHooks.pullHandler`),
 * and the assertions, listed at the end.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { SourceInstanceConfig } from '../../shared/providers/definition';
import type { PullMessage } from '../../shared/runtime/invocation';
import type { RateStats } from '../../simulators/common/http-simulator';
import { startDbssSimulator } from '../../simulators/huawei/dbss/simulator';
import { startCloudAuditSimulator } from '../../simulators/tencent/cloudaudit/simulator';
import { startSslSimulator } from '../../simulators/tencent/ssl/simulator';
import { startUCloudOperationsSimulator } from '../../simulators/ucloud/operations/simulator';
import { startDynamoDb, type TestDynamoDb } from '../support/dynamodb';
import { startEventSourceMapping, type EventSourceMapping } from '../support/event-source-mapping';
import { startFirehoseServer, type FirehoseServer } from '../support/firehose-server';
import { startSecretsManagerServer, type SecretsManagerServer } from '../support/secrets-manager-server';
import { startSqsServer, type SqsServer } from '../support/sqs-server';

export const STACK = 'cloudtap-scale';
export const TABLE = `${STACK}-cursors`;
export const STREAM = `${STACK}-events`;
export const CONCURRENCY = 10;
export const FUNCTION_TIMEOUT_MS = 60_000;

/** 20 sets: 10 Tencent (shared by CloudAudit and SSL), 5 UCloud, 5 Huawei; 200 instances. */
const PLAN = [
  { type: 'tencent-cloudaudit', vendor: 'tencent', sets: 10, instances: 60 },
  { type: 'tencent-ssl', vendor: 'tencent', sets: 10, instances: 40 },
  { type: 'ucloud-operations', vendor: 'ucloud', sets: 5, instances: 50 },
  { type: 'huawei-dbss', vendor: 'huawei', sets: 5, instances: 50 },
] as const;
export type ScaleType = (typeof PLAN)[number]['type'];

const HUAWEI_IDS = { projectId: '0123456789abcdef0123456789abcdef', instanceId: 'fedcba9876543210fedcba9876543210in01' };

/** Obviously fake keys per set, in each vendor's credential field names. */
const pad = (n: number) => String(n).padStart(2, '0');
const tencentKeys = (n: number) => ({ secretId: `AKIDscaleFakeSet${pad(n)}`, secretKey: `scaleFakeTencentKeyForTestsOnly${pad(n)}` });
const ucloudKeys = (n: number) => ({ publicKey: `scaleFakePublicKey${pad(n)}@example.com`, privateKey: `scaleFakeUCloudKeyForTestsOnly${pad(n)}` });
const huaweiKeys = (n: number) => ({ accessKeyId: `SCALEFAKEHUAWEIAK${pad(n)}`, secretAccessKey: `scaleFakeHuaweiSkForTestsOnly${pad(n)}` });
const KEYS: Record<string, (n: number) => Record<string, string>> = { tencent: tencentKeys, ucloud: ucloudKeys, huawei: huaweiKeys };
const keysOf = <K>(keys: (n: number) => K, sets: number) => Array.from({ length: sets }, (_, n) => keys(n));

export interface ScaleInstance {
  source: SourceInstanceConfig;
  secretName: string;
}

/** The instances, round-robin over their vendor's sets, endpoints filled in once the simulators run. */
function planInstances(endpoints: Record<ScaleType, string>): ScaleInstance[] {
  return PLAN.flatMap(({ type, vendor, sets, instances }) =>
    Array.from({ length: instances }, (_, n) => {
      const set = `${vendor}-set-${pad(n % sets)}`;
      const source: SourceInstanceConfig = {
        id: `${type}-${String(n).padStart(3, '0')}`,
        type,
        region: vendor === 'huawei' ? 'cn-north-4' : vendor === 'tencent' ? 'ap-guangzhou' : undefined,
        schedule: 'rate(5 minutes)',
        lagSeconds: 60,
        start: { lookbackSeconds: 3600 },
        endpoint: endpoints[type],
        credentialSet: set,
        credentialEnv: {},
        enabled: true,
        options: vendor === 'huawei' ? HUAWEI_IDS : {},
      };
      return { source, secretName: `${STACK}/${set}` };
    }),
  );
}

/** What other helpers are building; the scenario runs once both are passed in. */
export interface ScaleHooks {
  /** The dispatcher for the calendar minute starting at `minuteMs`, sending to `queues` (type -> URL). TODO(dispatch). */
  dispatchMinute(minuteMs: number, instances: ScaleInstance[], queues: Record<string, string>): Promise<void>;
  /** The puller function of `type` as the event source mapping invokes it. TODO(puller). */
  pullHandler(type: ScaleType): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;
}

export interface ScaleWorld {
  sqs: SqsServer;
  db: TestDynamoDb;
  firehose: FirehoseServer;
  secrets: SecretsManagerServer;
  instances: ScaleInstance[];
  queues: Record<ScaleType, { url: string; arn: string }>;
  mappings: Record<ScaleType, EventSourceMapping>;
  /** Per simulator: requests, the most in any 1 s and throttles, per API + endpoint host + caller. */
  rateStats(): Record<ScaleType, RateStats[]>;
  stop(): Promise<void>;
}

export async function startScaleWorld(hooks: ScaleHooks): Promise<ScaleWorld> {
  const [sqs, db, firehose, secrets, cloudaudit, ssl, ucloud, huawei] = await Promise.all([
    startSqsServer(),
    startDynamoDb(),
    startFirehoseServer({ streams: [STREAM] }),
    startSecretsManagerServer({ region: 'us-east-1' }),
    startCloudAuditSimulator({ credentials: keysOf(tencentKeys, 10), enforceRateLimit: true }),
    startSslSimulator({ credentials: keysOf(tencentKeys, 10), enforceRateLimit: true }),
    startUCloudOperationsSimulator({ credentials: keysOf(ucloudKeys, 5), enforceRateLimit: true }),
    startDbssSimulator({ credentials: keysOf(huaweiKeys, 5), instances: [HUAWEI_IDS], enforceRateLimit: true }),
  ]);
  await db.createTable(TABLE);
  const servers = { 'tencent-cloudaudit': cloudaudit.server, 'tencent-ssl': ssl.server, 'ucloud-operations': ucloud.server, 'huawei-dbss': huawei.server };
  const instances = planInstances({
    'tencent-cloudaudit': servers['tencent-cloudaudit'].url,
    'tencent-ssl': servers['tencent-ssl'].url,
    'ucloud-operations': servers['ucloud-operations'].url,
    'huawei-dbss': servers['huawei-dbss'].url,
  });
  for (const { vendor, sets } of PLAN) {
    for (let n = 0; n < sets; n++) secrets.putSecret(`${STACK}/${vendor}-set-${pad(n)}`, KEYS[vendor]!(n));
  }

  const failed = sqs.createQueue(`${STACK}-failed-invocations`);
  const redrive = JSON.stringify({ deadLetterTargetArn: failed.arn, maxReceiveCount: 1 });
  const visibility = String(FUNCTION_TIMEOUT_MS / 1000 + 60);
  const queues = Object.fromEntries(
    PLAN.map(({ type }) => [type, sqs.createQueue(`${STACK}-${type}`, { VisibilityTimeout: visibility, RedrivePolicy: redrive })]),
  ) as ScaleWorld['queues'];
  const mappings = Object.fromEntries(
    PLAN.map(({ type }) => [
      type,
      startEventSourceMapping({
        client: sqs.client,
        queueUrl: queues[type].url,
        queueArn: queues[type].arn,
        handler: hooks.pullHandler(type),
        batchSize: 1,
        maximumConcurrency: CONCURRENCY,
        // The puller answers batchItemFailures, so the stack's mapping must turn this on (infra).
        reportBatchItemFailures: true,
        timeoutMs: FUNCTION_TIMEOUT_MS,
        functionName: `${STACK}-pull-${type}`,
      }),
    ]),
  ) as ScaleWorld['mappings'];

  return {
    sqs,
    db,
    firehose,
    secrets,
    instances,
    queues,
    mappings,
    rateStats: () => Object.fromEntries(Object.entries(servers).map(([type, server]) => [type, server.rateStats()])) as Record<ScaleType, RateStats[]>,
    async stop() {
      await Promise.all(Object.values(mappings).map((m) => m.stop()));
      await Promise.all([sqs.stop(), db.stop(), firehose.stop(), secrets.stop(), ...Object.values(servers).map((s) => s.close())]);
    },
  };
}

/** A message as the dispatcher sends it (for hooks and checks; the dispatcher owns the real one). */
export const pullMessageOf = (instance: ScaleInstance, dueAt: number, periodSeconds: number): PullMessage => ({ ...instance, dueAt, periodSeconds });

/*
 * TODO, the scenario itself (scale.test.ts), once the hooks exist:
 * 1. Set the puller environment as test/support/source-handler.ts does (endpoints of dynalite, Firehose,
 *    Secrets Manager; CLOUDTAP_TABLE_NAME = TABLE, CLOUDTAP_DELIVERY_STREAM = STREAM), import the real
 *    functions/pull/handler.ts per type (one module registry per type, as one Lambda function each).
 * 2. Call hooks.dispatchMinute for a few consecutive minutes (a 5-minute period: every instance due once).
 * 3. Assert, with literals:
 *    - every instance ran once per period (cursor items `source#<type>#<id>` advanced); no message in the
 *      failed-invocations queue; `sqs.counts` of every type queue empty at the end;
 *    - per simulator and caller: `throttled === 0` and `maxPerSecond` ≤ the documented rate
 *      (DescribeEvents 20, DescribeCertificateOperateLogs 10, GetUserOperationEvents 5, DBSS 5);
 *    - every mapping's `maxConcurrent` ≤ CONCURRENCY;
 *    - the Firehose holds each generated event exactly once.
 */
