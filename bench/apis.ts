import type { Clock } from '../shared/lib/clock';
import type { Log } from '../shared/lib/logger';
import type { Source } from '../shared/core/ports/source';
import { parseConfig } from '../shared/config/load';
import { registry } from '../shared/providers/registry';
import { parseJson } from '../shared/providers/tencent/json';
import { simulatedApis, type SimulatedApi } from '../simulators/catalog';
import { generateDbssEvents } from '../simulators/huawei/dbss-events';
import { generateCloudAuditEvents } from '../simulators/tencent/cloudaudit';
import { generateSslEvents } from '../simulators/tencent/ssl';
import { generateOperationEvents } from '../simulators/ucloud/operations';

/** What the benchmarks add to a simulated API: its records and its page envelope. */
export interface BenchApi extends SimulatedApi {
  /** Realistic records, as the API returns them. */
  records(count: number): unknown[];
  /** One response body holding `records`, in the API's envelope. */
  pageBody(records: unknown[], index: number): string;
  /** The records of one body, parsed the way the client parses it. */
  parsePage(body: string): unknown[];
}

const DAY = 86_400;
const now = () => Math.floor(Date.now() / 1000);

/** A validated source instance of `api` aimed at `endpoint`. */
export function benchInstance(api: Pick<SimulatedApi, 'type' | 'instanceInput'>, endpoint: string) {
  return parseConfig(
    { sources: [{ id: 'bench', type: api.type, endpoint, start: '30d', lag: '1m', ...api.instanceInput }] },
    registry,
  ).sources[0]!;
}

/** The source under test, built by its definition; `requestsPerSecond` lifts the API's pace (memory benchmark only). */
export function createBenchSource(
  api: SimulatedApi,
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

const simulated = (type: string) => simulatedApis.find((api) => api.type === type)!;

export const benchApis: BenchApi[] = [
  {
    ...simulated('tencent-cloudaudit'),
    records: (count) => recordsOf(generateCloudAuditEvents({ count, from: now() - DAY, to: now(), seed: 7 })),
    pageBody: (Events, index) =>
      // NextToken as the API sends it: a bare integer beyond 2^53.
      JSON.stringify({ Response: { Events, ListOver: false, NextToken: 0, RequestId: `bench-${index}` } }).replace(
        '"NextToken":0',
        `"NextToken":${16106961641644206n + BigInt(index)}`,
      ),
    parsePage: (body) => (parseJson(body, { bigIntegers: 'string' }) as { Response: { Events: unknown[] } }).Response.Events,
  },
  {
    ...simulated('tencent-ssl'),
    records: (count) => recordsOf(generateSslEvents({ count, from: now() - DAY, to: now(), seed: 7 })),
    pageBody: (OperateLogs, index) =>
      JSON.stringify({ Response: { AllTotal: 1_000_000, TotalCount: OperateLogs.length, OperateLogs, RequestId: `bench-${index}` } }),
    parsePage: (body) => (parseJson(body, { bigIntegers: 'string' }) as { Response: { OperateLogs: unknown[] } }).Response.OperateLogs,
  },
  {
    ...simulated('ucloud-operations'),
    records: (count) => recordsOf(generateOperationEvents({ count, from: now() - DAY, to: now(), seed: 7 })),
    pageBody: (Events, index) =>
      JSON.stringify({ Action: 'GetUserOperationEventsResponse', RetCode: 0, Events, NextToken: `bench-${index + 1}` }),
    parsePage: (body) => (JSON.parse(body) as { Events: unknown[] }).Events,
  },
  {
    ...simulated('huawei-dbss'),
    records: (count) => recordsOf(generateDbssEvents({ count, from: now() - DAY, to: now(), seed: 7 })),
    pageBody: (operate_log) => JSON.stringify({ total_num: 1_000_000, operate_log }),
    parsePage: (body) => (JSON.parse(body) as { operate_log: unknown[] }).operate_log,
  },
];
