import { lastDay, recordsOf, type SimulatorEntry } from '../../common/simulated-api';
import { generateDbssEvents, startDbssSimulator } from './simulator';

const keys = { accessKeyId: 'SIMULATORONLYAKNOTASECRET', secretAccessKey: 'simulatorOnlyNotASecretKey' };
const ids = { projectId: '0123456789abcdef0123456789abcdef', instanceId: 'fedcba9876543210fedcba9876543210in01' };

export const simulatedApi: SimulatorEntry = {
  instanceInput: { region: 'cn-north-4', options: ids },
  credentials: keys,
  demoEvents: 800,
  async start({ latencyMs, enforceRateLimit, ...events }) {
    const { server, dbss } = await startDbssSimulator({ credentials: [keys], instances: [ids], latencyMs, enforceRateLimit });
    dbss.addEvents(ids.projectId, ids.instanceId, generateDbssEvents(events));
    return { endpoint: server.url, requests: () => server.requestsFor('dbss.operation-log').length, rateStats: () => server.rateStats(), close: () => server.close() };
  },
  records: (count) => recordsOf(generateDbssEvents(lastDay(count))),
  pageBody: (operate_log) => JSON.stringify({ total_num: 1_000_000, operate_log }),
  parsePage: (body) => (JSON.parse(body) as { operate_log: unknown[] }).operate_log,
};
