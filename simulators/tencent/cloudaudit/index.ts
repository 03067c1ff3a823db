import { parseJson } from '../../../shared/providers/tencent/json';
import { lastDay, recordsOf, type SimulatorEntry } from '../../common/simulated-api';
import { TENCENT_SIMULATOR_KEYS } from '../keys';
import { generateCloudAuditEvents, startCloudAuditSimulator } from './simulator';

export const simulatedApi: SimulatorEntry = {
  instanceInput: { region: 'ap-guangzhou' },
  credentials: TENCENT_SIMULATOR_KEYS,
  demoEvents: 3000,
  async start({ latencyMs, enforceRateLimit, ...events }) {
    const { server, cloudaudit } = await startCloudAuditSimulator({ credentials: [TENCENT_SIMULATOR_KEYS], latencyMs, enforceRateLimit });
    cloudaudit.addEvents(generateCloudAuditEvents(events));
    return { endpoint: server.url, requests: () => server.requestsFor('DescribeEvents').length, rateStats: () => server.rateStats(), close: () => server.close() };
  },
  records: (count) => recordsOf(generateCloudAuditEvents(lastDay(count))),
  pageBody: (Events, index) =>
    // NextToken as the API sends it: a bare integer beyond 2^53.
    JSON.stringify({ Response: { Events, ListOver: false, NextToken: 0, RequestId: `bench-${index}` } }).replace(
      '"NextToken":0',
      `"NextToken":${16106961641644206n + BigInt(index)}`,
    ),
  parsePage: (body) => (parseJson(body, { bigIntegers: 'string' }) as { Response: { Events: unknown[] } }).Response.Events,
};
