import type { SourceDefinition } from '../../shared/providers/definition';

/**
 * What the correctness-contract scenarios need from one provider API: its
 * definition and a running simulator they can fill, fault and compare with.
 * Each API provides one (`test/scenarios/fixtures/<type>.ts`); the scenarios
 * in `contract.test.ts` run against every registered fixture.
 */
export interface ProviderFixture {
  type: string;
  definition: SourceDefinition<any>;
  /** Start the simulator; `now` is its clock (epoch ms), shared with the pipeline under test. */
  start(options: { now: () => number }): Promise<SimulatorHandle>;
}

/** Faults every simulator can inject on its next requests. */
export type FixtureFault =
  | { kind: 'throttle'; times: number }
  | { kind: 'server-error'; times: number }
  | { kind: 'malformed'; times: number }
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
   */
  addEvents(spec: {
    count: number;
    from: number;
    to: number;
    seed: number;
    late?: { fraction: number; maxDelaySeconds: number };
    identicalPairs?: number;
  }): void;
  /** Every raw record the simulator holds, as the API would serve it. */
  records(): unknown[];
  /** Event time (unix seconds) of a raw record, as the simulator dates it. */
  eventTime(record: unknown): number;
  inject(fault: FixtureFault): void;
  /** Requests the simulator answered, for rate and paging assertions. */
  requestCount(): number;
  close(): Promise<void>;
}
