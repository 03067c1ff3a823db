import type { Clock } from '../shared/core/clock';
import type { Log } from '../shared/core/logger';
import type { Source } from '../shared/core/source';
import { parseConfig } from '../shared/config/load';
import { registry } from '../shared/providers/registry';
import { CLOUDAUDIT_LIMITS } from '../shared/providers/tencent/cloudaudit/source';
import { SSL_LIMITS } from '../shared/providers/tencent/ssl/source';
import { UCLOUD_OPERATIONS_LIMITS } from '../shared/providers/ucloud/operations/source';
import { DBSS_LIMITS } from '../shared/providers/huawei/dbss/source';
import { parseJson } from '../shared/providers/tencent/json';
import { generateCloudAuditEvents, startCloudAuditSimulator } from '../simulators/tencent/cloudaudit';
import { generateSslEvents, startSslSimulator } from '../simulators/tencent/ssl';
import { generateOperationEvents, startUCloudOperationsSimulator } from '../simulators/ucloud/operations';
import { startDbssSimulator } from '../simulators/huawei/dbss';
import { generateDbssEvents } from '../simulators/huawei/dbss-events';

/** A running simulator the pull benchmarks point a source at. */
export interface BenchSimulator {
  endpoint: string;
  requests(): number;
  close(): Promise<void>;
}

export interface SimulatorOptions {
  count: number;
  /** Unix seconds. */
  from: number;
  to: number;
  latencyMs?: () => number;
  enforceRateLimit: boolean;
}

/** What the benchmarks need to know about one provider API. */
export interface BenchApi {
  type: string;
  /** Instance settings besides id, type and endpoint (region, options). */
  instanceInput: Record<string, unknown>;
  /** Fake keys the simulator accepts. */
  credentials: Record<string, string>;
  /** The documented (or assumed) request rate and the page size cloudtap asks for: their product is the pull ceiling. */
  requestsPerSecond: number;
  pageSize: number;
  /** Realistic records, as the API returns them. */
  records(count: number): unknown[];
  /** One response body holding `records`, in the API's envelope. */
  pageBody(records: unknown[], index: number): string;
  /** The records of one body, parsed the way the client parses it. */
  parsePage(body: string): unknown[];
  startSimulator(options: SimulatorOptions): Promise<BenchSimulator>;
}

const DAY = 86_400;
const now = () => Math.floor(Date.now() / 1000);
const tencentKeys = { secretId: 'AKIDbenchmarkOnlyNotASecret', secretKey: 'benchmarkOnlyNotASecretKey' };
const ucloudKeys = { publicKey: 'benchmarkOnlyPublicKey', privateKey: 'benchmarkOnlyNotASecretKey' };
const huaweiKeys = { accessKeyId: 'BENCHMARKONLYAKNOTASECRET', secretAccessKey: 'benchmarkOnlyNotASecretKey' };
const dbssIds = { projectId: '0123456789abcdef0123456789abcdef', instanceId: 'fedcba9876543210fedcba9876543210in01' };

/** A validated source instance of `api` aimed at `endpoint`. */
export function benchInstance(api: Pick<BenchApi, 'type' | 'instanceInput'>, endpoint: string) {
  return parseConfig(
    { sources: [{ id: 'bench', type: api.type, endpoint, start: '30d', lag: '1m', ...api.instanceInput }] },
    registry,
  ).sources[0]!;
}

/** The source under test, built by its definition; `requestsPerSecond` lifts the API's pace (memory benchmark only). */
export function createBenchSource(
  api: BenchApi,
  endpoint: string,
  options: { clock: Clock; log: Log; requestsPerSecond?: number },
): Source {
  return registry.get(api.type)!.create({ instance: benchInstance(api, endpoint), credentials: api.credentials, ...options });
}

/** Page bodies holding `count` records, `pageSize` a page. */
export function pageBodies(api: BenchApi, count: number): string[] {
  const records = api.records(count);
  const bodies: string[] = [];
  for (let i = 0; i < records.length; i += api.pageSize) bodies.push(api.pageBody(records.slice(i, i + api.pageSize), bodies.length));
  return bodies;
}

const recordsOf = <T extends { record: unknown }>(events: T[]) => events.map((event) => event.record);

