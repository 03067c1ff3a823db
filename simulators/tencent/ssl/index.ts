import { parseJson } from '../../../shared/providers/tencent/json';
import { lastDay, recordsOf, type SimulatorEntry } from '../../common/simulated-api';
import { TENCENT_SIMULATOR_KEYS } from '../keys';
import { generateSslEvents, startSslSimulator } from './simulator';

export const simulatedApi: SimulatorEntry = {
  instanceInput: {},
  credentials: TENCENT_SIMULATOR_KEYS,
  demoEvents: 400,
  async start({ latencyMs, enforceRateLimit, ...events }) {
    const { server, ssl } = await startSslSimulator({ credentials: [TENCENT_SIMULATOR_KEYS], latencyMs, enforceRateLimit });
    ssl.addEvents(generateSslEvents(events));
    return {
      endpoint: server.url,
      requests: () => server.requestsFor('DescribeCertificateOperateLogs').length,
      rateStats: () => server.rateStats(),
      close: () => server.close(),
    };
  },
  records: (count) => recordsOf(generateSslEvents(lastDay(count))),
  pageBody: (OperateLogs, index) =>
    JSON.stringify({ Response: { AllTotal: 1_000_000, TotalCount: OperateLogs.length, OperateLogs, RequestId: `bench-${index}` } }),
  parsePage: (body) => (parseJson(body, { bigIntegers: 'string' }) as { Response: { OperateLogs: unknown[] } }).Response.OperateLogs,
};
