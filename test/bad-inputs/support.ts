/**
 * What the bad-input cases share: every registered provider API as the scenario
 * suite runs them (simulator, fake keys, dynalite, the Firehose wire server,
 * the real pipeline), with a tampering proxy in front of each simulator, and
 * per API the few facts a case needs to bend its answers: where a page's
 * records sit, how its error envelope looks, which field dates a record.
 */
import { expect } from 'vitest';
import { SourceRunError } from '../../shared/lib/errors';
import { DynamoDbCursorStore } from '../../shared/cursor/dynamodb-store';
import type { Cursor } from '../../shared/core/ports/cursor-store';
import type { EcsDocument } from '../../shared/ecs/document';
import { definitions } from '../../shared/providers/registry';
import type { ProviderFixture, SimulatorHandle } from '../scenarios/fixture';
import { HOUR, Scenario, describeError, type Infrastructure, type RunOutcome, type ScenarioRunOptions } from '../scenarios/harness';
import type { Api } from './api';
import { TamperingProxy } from './tampering-proxy';

export type { Api, Json } from './api';
export { MINUTE, DAY, startInfrastructure } from '../scenarios/harness';

/**
 * Every registered API, for cases that hold for all: test/providers/<vendor>/<api>/bad-inputs.ts
 * exports it as `badInputApi`. A registered API without one fails here, by name.
 */
export const APIS: readonly Api[] = await Promise.all(
  definitions.map(async (definition) => {
    const where = `test/providers/${definition.vendor}/${definition.api}/bad-inputs.ts`;
    const module = (await import(new URL(`../providers/${definition.vendor}/${definition.api}/bad-inputs.ts`, import.meta.url).href).catch(
      (error: unknown) => {
        throw new Error(`${definition.type} has no bad-input description at ${where}`, { cause: error });
      },
    )) as { badInputApi?: Api };
    if (module.badInputApi?.type !== definition.type) throw new Error(`${where} exports no badInputApi of ${definition.type}`);
    return module.badInputApi;
  }),
);

// ---------------------------------------------------------------------------
// A case: one API behind a tampering proxy, one source id, table and stream

/** The simulated "now" every case starts at (the scenario default), and where its first run starts. */
export const NOW = Date.UTC(2025, 5, 2, 8, 0, 0) / 1000;
export const START = NOW - HOUR;

/** One window, one lane: a run's pages come in a fixed order. */
export const ONE_LANE: ScenarioRunOptions = { parallelWindows: 1 };

export interface Case {
  api: Api;
  scenario: Scenario;
  proxy: TamperingProxy;
  /** The simulator behind the proxy. */
  sim: SimulatorHandle;
}

/** Open a scenario for `api` whose first run starts at START, with `events` records in its first half hour. */
export async function openCase(infra: Infrastructure, api: Api, options: { events?: number; seed?: number } = {}): Promise<Case> {
  let proxy: TamperingProxy | undefined;
  let inner: SimulatorHandle | undefined;
  const fixture: ProviderFixture = {
    ...api.fixture,
    async start(startOptions) {
      const sim = (inner = await api.fixture.start(startOptions));
      const proxied = (proxy = await TamperingProxy.start(sim.endpoint));
      const close = async () => {
        await proxied.close();
        await sim.close();
      };
      return { ...sim, endpoint: proxied.url, close };
    },
  };
  const scenario = await Scenario.open(infra, fixture, { startFrom: START });
  const { events = 10, seed = 7 } = options;
  if (events > 0) scenario.sim.addEvents({ count: events, from: START, to: START + 30 * 60, seed });
  return { api, scenario, proxy: proxy!, sim: inner! };
}

// ---------------------------------------------------------------------------
// Assertions every case makes

/** The run failed; returns its error message, checked to name the source and to hold no credential. */
export function failureOf(c: Case, outcome: RunOutcome, credentials: Record<string, string> = c.sim.credentials): string {
  expect(outcome.error, 'the run fails').toBeInstanceOf(SourceRunError);
  const error = outcome.error as SourceRunError;
  expect(error.message.startsWith(`source ${c.scenario.sourceId}: `), error.message).toBe(true);
  expectNoSecret(describeError(error), credentials);
  expectNoSecret(c.scenario.log.lines.join('\n'), credentials);
  return error.message;
}

/** No credential value (4+ characters: ids and keys alike) appears in `text`. */
export function expectNoSecret(text: string, credentials: Record<string, string>): void {
  const searched = Object.entries(credentials).filter(([, value]) => value.length >= 4);
  expect(searched.length, 'some credential is long enough to search for').toBeGreaterThan(0);
  for (const [field, value] of searched) expect(text.includes(value), `${field} must not appear`).toBe(false);
}

/** The raw records (`event.original`) of every document Firehose acknowledged for the case. */
export function deliveredRaw(c: Case): unknown[] {
  return c.scenario.delivered().map((document) => JSON.parse(document.event.original) as unknown);
}

/** Documents delivered raw because their record could not be mapped (`event.kind: pipeline_error`). */
export const pipelineErrors = (documents: readonly EcsDocument[]): EcsDocument[] =>
  documents.filter((document) => document.event.kind === 'pipeline_error');

/** Every record the simulator holds reached Firehose exactly once, beside `extra` documents it never held (injected records). */
export function expectEachDeliveredOnce(c: Case, extra = 0): void {
  const { served, lost, duplicated, unexpected } = c.scenario.compare();
  expect(served, 'the case serves records').toBeGreaterThan(0);
  expect({ lost, duplicated, unexpected }).toEqual({ lost: 0, duplicated: 0, unexpected: extra });
}

/** The cursor as stored: undefined while no page has ever been acknowledged. */
export async function storedCursor(c: Case) {
  return (await c.scenario.state())?.cursor;
}

/** The request id the simulator gave its `n`th request (1-based). */
export const requestId = (c: Case, n: number): string => {
  const id = c.sim.requestIds()[n - 1];
  if (id === undefined) throw new Error(`the simulator answered fewer than ${n} requests`);
  return id;
};

/** Store `cursor` for the case's source, as an earlier run (or an older cloudtap) would have left it. */
export async function presetCursor(c: Case, cursor: Cursor): Promise<void> {
  const store = new DynamoDbCursorStore({ tableName: c.scenario.tableName, client: c.scenario.infra.db.client, clock: c.scenario.clock, sourceType: c.scenario.fixture.definition.type });
  const { lease } = await store.acquire(c.scenario.sourceId, 'earlier-run', 60_000);
  const held = await store.checkpoint(lease, cursor, 60_000);
  await store.release(held, { at: c.scenario.clock.now() });
}
