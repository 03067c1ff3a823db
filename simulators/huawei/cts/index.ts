import { lastDay, recordsOf, type SimulatorEntry } from '../../common/simulated-api';
import { generateCtsTraces, startCtsSimulator } from './simulator';

const keys = { accessKeyId: 'SIMULATORONLYAKNOTASECRET', secretAccessKey: 'simulatorOnlyNotASecretKey' };
const projectId = '0123456789abcdef0123456789abcdef';

export const simulatedApi: SimulatorEntry = {
  instanceInput: { region: 'cn-north-4', options: { projectId } },
  credentials: keys,
  demoEvents: 1500,
  async start({ latencyMs, enforceRateLimit, ...events }) {
    const { server, cts } = await startCtsSimulator({ credentials: [keys], projects: [projectId], latencyMs, enforceRateLimit });
    cts.addTraces(projectId, generateCtsTraces(events));
    return { endpoint: server.url, requests: () => server.requestsFor('cts.traces').length, rateStats: () => server.rateStats(), close: () => server.close() };
  },
  records: (count) => recordsOf(generateCtsTraces(lastDay(count))),
  pageBody: (traces) => JSON.stringify({ traces, meta_data: { count: traces.length, marker: null } }),
  parsePage: (body) => (JSON.parse(body) as { traces: unknown[] }).traces,
};
