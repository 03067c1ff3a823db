import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../shared/lib/clock';
import { silentLog } from '../shared/lib/logger';
import { runSource } from '../shared/core/pipeline';
import { FileCursorStore } from '../shared/cursor/file-store';
import { createBenchSource, type BenchApi } from './apis';
import { CountingSink } from './counting-sink';

export interface PullRateResult {
  type: string;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  requestsPerSecond: number;
  /** Reached rate over the ceiling (documented requests/s x page size). */
  fractionOfCeiling: number;
  /** Requests the simulator refused with the API's throttling error, over all requests. */
  throttledShare: number;
  latency: string;
}

/**
 * Pull a backlog from the simulator holding the API to its documented rate,
 * with a realistic round trip on every request, through the real pipeline
 * (file cursor store, a sink that encodes but discards).
 */
export async function benchPullRate(api: BenchApi, events: number, latency = { min: 60, max: 140 }): Promise<PullRateResult> {
  const now = Math.floor(Date.now() / 1000);
  const simulator = await api.start({
    count: events,
    from: now - 2 * 86_400,
    to: now - 3600,
    seed: 11,
    latencyMs: () => latency.min + Math.random() * (latency.max - latency.min),
    enforceRateLimit: true,
  });
  const directory = await mkdtemp(join(tmpdir(), 'cloudtap-bench-'));
  try {
    const started = Date.now();
    const summary = await runSource({
      sourceId: 'bench',
      source: createBenchSource(api, simulator.endpoint, { clock: systemClock, log: silentLog }),
      store: new FileCursorStore({ directory }),
      sink: new CountingSink(),
      owner: 'bench',
      lagSeconds: 60,
      start: { lookbackSeconds: 3 * 86_400 },
      deadline: Date.now() + 3_600_000,
    });
    const seconds = (Date.now() - started) / 1000;
    const stats = simulator.rateStats();
    const requests = stats.reduce((sum, stat) => sum + stat.requests, 0);
    const throttled = stats.reduce((sum, stat) => sum + stat.throttled, 0);
    if (summary.delivered !== events) throw new Error(`pulled ${summary.delivered} of ${events} events`);
    return {
      type: api.type,
      events,
      seconds,
      eventsPerSecond: events / seconds,
      requestsPerSecond: simulator.requests() / seconds,
      fractionOfCeiling: events / seconds / (api.requestsPerSecond * api.pageSize),
      throttledShare: requests === 0 ? 0 : throttled / requests,
      latency: `${latency.min}-${latency.max} ms`,
    };
  } finally {
    await simulator.close();
    await rm(directory, { recursive: true, force: true });
  }
}
