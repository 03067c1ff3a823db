import type { Clock } from '../shared/core/clock';
import type { Log } from '../shared/core/logger';
import type { Source } from '../shared/core/source';
import { parseConfig } from '../shared/config/load';
import { registry } from '../shared/providers/registry';
import { CloudAuditSource, CLOUDAUDIT_LIMITS } from '../shared/providers/tencent/cloudaudit/source';
import { parseJson } from '../shared/providers/tencent/json';
import { generateCloudAuditEvents, startCloudAuditSimulator } from '../simulators/tencent/cloudaudit';

/** A running simulator the pull benchmarks can point a source at. */
export interface BenchSimulator {
  endpoint: string;
  requests(): number;
  close(): Promise<void>;
}

/** What the benchmarks need to know about one provider API. */
export interface BenchApi {
  type: string;
  /** Instance settings besides id, type and endpoint (region, options). */
  instanceInput: Record<string, unknown>;
  /** Fake keys the simulator accepts. */
  credentials: Record<string, string>;
  /** The documented request rate and page size: their product is the pull ceiling. */
  requestsPerSecond: number;
  pageSize: number;
  /** One response body per page, as the API sends it, holding `count` realistic records. */
  pageBodies(count: number): string[];
  /** The records of one body, parsed the way the client parses it. */
  parsePage(body: string): unknown[];
  startSimulator(options: { count: number; from: number; to: number; latencyMs?: () => number; enforceRateLimit: boolean }): Promise<BenchSimulator>;
  /** The source under test aimed at `endpoint`; `requestsPerSecond` lifts the documented rate (memory benchmark only). */
  createSource(endpoint: string, options: { clock: Clock; log: Log; requestsPerSecond?: number }): Source;
}

const DAY = 86_400;
const fakeKeys = { secretId: 'AKIDbenchmarkOnlyNotASecret', secretKey: 'benchmarkOnlyNotASecretKey' };

/** A validated source instance of `api` aimed at `endpoint`. */
export function benchInstance(api: Pick<BenchApi, 'type' | 'instanceInput'>, endpoint: string) {
  return parseConfig(
    { sources: [{ id: 'bench', type: api.type, endpoint, start: '30d', lag: '1m', ...api.instanceInput }] },
    registry,
  ).sources[0]!;
}

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

const cloudAudit: BenchApi = {
  type: 'tencent-cloudaudit',
  instanceInput: { region: 'ap-guangzhou' },
  credentials: fakeKeys,
  requestsPerSecond: CLOUDAUDIT_LIMITS.requestsPerSecond,
  pageSize: CLOUDAUDIT_LIMITS.maxResults,
  pageBodies(count) {
    const now = Math.floor(Date.now() / 1000);
    const events = generateCloudAuditEvents({ count, from: now - DAY, to: now, seed: 7 }).map((event) => event.record);
    return chunk(events, CLOUDAUDIT_LIMITS.maxResults).map((page, index) =>
      JSON.stringify({ Response: { Events: page, ListOver: false, NextToken: 16106961641644206 + index, RequestId: `bench-${index}` } }),
    );
  },
  parsePage: (body) => ((parseJson(body, { bigIntegers: 'string' }) as any).Response.Events as unknown[]),
  async startSimulator({ count, from, to, latencyMs, enforceRateLimit }) {
    const { server, cloudaudit } = await startCloudAuditSimulator({ credentials: [fakeKeys], latencyMs, enforceRateLimit });
    cloudaudit.addEvents(generateCloudAuditEvents({ count, from, to, seed: 11 }));
    return { endpoint: server.url, requests: () => server.requestsFor('DescribeEvents').length, close: () => server.close() };
  },
  createSource: (endpoint, { clock, log, requestsPerSecond }) =>
    new CloudAuditSource({ instance: benchInstance(cloudAudit, endpoint) as never, credentials: fakeKeys, clock, log, requestsPerSecond }),
};

export const benchApis: BenchApi[] = [cloudAudit];
