import { lastDay, recordsOf, type SimulatorEntry } from '../../common/simulated-api';
import { generateOperationEvents, startUCloudOperationsSimulator } from './simulator';

const keys = { publicKey: 'simulatorOnlyPublicKey', privateKey: 'simulatorOnlyNotASecretKey' };

export const simulatedApi: SimulatorEntry = {
  instanceInput: {},
  credentials: keys,
  demoEvents: 1500,
  async start({ latencyMs, enforceRateLimit, ...events }) {
    const { server, operations } = await startUCloudOperationsSimulator({ credentials: [keys], latencyMs, enforceRateLimit });
    operations.addEvents(generateOperationEvents(events));
    return { endpoint: server.url, requests: () => server.requestsFor('GetUserOperationEvents').length, rateStats: () => server.rateStats(), close: () => server.close() };
  },
  records: (count) => recordsOf(generateOperationEvents(lastDay(count))),
  pageBody: (Events, index) => JSON.stringify({ Action: 'GetUserOperationEventsResponse', RetCode: 0, Events, NextToken: `bench-${index + 1}` }),
  parsePage: (body) => (JSON.parse(body) as { Events: unknown[] }).Events,
};
