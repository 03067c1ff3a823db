import { performance } from 'node:perf_hooks';
import { compileRules } from '../shared/detection/compile';
import { defaultRules } from '../shared/config/default-rules';
import { createDetector } from '../shared/detection/engine';
import type { BenchApi } from './apis';
import { realisticPages } from './cost';
import { benchNormalize } from './normalize';

export interface DetectionResult {
  type: string;
  events: number;
  rules: number;
  /** Alerts the whole pack raised over the events (the generators include sensitive actions). */
  alerts: number;
  /** Events per second through the client's parse, mapping to ECS and NDJSON encoding (bench/normalize.ts). */
  normalizedEventsPerSecond: number;
  /** Events per second through the whole default pack, alerts built included. */
  detectionEventsPerSecond: number;
  /** The same over only the events that raise no alert: the steady state of an account. */
  quietEventsPerSecond: number;
  /** Detection's share of the per-event CPU time of normalize + detect. */
  detectionShare: number;
}

/** Best of `rounds` timings after a warm-up, as bench/normalize.ts measures. */
function bestSeconds(rounds: number, run: () => void): number {
  run();
  let best = Infinity;
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    run();
    best = Math.min(best, performance.now() - start);
  }
  return best / 1000;
}

/** Microseconds to validate and compile the default pack (a cold start's cost). */
export function benchCompile(rounds = 50): number {
  return bestSeconds(rounds, () => compileRules(defaultRules)) * 1e6;
}

/**
 * Rule evaluation on one core: the whole default pack over realistic mapped
 * documents of one API, page by page as the pipeline calls it, a fresh
 * detector per round (threshold counts are per run).
 */
export function benchDetection(api: BenchApi, events = 20_000, rounds = 5): DetectionResult {
  const pages = realisticPages(api, events);
  const total = pages.reduce((n, page) => n + page.length, 0);
  const pack = compileRules(defaultRules);
  let alerts = 0;
  const seconds = bestSeconds(rounds, () => {
    const detector = createDetector({ rules: pack });
    alerts = 0;
    for (const page of pages) alerts += detector.evaluate(page).length;
  });
  const detection = total / seconds;
  const alerted = new Set(createDetector({ rules: pack }).evaluate(pages.flat()).map((alert) => alert.event.event.id));
  const quietPages = pages.map((page) => page.filter((document) => !alerted.has(document.event.id)));
  const quietTotal = quietPages.reduce((n, page) => n + page.length, 0);
  const quietSeconds = bestSeconds(rounds, () => {
    const detector = createDetector({ rules: pack });
    for (const page of quietPages) detector.evaluate(page);
  });
  const normalized = benchNormalize(api, events, rounds).normalizedEventsPerSecond;
  return {
    type: api.type,
    events: total,
    rules: pack.rules.length,
    alerts,
    normalizedEventsPerSecond: normalized,
    detectionEventsPerSecond: detection,
    quietEventsPerSecond: quietTotal / quietSeconds,
    detectionShare: 1 / detection / (1 / detection + 1 / normalized),
  };
}
