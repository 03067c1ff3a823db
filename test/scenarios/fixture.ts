import { mulberry32 } from '../../simulators/common/random';
import type { SourceDefinition } from '../../shared/providers/definition';

/**
 * What the correctness-contract scenarios need from one provider API: its
 * definition, how it pages, and a running simulator they can fill, fault and
 * compare with. Each API provides one (`test/providers/<vendor>/<api>/scenario.ts`);
 * the scenarios in `contract.test.ts` run against every registered fixture.
 */
export interface ProviderFixture {
  type: string;
  definition: SourceDefinition<any>;
  /**
   * Records a page holds at most, as the fixture configures the API (its
   * page-size option, or the simulator's cap) and the simulator enforces it.
   * Every fixture keeps it small (50) so that a few hundred records span many
   * pages and every scenario's figures hold whatever the API's own maximum.
   */
  pageSize: number;
  /**
   * Where a page may end. `anywhere`: after `pageSize` records, so every page
   * of a window but its last holds exactly `pageSize`. `between-seconds`: the
   * source never ends a page inside a second: it drops the records of the
   * page's last second and reads them all again on the next page (Tencent
   * SSL's keyset paging), unless a whole page is one second, which it then
   * continues inside.
   */
  pageBoundary: 'anywhere' | 'between-seconds';
  /**
   * Whether records carry the provider's own id (then `event.id` is that id),
   * or not (then `event.id` hashes the record's content and two records
   * identical in every field are told apart by their occurrence).
   */
  providerIds: boolean;
  /** Start the simulator; `now` is its clock (epoch ms), shared with the pipeline under test. */
  start(options: { now: () => number }): Promise<SimulatorHandle>;
}

/**
 * Faults every simulator can inject on its next requests, each the API's own
 * answer: `throttle` its throttling error, `server-error` a 5xx, `slow` a
 * delay (real ms) before the normal answer, `malformed` an answer of the
 * wrong shape that still carries the API's request id (in its envelope or
 * header), so the run must fail naming that request, `truncated` the normal
 * answer cut in half (a complete HTTP message whose JSON stops midway), and
 * `reset` the connection dropped without an answer.
 */
export type FixtureFault =
  | { kind: 'throttle'; times: number }
  | { kind: 'server-error'; times: number }
  | { kind: 'malformed'; times: number }
  | { kind: 'truncated'; times: number }
  | { kind: 'reset'; times: number }
  | { kind: 'slow'; delayMs: number; times: number };

export interface SimulatorHandle {
  /** The instance's `endpoint` override. */
  endpoint: string;
  /** Everything a source instance of this type needs besides id, type and endpoint. */
  instance: { region?: string; options?: Record<string, unknown> };
  /** Credential field -> value, as the definition's credentialFields name them (fake keys only). */
  credentials: Record<string, string>;
  /**
   * Add `count` generated, realistic records with event times in [from, to]
   * (unix seconds), deterministic for `seed`. `late` makes a share of them
   * visible only up to `maxDelaySeconds` after their event time.
   * `identicalPairs` adds that many pairs of records identical in every field
   * (for APIs without ids) or sharing the same second (for APIs with ids).
   * `sameSecond` adds `count` records all dated second `at`, identical in
   * every field (APIs without ids) or in every field but their ids.
   */
  addEvents(spec: AddEventsSpec): void;
  /** Every raw record the simulator holds, as the API would serve it. */
  records(): unknown[];
  /** Event time (unix seconds) of a raw record, as the simulator dates it. */
  eventTime(record: unknown): number;
  inject(fault: FixtureFault): void;
  /** Requests the simulator answered, for rate and paging assertions. */
  requestCount(): number;
  /** Faults actually acted out so far (not merely armed), by kind. */
  faultsActed(): FaultTally;
  /** The request ids the simulator issued, in the order it received the requests. */
  requestIds(): string[];
  close(): Promise<void>;
}

/** What `SimulatorHandle.addEvents` is asked to add. */
export interface AddEventsSpec {
  count: number;
  from: number;
  to: number;
  seed: number;
  late?: { fraction: number; maxDelaySeconds: number };
  identicalPairs?: number;
  sameSecond?: { at: number; count: number };
}

/**
 * The events `spec` asks of an API whose records carry ids: `generate`d ones,
 * then each of `identicalPairs` as two twins (`twins(second, 2, seed)`: equal
 * but for their ids) in a second drawn deterministically from the seed, then
 * the `sameSecond` run of twins.
 */
export function eventsWithTwins<Event>(
  { count, from, to, seed, late, identicalPairs = 0, sameSecond }: AddEventsSpec,
  generate: (options: { count: number; from: number; to: number; seed: number; late?: AddEventsSpec['late'] }) => Event[],
  twins: (second: number, count: number, seed: number) => Event[],
): Event[] {
  const events = count > 0 ? generate({ count, from, to, seed, late }) : [];
  // Where each pair falls, deterministically.
  const random = mulberry32(seed ^ 0x5eed);
  for (let pair = 0; pair < identicalPairs; pair++) {
    const second = from + Math.floor(random() * (to - from + 1));
    events.push(...twins(second, 2, (seed * 7919 + pair + 1) >>> 0));
  }
  if (sameSecond) events.push(...twins(sameSecond.at, sameSecond.count, (seed * 7919) >>> 0));
  return events;
}

export type FaultTally = Partial<Record<FixtureFault['kind'], number>>;

/** The contract's name for each vendor fault kind a simulator logs as `fault:<kind>`. */
const CONTRACT_KIND: Record<string, FixtureFault['kind']> = {
  throttle: 'throttle',
  http500: 'server-error',
  internal: 'server-error',
  slow: 'slow',
  malformed: 'malformed',
  truncated: 'truncated',
  reset: 'reset',
};

/** A simulator's log of the requests for one action or route, as the scenarios count them. */
export interface RequestLog {
  requestsFor(key: string): readonly { requestId: string; outcome: string }[];
}

/** A handle's request counts, acted faults (`extra`: those the fixture acts out itself) and request ids, from the simulator's log of `key`. */
export function requestsOf(server: RequestLog, key: string, extra: () => FaultTally = () => ({})): Pick<SimulatorHandle, 'requestCount' | 'faultsActed' | 'requestIds'> {
  return {
    requestCount: () => server.requestsFor(key).length,
    faultsActed: () => tallyFaults(server.requestsFor(key).map((request) => request.outcome), extra()),
    requestIds: () => server.requestsFor(key).map((request) => request.requestId),
  };
}

/** Tally a simulator's request outcomes (`fault:<kind>`), plus faults a fixture acts out itself. */
export function tallyFaults(outcomes: readonly string[], extra: FaultTally = {}): FaultTally {
  const tally: FaultTally = { ...extra };
  for (const outcome of outcomes) {
    const kind = outcome.startsWith('fault:') ? CONTRACT_KIND[outcome.slice('fault:'.length)] : undefined;
    if (kind) tally[kind] = (tally[kind] ?? 0) + 1;
  }
  return tally;
}
