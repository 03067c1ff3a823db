import { DBSS_LIMITS } from '../shared/providers/huawei/dbss/limits';
import { CLOUDAUDIT_LIMITS } from '../shared/providers/tencent/cloudaudit/limits';
import { SSL_LIMITS } from '../shared/providers/tencent/ssl/limits';
import { UCLOUD_OPERATIONS_LIMITS } from '../shared/providers/ucloud/operations/limits';
import { startDbssSimulator } from './huawei/dbss';
import { generateDbssEvents } from './huawei/dbss-events';
import { generateCloudAuditEvents, startCloudAuditSimulator } from './tencent/cloudaudit';
import { generateSslEvents, startSslSimulator } from './tencent/ssl';
import { generateOperationEvents, startUCloudOperationsSimulator } from './ucloud/operations';

/**
 * Every provider API cloudtap simulates, started the same way: the demo and
 * the benchmarks go through this list, so a new API shows up in both.
 */
export interface SimulatedApi {
  type: string;
  /** Instance settings besides id, type and endpoint (region, options) that the simulator serves. */
  instanceInput: Record<string, unknown>;
  /** Obviously fake keys the simulator accepts, by credential field. */
  credentials: Record<string, string>;
  /** The documented (or assumed) request rate and the page size cloudtap asks for. */
  requestsPerSecond: number;
  pageSize: number;
  start(options: SimulationOptions): Promise<RunningSimulator>;
}

export interface SimulationOptions {
  /** Generated events with event times in [from, to] (unix seconds). */
  count: number;
  from: number;
  to: number;
  seed: number;
  /** A share of events that become visible late, by up to `maxDelaySeconds`. */
  late?: { fraction: number; maxDelaySeconds: number };
  latencyMs?: () => number;
  /** Answer the API's throttling error beyond its documented rate. */
  enforceRateLimit: boolean;
}

export interface RunningSimulator {
  endpoint: string;
  /** Requests the simulator answered for the API. */
  requests(): number;
  close(): Promise<void>;
}

const tencentKeys = { secretId: 'AKIDsimulatorOnlyNotASecret', secretKey: 'simulatorOnlyNotASecretKey' };
const ucloudKeys = { publicKey: 'simulatorOnlyPublicKey', privateKey: 'simulatorOnlyNotASecretKey' };
const huaweiKeys = { accessKeyId: 'SIMULATORONLYAKNOTASECRET', secretAccessKey: 'simulatorOnlyNotASecretKey' };
const dbssIds = { projectId: '0123456789abcdef0123456789abcdef', instanceId: 'fedcba9876543210fedcba9876543210in01' };

export const simulatedApis: SimulatedApi[] = [
  {
    type: 'tencent-cloudaudit',
    instanceInput: { region: 'ap-guangzhou' },
    credentials: tencentKeys,
    requestsPerSecond: CLOUDAUDIT_LIMITS.requestsPerSecond,
    pageSize: CLOUDAUDIT_LIMITS.maxResults,
    async start({ latencyMs, enforceRateLimit, ...events }) {
      const { server, cloudaudit } = await startCloudAuditSimulator({ credentials: [tencentKeys], latencyMs, enforceRateLimit });
      cloudaudit.addEvents(generateCloudAuditEvents(events));
      return { endpoint: server.url, requests: () => server.requestsFor('DescribeEvents').length, close: () => server.close() };
    },
  },
  {
    type: 'tencent-ssl',
    instanceInput: {},
    credentials: tencentKeys,
    requestsPerSecond: SSL_LIMITS.requestsPerSecond,
    pageSize: SSL_LIMITS.maxLimit,
    async start({ latencyMs, enforceRateLimit, ...events }) {
      const { server, ssl } = await startSslSimulator({ credentials: [tencentKeys], latencyMs, enforceRateLimit });
      ssl.addEvents(generateSslEvents(events));
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
    async start({ latencyMs, enforceRateLimit, ...events }) {
      const { server, operations } = await startUCloudOperationsSimulator({ credentials: [ucloudKeys], latencyMs, enforceRateLimit });
      operations.addEvents(generateOperationEvents(events));
      return { endpoint: server.url, requests: () => server.requestsFor('GetUserOperationEvents').length, close: () => server.close() };
    },
  },
  {
    type: 'huawei-dbss',
    instanceInput: { region: 'cn-north-4', options: dbssIds },
    credentials: huaweiKeys,
    requestsPerSecond: DBSS_LIMITS.requestsPerSecond,
    pageSize: DBSS_LIMITS.pageSize,
    async start({ latencyMs, enforceRateLimit, ...events }) {
      const { server, dbss } = await startDbssSimulator({ credentials: [huaweiKeys], instances: [dbssIds], latencyMs, enforceRateLimit });
      dbss.addEvents(dbssIds.projectId, dbssIds.instanceId, generateDbssEvents(events));
      return { endpoint: server.url, requests: () => server.requestsFor('dbss.operation-log').length, close: () => server.close() };
    },
  },
];
