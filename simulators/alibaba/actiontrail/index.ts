import { lastDay, recordsOf, type SimulatorEntry } from '../../common/simulated-api';
import { ALIBABA_SIMULATOR_KEYS } from '../keys';
import { generateActionTrailEvents, LOOKUP_EVENTS, startActionTrailSimulator } from './simulator';

export const simulatedApi: SimulatorEntry = {
  instanceInput: { region: 'cn-hangzhou' },
  credentials: ALIBABA_SIMULATOR_KEYS,
  demoEvents: 3000,
  async start({ latencyMs, enforceRateLimit, ...events }) {
    const { server, actiontrail } = await startActionTrailSimulator({ credentials: [ALIBABA_SIMULATOR_KEYS], latencyMs, enforceRateLimit });
    actiontrail.addEvents(generateActionTrailEvents(events));
    return { endpoint: server.url, requests: () => server.requestsFor(LOOKUP_EVENTS.action).length, rateStats: () => server.rateStats(), close: () => server.close() };
  },
  records: (count) => recordsOf(generateActionTrailEvents(lastDay(count))),
  pageBody: (Events, index) =>
    JSON.stringify({ RequestId: `BENCH-${index}`, StartTime: '2026-11-20T00:00:00Z', EndTime: '2026-11-21T00:00:00Z', NextToken: `bench-token-${index}`, Events }),
  parsePage: (body) => (JSON.parse(body) as { Events: unknown[] }).Events,
};