export const benchApis: BenchApi[] = [
  {
    type: 'tencent-cloudaudit',
    instanceInput: { region: 'ap-guangzhou' },
    credentials: tencentKeys,
    requestsPerSecond: CLOUDAUDIT_LIMITS.requestsPerSecond,
    pageSize: CLOUDAUDIT_LIMITS.maxResults,
    records: (count) => recordsOf(generateCloudAuditEvents({ count, from: now() - DAY, to: now(), seed: 7 })),
    pageBody: (Events, index) =>
      // NextToken as the API sends it: a bare integer beyond 2^53.
      JSON.stringify({ Response: { Events, ListOver: false, NextToken: 0, RequestId: `bench-${index}` } }).replace(
        '"NextToken":0',
        `"NextToken":${16106961641644206n + BigInt(index)}`,
      ),
    parsePage: (body) => (parseJson(body, { bigIntegers: 'string' }) as { Response: { Events: unknown[] } }).Response.Events,
    async startSimulator({ count, from, to, latencyMs, enforceRateLimit }) {
      const { server, cloudaudit } = await startCloudAuditSimulator({ credentials: [tencentKeys], latencyMs, enforceRateLimit });
      cloudaudit.addEvents(generateCloudAuditEvents({ count, from, to, seed: 11 }));
      return { endpoint: server.url, requests: () => server.requestsFor('DescribeEvents').length, close: () => server.close() };
    },
  },
  {
    type: 'tencent-ssl',
    instanceInput: {},
    credentials: tencentKeys,
    requestsPerSecond: SSL_LIMITS.requestsPerSecond,
    pageSize: SSL_LIMITS.maxLimit,
    records: (count) => recordsOf(generateSslEvents({ count, from: now() - DAY, to: now(), seed: 7 })),
    pageBody: (OperateLogs, index) =>
      JSON.stringify({ Response: { AllTotal: 1_000_000, TotalCount: OperateLogs.length, OperateLogs, RequestId: `bench-${index}` } }),
    parsePage: (body) => (parseJson(body, { bigIntegers: 'string' }) as { Response: { OperateLogs: unknown[] } }).Response.OperateLogs,
    async startSimulator({ count, from, to, latencyMs, enforceRateLimit }) {
      const { server, ssl } = await startSslSimulator({ credentials: [tencentKeys], latencyMs, enforceRateLimit });
      ssl.addEvents(generateSslEvents({ count, from, to, seed: 11 }));
      return {
        endpoint: server.url,
        requests: () => server.requestsFor('DescribeCertificateOperateLogs').length,
        close: () => server.close(),
      };
    },
  },
  {
    type: 'ucloud-operations',
    instanceInput: {},
    credentials: ucloudKeys,
    requestsPerSecond: UCLOUD_OPERATIONS_LIMITS.requestsPerSecond,
    pageSize: UCLOUD_OPERATIONS_LIMITS.maxResults,
    records: (count) => recordsOf(generateOperationEvents({ count, from: now() - DAY, to: now(), seed: 7 })),
    pageBody: (Events, index) =>
      JSON.stringify({ Action: 'GetUserOperationEventsResponse', RetCode: 0, Events, NextToken: `bench-${index + 1}` }),
    parsePage: (body) => (JSON.parse(body) as { Events: unknown[] }).Events,
    async startSimulator({ count, from, to, latencyMs, enforceRateLimit }) {
      const { server, operations } = await startUCloudOperationsSimulator({ credentials: [ucloudKeys], latencyMs, enforceRateLimit });
      operations.addEvents(generateOperationEvents({ count, from, to, seed: 11 }));
      return { endpoint: server.url, requests: () => server.requestsFor('GetUserOperationEvents').length, close: () => server.close() };
    },
  },
  {
    type: 'huawei-dbss',
    instanceInput: { region: 'cn-north-4', options: dbssIds },
    credentials: huaweiKeys,
    requestsPerSecond: DBSS_LIMITS.requestsPerSecond,
    pageSize: DBSS_LIMITS.pageSize,
    records: (count) => recordsOf(generateDbssEvents({ count, from: now() - DAY, to: now(), seed: 7 })),
    pageBody: (operate_log) => JSON.stringify({ total_num: 1_000_000, operate_log }),
    parsePage: (body) => (JSON.parse(body) as { operate_log: unknown[] }).operate_log,
    async startSimulator({ count, from, to, latencyMs, enforceRateLimit }) {
      const { server, dbss } = await startDbssSimulator({ credentials: [huaweiKeys], instances: [dbssIds], latencyMs, enforceRateLimit });
      dbss.addEvents(dbssIds.projectId, dbssIds.instanceId, generateDbssEvents({ count, from, to, seed: 11 }));
      return { endpoint: server.url, requests: () => server.requestsFor('dbss.operation-log').length, close: () => server.close() };
    },
  },
];
