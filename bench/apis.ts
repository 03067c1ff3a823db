import type { Clock } from '../shared/lib/clock';
import type { Log } from '../shared/lib/logger';
import type { Source } from '../shared/core/ports/source';
import { parseConfig } from '../shared/config/load';
import { DAY_SECONDS, formatDuration } from '../shared/lib/duration';
import { registry } from '../shared/providers/registry';
import { simulatedApis, type SimulatedApi } from '../simulators/catalog';

/** A simulated API with its realistic records and page envelope. */
export type BenchApi = SimulatedApi;

/** Every registered API, as the benchmarks measure it. */
export const benchApis: readonly BenchApi[] = simulatedApis;

/** A validated source instance of `api` aimed at `endpoint`. */
export function benchInstance(api: Pick<SimulatedApi, 'type' | 'instanceInput'>, endpoint: string) {
  // 30 days back, or as far as the API keeps events if that is less: a start beyond it is refused.
  const start = formatDuration(Math.min(30 * DAY_SECONDS, registry.get(api.type)!.retentionSeconds));
  return parseConfig(
    { sources: [{ id: 'bench', type: api.type, endpoint, start, lag: '1m', ...api.instanceInput }] },
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
