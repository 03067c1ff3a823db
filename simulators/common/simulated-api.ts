import type { RateStats } from './http-simulator';

/**
 * What each simulators/<vendor>/<api>/index.ts exports as `simulatedApi`: how
 * to start its simulator and the realistic records and pages the demo, the
 * benchmarks and the tests use. The catalog adds what the API's source
 * definition already says (its type and pace).
 */
export interface SimulatorEntry {
  /** Instance settings besides id, type and endpoint (region, options) that the simulator serves. */
  instanceInput: Record<string, unknown>;
  /** Obviously fake keys the simulator accepts, by credential field. */
  credentials: Record<string, string>;
  /** Events the demo serves: about what a busy account logs in two days. */
  demoEvents: number;
  start(options: SimulationOptions): Promise<RunningSimulator>;
  /** Realistic records, as the API returns them. */
  records(count: number): unknown[];
  /** One response body holding `records`, in the API's envelope. */
  pageBody(records: unknown[], index: number): string;
  /** The records of one body, parsed the way the client parses it. */
  parsePage(body: string): unknown[];
}

/** A simulated API as the catalog lists it. */
export interface SimulatedApi extends SimulatorEntry {
  type: string;
  /** The documented request rate and the page size cloudtap asks for (the definition's pace). */
  requestsPerSecond: number;
  pageSize: number;
}

export interface SimulationOptions {
  /** Generated events with event times in [from, to] (unix seconds). */
  count: number;
  from: number;
  to: number;
  seed: number;
  /** A share of events that become visible late, by up to `maxDelaySeconds`. */
  late?: { fraction: number; maxDelaySeconds: number };
  latencyMs?: () => number;
  /** Answer the API's throttling error beyond its documented rate. */
  enforceRateLimit: boolean;
}

export interface RunningSimulator {
  endpoint: string;
  /** Requests the simulator answered for the API. */
  requests(): number;
  /** Per rate-limit key (API + endpoint host + caller): requests, the most in any 1 s, throttled. */
  rateStats(): RateStats[];
  close(): Promise<void>;
}

const DAY = 86_400;

/** A day of generated events up to now, fixed seed: what `records(count)` serves. */
export const lastDay = (count: number) => {
  const now = Math.floor(Date.now() / 1000);
  return { count, from: now - DAY, to: now, seed: 7 };
};

export const recordsOf = <T extends { record: unknown }>(events: T[]) => events.map((event) => event.record);
