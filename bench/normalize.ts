import { performance } from 'node:perf_hooks';
import { mapPage } from '../shared/core/map-page';
import { encodeDocument } from '../shared/sinks/encode';
import { systemClock } from '../shared/lib/clock';
import { silentLog } from '../shared/lib/logger';
import { createBenchSource, pageBodies, type BenchApi } from './apis';

export interface NormalizeResult {
  type: string;
  events: number;
  bytes: number;
  /** Events per second through JSON.parse of the same page bodies and JSON.stringify of the same output documents: the serialization floor. */
  bareEventsPerSecond: number;
  /** Events per second through the client's parse, mapping to ECS and NDJSON encoding. */
  normalizedEventsPerSecond: number;
  ratio: number;
}

/** Best of `rounds` timings, after a warm-up round, so JIT and GC noise count least. */
function bestRate(events: number, rounds: number, run: () => void): number {
  run();
  let best = Infinity;
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    run();
    best = Math.min(best, performance.now() - start);
  }
  return events / (best / 1000);
}

/**
 * Normalization cost on one core, against the floor any JSON pipeline pays:
 * parsing the same raw pages and serializing the same output documents. The
 * ratio (normalizeRatio) is the figure.
 */
export function benchNormalize(api: BenchApi, events = 20_000, rounds = 5): NormalizeResult {
  const bodies = pageBodies(api, events);
  const bytes = bodies.reduce((total, body) => total + Buffer.byteLength(body), 0);
  const source = createBenchSource(api, 'http://127.0.0.1:1', { clock: systemClock, log: silentLog });
  const window = { start: 0, end: 2 ** 31 };
  const context = { sourceId: 'bench', ingested: new Date().toISOString() };
  let sink = 0;

  const documents = bodies.flatMap((body) => mapPage(source, api.parsePage(body), window, context).documents);
  const bare = bestRate(events, rounds, () => {
    for (const body of bodies) sink += (JSON.parse(body) as unknown[]) === null ? 0 : 1;
    for (const document of documents) sink += JSON.stringify(document).length;
  });
  const normalized = bestRate(events, rounds, () => {
    for (const body of bodies) {
      for (const document of mapPage(source, api.parsePage(body), window, context).documents) sink += encodeDocument(document).length;
    }
  });
  if (sink === 0) throw new Error('nothing was measured');
  return { type: api.type, events, bytes, bareEventsPerSecond: bare, normalizedEventsPerSecond: normalized, ratio: normalized / bare };
}
