/**
 * Runs the real pipeline (runSource) against a provider simulator, a real
 * DynamoDB API (dynalite) and a Firehose wire-API server, on one simulated
 * "now", and compares what Firehose acknowledged with what the simulator holds.
 *
 * Time. One SimulatedClock is the "now" of the simulator (event visibility,
 * signature expiry, its rate limit), of the pipeline (windows, lease expiry,
 * the time budget) and of every sleep: the provider client's rate limiter and
 * retry backoff and the sink's backoff wait in simulated time, not real time.
 * Sleeps wake in deadline order, concurrent ones overlapping as they would in
 * real time, and time stands still while a request is on its way to the
 * simulator (the harness holds the clock for every fetch to its endpoint), so
 * the simulator sees each request at the simulated instant it was sent. So
 * pacing costs no real time, the client's requests reach the simulator as far
 * apart as its limiter spaced them (whatever the lanes do meanwhile, the
 * simulator's rate limit, on at the API's documented rate, is never hit by a
 * client that paces: requests == pages unless a scenario injects a fault),
 * and a run's figures do not depend on machine speed. Between runs a
 * scenario moves the clock explicitly (`advance`), as the schedule would.
 * The one real-time piece is TimeBudget's abort timer (a setTimeout of the
 * simulated time left): with the default deadline it never fires; scenarios
 * that cut a run use it on purpose (a slow response) or cut by the clock. A
 * fetch started a few simulated ms before pulling time ends gets that many
 * real ms, so whether such a last page lands or is abandoned can differ from
 * run to run; those scenarios assert bounds ("at most one per lane").
 *
 * Lanes. The pipeline pages up to four windows side by side (as deployed);
 * which lane's request meets an armed simulator fault, or which delivery an
 * armed Firehose fault, then depends on timing, so scenarios assert what must
 * hold whichever it is. `parallelWindows: 1` makes a run strictly sequential
 * where a scenario wants per-page figures.
 */
import { inspect } from 'node:util';
import { DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { expect } from 'vitest';
import { parseConfig } from '../../shared/config/load';
import type { Registry } from '../../shared/providers/definition';
import { unixSeconds } from '../../shared/lib/clock';
import { canonicalJson } from '../../shared/lib/hashing';
import type { Log } from '../../shared/lib/logger';
import { runSource } from '../../shared/core/pipeline';
import type { RunSummary } from '../../shared/core/run-options';
import type { Page, PageRequest, Source, TimeWindow } from '../../shared/core/ports/source';
import { DynamoDbCursorStore, sourceKey } from '../../shared/cursor/dynamodb-store';
import type { Cursor, CursorStore, SourceState } from '../../shared/core/ports/cursor-store';
import type { EcsDocument } from '../../shared/ecs/document';
import type { SourceInstanceConfig } from '../../shared/providers/definition';
import { decodeLines } from '../../shared/sinks/encode';
import { FirehoseSink } from '../../shared/sinks/firehose-sink';
import type { Sink } from '../../shared/core/ports/sink';
import { startDynamoDb, type TestDynamoDb } from '../support/dynamodb';
import { startFirehoseServer, type FirehoseServer } from '../support/firehose-server';
import { SimulatedClock } from '../support/simulated-clock';
import type { FixtureFault, ProviderFixture, SimulatorHandle } from './fixture';

export const MINUTE = 60;
export const HOUR = 3600;
export const DAY = 86_400;

/** The simulated Lambda's timeout for an ordinary run (the puller's 15 minutes). */
export const DEFAULT_BUDGET_MS = 15 * 60_000;

// ---------------------------------------------------------------------------
// Shared servers

/** dynalite and the Firehose server, started once per test file. */
export interface Infrastructure {
  db: TestDynamoDb;
  firehose: FirehoseServer;
  stop(): Promise<void>;
}

export async function startInfrastructure(): Promise<Infrastructure> {
  const [db, firehose] = await Promise.all([startDynamoDb(), startFirehoseServer({ streams: [] })]);
  return {
    db,
    firehose,
    stop: async () => {
      await Promise.all([db.stop(), firehose.stop()]);
    },
  };
}

// ---------------------------------------------------------------------------
// Logs

/** A Log that keeps every line, extras rendered in full (nested errors included). */
export class RecordingLog implements Log {
  readonly lines: string[] = [];
  debug(message: string, extra?: Record<string, unknown>): void {
    this.put('debug', message, extra);
  }
  info(message: string, extra?: Record<string, unknown>): void {
    this.put('info', message, extra);
  }
  warn(message: string, extra?: Record<string, unknown>): void {
    this.put('warn', message, extra);
  }
  error(message: string, extra?: Record<string, unknown>): void {
    this.put('error', message, extra);
  }
  private put(level: string, message: string, extra?: Record<string, unknown>): void {
    this.lines.push(`${level} ${message}${extra ? ` ${inspect(extra, { depth: 12, breakLength: Infinity })}` : ''}`);
  }
}

/** Everything an error carries: message, stack, own fields and its causes, rendered. */
export const describeError = (error: unknown): string => inspect(error, { depth: 12, breakLength: Infinity });

// ---------------------------------------------------------------------------
// One run

/** One fetchPage call as the pipeline made it, and what came back. */
export interface FetchRecord {
  /** 1-based within its run. */
  n: number;
  window: TimeWindow;
  pageToken?: string;
  /** Set once the page arrived: how many records it carried. */
  records?: number;
  /** Event time of each record carried, in page order (undefined where the source cannot date it). */
  times?: (number | undefined)[];
  /**
   * Canonical keys of the records the pipeline delivers from this page: all
   * but those dated at or after the window's end, which it leaves to the
   * window that covers them (an API whose end bound is inclusive returns them).
   */
  keys?: string[];
  nextPageToken?: string;
  requestId?: string;
  /** Set when the fetch failed or was aborted. */
  error?: unknown;
}

/** The objects one Lambda container (or one CLI process) would build. */
export interface Process {
  store: CursorStore;
  sink: Sink;
  source: Source;
  /** Destroys SDK clients the process created itself. */
  close(): void;
}

export interface ScenarioRunOptions {
  /** Lease owner; default a fresh `run-N`. */
  owner?: string;
  /** Simulated ms from the start of the run to its hard deadline; default 15 minutes. */
  budgetMs?: number;
  /** Simulated ms kept back for the last delivery and checkpoint; default the pipeline's (30 s). */
  reserveMs?: number;
  /** Faults armed in the simulator just before the Nth fetchPage (1-based) of this run. */
  faultsBeforeFetch?: Record<number, FixtureFault[]>;
  /** Called just before the Nth delivery (1-based) reaches the sink, e.g. to arm Firehose faults. */
  beforeDelivery?: Record<number, () => void>;
  /** Wrap the run's store, e.g. to simulate a crash. */
  wrapStore?: (store: CursorStore) => CursorStore;
  /** Use these objects instead of a fresh process. */
  process?: Process;
  /** Credential values for the source; default the simulator's. */
  credentials?: Record<string, string>;
  /** Simulated time each fetchPage takes on top of the real request (a slow provider, in simulated time). */
  fetchLatencyMs?: number;
  /** Windows paged side by side; default the pipeline's (as the Lambda runs it). */
  parallelWindows?: number;
}

export interface RunOutcome {
  owner: string;
  summary?: RunSummary;
  error?: unknown;
  /** fetchPage calls of this run, in order. */
  fetches: FetchRecord[];
  /** Documents the sink acknowledged, per delivery, in order. */
  deliveries: EcsDocument[][];
  /** Requests the simulator received during this run. */
  requests: number;
  /** Simulated deadline (epoch ms) and the simulated time at the end of the run. */
  deadline: number;
  /** Simulated epoch ms at the run's start: its horizon is this, less the lag. */
  startedAt: number;
  endedAt: number;
  realMs: number;
}

/** A run that must have succeeded. */
export type OkRun = RunOutcome & { summary: RunSummary };

// ---------------------------------------------------------------------------
// Comparison

/**
 * Served vs delivered. With a range (`before`, `only`), every figure but
 * `unexpected` concerns only the served records in range and their deliveries.
 */
export interface Comparison {
  /** Records the simulator holds (in range). */
  served: number;
  /** Documents Firehose acknowledged (carrying a record in range). */
  delivered: number;
  /** Distinct served records delivered at least once. */
  unique: number;
  /** Copies served and never delivered. */
  lost: number;
  /** Copies delivered beyond the number served. */
  duplicated: number;
  /** Delivered documents whose record the simulator does not hold at all (whatever the range). */
  unexpected: number;
  /** Distinct `event.id`s among delivered documents. */
  distinctIds: number;
  /** Records whose repeated deliveries do not share their `event.id`. */
  idConflicts: number;
  lostRecords: unknown[];
  /** Canonical key of each duplicated record -> copies delivered beyond those served. */
  duplicatedCopies: Map<string, number>;
}

/** The canonical identity of a raw record: its JSON with sorted keys. */
export const recordKey = (record: unknown): string => canonicalJson(record);

/** The canonical identity of the raw record a document carries in `event.original`. */
export const documentKey = (document: EcsDocument): string => recordKey(JSON.parse(document.event.original));

/** A served record with its canonical key and event time. */
export interface ServedRecord {
  record: unknown;
  key: string;
  time: number;
}

/** A delivered document reduced to what the comparison needs. */
export interface DeliveredDocument {
  key: string;
  id: string;
}

/** Compare delivered documents with served records as multisets of canonical raw records. */
export function compareDeliveries(
  served: readonly ServedRecord[],
  documents: readonly DeliveredDocument[],
  inRange: (record: ServedRecord) => boolean = () => true,
): Comparison {
  const servedAll = new Set<string>();
  const expected = new Map<string, { count: number; record: unknown }>();
  for (const entry of served) {
    servedAll.add(entry.key);
    if (inRange(entry)) {
      const slot = expected.get(entry.key) ?? { count: 0, record: entry.record };
      slot.count++;
      expected.set(entry.key, slot);
    }
  }
  const delivered = new Map<string, { count: number; ids: Set<string> }>();
  let unexpected = 0;
  let deliveredInRange = 0;
  const ids = new Set<string>();
  for (const { key, id } of documents) {
    if (!servedAll.has(key)) {
      unexpected++;
      continue;
    }
    if (!expected.has(key)) continue;
    deliveredInRange++;
    ids.add(id);
    const slot = delivered.get(key) ?? { count: 0, ids: new Set<string>() };
    slot.count++;
    slot.ids.add(id);
    delivered.set(key, slot);
  }

  const comparison: Comparison = {
    served: 0,
    delivered: deliveredInRange,
    unique: 0,
    lost: 0,
    duplicated: 0,
    unexpected,
    distinctIds: ids.size,
    idConflicts: 0,
    lostRecords: [],
    duplicatedCopies: new Map(),
  };
  for (const [key, { count, record }] of expected) {
    comparison.served += count;
    const got = delivered.get(key);
    const copies = got?.count ?? 0;
    if (copies > 0) comparison.unique++;
    if (copies < count) {
      comparison.lost += count - copies;
      comparison.lostRecords.push(record);
    }
    if (copies > count) {
      comparison.duplicated += copies - count;
      comparison.duplicatedCopies.set(key, copies - count);
    }
    // n copies of one record deserve at most n ids: a redelivery must reuse its id.
    if (got && got.ids.size > count) comparison.idConflicts++;
  }
  return comparison;
}

/** What the simulator held and Firehose acknowledged at one moment; compare it over any range. */
export class DeliverySnapshot {
  constructor(
    readonly served: readonly ServedRecord[],
    readonly documents: readonly DeliveredDocument[],
    private readonly keyOf: (record: unknown) => string = recordKey,
  ) {}

  /**
   * `before` (unix seconds) limits the comparison to records dated earlier,
   * `only` to these records (e.g. one batch of events).
   */
  compare(options: { before?: number; only?: readonly unknown[] } = {}): Comparison {
    const { before, only } = options;
    const keys = only ? new Set(only.map(this.keyOf)) : undefined;
    return compareDeliveries(
      this.served,
      this.documents,
      (entry) => (before === undefined || entry.time < before) && (!keys || keys.has(entry.key)),
    );
  }
}

// ---------------------------------------------------------------------------
// A scenario: one fixture, one simulator, one source id, table and stream

export interface ScenarioOptions {
  /** The simulated "now" at the start (epoch ms). Default 2025-06-02T08:00:00Z. */
  startAt?: number;
  /** Where the source's first run starts (unix seconds), or a function of the source's limits. */
  startFrom: number | ((limits: SourceLimits) => number);
  /** The instance's `lag`; default the definition's. */
  lag?: string;
  /** How long one provider request may take (real ms); default the client's. */
  requestTimeoutMs?: number;
}

/** What a scenario may need to know to size its data before the first run. */
export interface SourceLimits {
  nowSeconds: number;
  lagSeconds: number;
  maxWindowSeconds: number;
  retentionSeconds: number;
}

let scenarioCount = 0;

export class Scenario {
  readonly sourceId: string;
  readonly tableName: string;
  readonly stream: string;
  readonly log = new RecordingLog();
  readonly runs: RunOutcome[] = [];
  private owners = 0;
  private readonly keysByRecord = new WeakMap<Buffer, DeliveredDocument[]>();
  private readonly keysByServed = new WeakMap<object, string>();

  private constructor(
    readonly fixture: ProviderFixture,
    readonly infra: Infrastructure,
    readonly clock: SimulatedClock,
    readonly sim: SimulatorHandle,
    readonly instance: SourceInstanceConfig,
    ids: { sourceId: string; tableName: string; stream: string },
    private readonly unhold: () => void,
    private readonly requestTimeoutMs?: number,
  ) {
    this.sourceId = ids.sourceId;
    this.tableName = ids.tableName;
    this.stream = ids.stream;
  }

  static async open(infra: Infrastructure, fixture: ProviderFixture, options: ScenarioOptions): Promise<Scenario> {
    const n = ++scenarioCount;
    const clock = new SimulatedClock(options.startAt ?? Date.UTC(2025, 5, 2, 8, 0, 0));
    const sim = await fixture.start({ now: () => clock.now() });
    const unhold = holdClockWhileRequesting(sim.endpoint, clock);
    try {
      const sourceId = `${fixture.type}-s${n}`;
      const registry: Registry = new Map([[fixture.definition.type, fixture.definition]]);
      const configure = (start: string) =>
        parseConfig(
          {
            sources: [
              {
                id: sourceId,
                type: fixture.type,
                endpoint: sim.endpoint,
                start,
                ...(options.lag ? { lag: options.lag } : {}),
                ...(sim.instance.region ? { region: sim.instance.region } : {}),
                options: sim.instance.options ?? {},
              },
            ],
          },
          registry,
          `scenario fixture ${fixture.type}`,
          // The start is checked against the provider's retention at the scenario's time, not the machine's.
          clock.now(),
        ).sources[0]!;
      let startFrom: number;
      if (typeof options.startFrom === 'number') {
        startFrom = options.startFrom;
      } else {
        const probe = configure('1d');
        const source = fixture.definition.create({ instance: probe, credentials: sim.credentials, clock, log: new RecordingLog() });
        startFrom = options.startFrom({
          nowSeconds: unixSeconds(clock.now()),
          lagSeconds: probe.lagSeconds,
          maxWindowSeconds: source.maxWindowSeconds,
          retentionSeconds: source.retentionSeconds,
        });
      }
      const instance = configure(new Date(startFrom * 1000).toISOString());
      const ids = { sourceId, tableName: `cursors-${n}`, stream: `stream-${n}` };
      await infra.db.createTable(ids.tableName);
      infra.firehose.createStream(ids.stream);
      return new Scenario(fixture, infra, clock, sim, instance, ids, unhold, options.requestTimeoutMs);
    } catch (error) {
      unhold();
      await sim.close();
      throw error;
    }
  }

  /** Where the source's first run starts (unix seconds). */
  get startFrom(): number {
    const { start } = this.instance;
    return 'at' in start ? start.at : unixSeconds(this.clock.now()) - start.lookbackSeconds;
  }

  get lagSeconds(): number {
    return this.instance.lagSeconds;
  }

  /** The simulated now, unix seconds. */
  get nowSeconds(): number {
    return unixSeconds(this.clock.now());
  }

  /** Move the simulated clock forward, as time passes between scheduled runs. */
  advance(seconds: number): void {
    this.clock.advance(seconds * 1000);
  }

  /** A source as the definition builds it (for its limits; it makes no request until asked). */
  createSource(credentials: Record<string, string> = this.sim.credentials): Source {
    return this.fixture.definition.create({
      instance: this.instance,
      credentials,
      clock: this.clock,
      log: this.log,
      timeoutMs: this.requestTimeoutMs,
    });
  }

  /**
   * A fresh set of objects, as a new Lambda container would build them. With
   * `freshClients` even the SDK clients are new, so nothing but DynamoDB
   * carries state from an earlier process; `configureDynamo` gets the new
   * DynamoDB client first (e.g. to add fault-injecting middleware).
   */
  newProcess(
    options: { freshClients?: boolean; credentials?: Record<string, string>; configureDynamo?: (client: DynamoDBClient) => void } = {},
  ): Process {
    const { db, firehose } = this.infra;
    const fresh = options.freshClients || options.configureDynamo !== undefined;
    const dynamo = fresh
      ? new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })
      : db.client;
    options.configureDynamo?.(dynamo);
    const firehoseClient = fresh
      ? new FirehoseClient({
          endpoint: firehose.endpoint,
          region: 'us-east-1',
          credentials: { accessKeyId: 'AKIDLOCALFIREHOSE', secretAccessKey: 'local-firehose-secret' },
          maxAttempts: 1,
        })
      : firehose.client;
    return {
      store: new DynamoDbCursorStore({ tableName: this.tableName, client: dynamo, clock: this.clock, sourceType: this.fixture.definition.type }),
      sink: new FirehoseSink({
        deliveryStreamName: this.stream,
        client: firehoseClient,
        clock: this.clock,
        log: this.log,
        random: () => 0.5,
      }),
      source: this.createSource(options.credentials),
      close: () => {
        if (fresh) {
          dynamo.destroy();
          firehoseClient.destroy();
        }
      },
    };
  }

  /** Run the pipeline once; never throws for a failed run (see `error`). */
  async run(options: ScenarioRunOptions = {}): Promise<RunOutcome> {
    const owner = options.owner ?? `run-${++this.owners}`;
    const own = options.process ?? this.newProcess({ credentials: options.credentials });
    const fetches: FetchRecord[] = [];
    const deliveries: EcsDocument[][] = [];
    const source = instrumentSource(own.source, fetches, async (n, signal) => {
      for (const fault of options.faultsBeforeFetch?.[n] ?? []) this.sim.inject(fault);
      if (options.fetchLatencyMs) await this.clock.sleep(options.fetchLatencyMs, signal);
    });
    const sink = instrumentSink(own.sink, deliveries, (n) => options.beforeDelivery?.[n]?.());
    const store = options.wrapStore ? options.wrapStore(own.store) : own.store;
    const requestsBefore = this.sim.requestCount();
    const startedAt = this.clock.now();
    const deadline = startedAt + (options.budgetMs ?? DEFAULT_BUDGET_MS);
    const realStart = performance.now();
    const outcome: RunOutcome = { owner, fetches, deliveries, requests: 0, deadline, startedAt, endedAt: 0, realMs: 0 };
    try {
      outcome.summary = await runSource({
        sourceId: this.sourceId,
        source,
        store,
        sink,
        owner,
        lagSeconds: this.instance.lagSeconds,
        start: this.instance.start,
        deadline,
        reserveMs: options.reserveMs,
        parallelWindows: options.parallelWindows,
        clock: this.clock,
        log: this.log,
      });
    } catch (error) {
      outcome.error = error;
    } finally {
      if (!options.process) own.close();
    }
    outcome.requests = this.sim.requestCount() - requestsBefore;
    outcome.endedAt = this.clock.now();
    outcome.realMs = performance.now() - realStart;
    this.runs.push(outcome);
    return outcome;
  }

  /** Run and expect success. */
  async runOk(options: ScenarioRunOptions = {}): Promise<OkRun> {
    const outcome = await this.run(options);
    if (outcome.error !== undefined || !outcome.summary) {
      throw new Error(`run ${outcome.owner} of ${this.sourceId} failed: ${describeError(outcome.error)}`);
    }
    return outcome as OkRun;
  }

  /** The source's state as a fresh reader sees it in DynamoDB. */
  async state(): Promise<SourceState | undefined> {
    return new DynamoDbCursorStore({ tableName: this.tableName, client: this.infra.db.client, clock: this.clock, sourceType: this.fixture.definition.type }).read(this.sourceId);
  }

  /** The raw DynamoDB item (lease attributes included). */
  async item(): Promise<Record<string, AttributeValue> | undefined> {
    const out = await this.infra.db.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: { pk: { S: sourceKey(this.fixture.definition.type, this.sourceId) } }, ConsistentRead: true }),
    );
    return out.Item;
  }

  /** Documents Firehose acknowledged for this scenario, in arrival order. */
  delivered(): EcsDocument[] {
    return this.infra.firehose.acknowledgedDocuments(this.stream);
  }

  /** Acknowledged documents as comparison keys; each record is decoded once and remembered. */
  private deliveredKeys(): DeliveredDocument[] {
    return this.infra.firehose.acknowledgedRecords(this.stream).flatMap((data) => {
      let keys = this.keysByRecord.get(data);
      if (!keys) {
        keys = decodeLines(data).map((document) => ({ key: documentKey(document), id: document.event.id }));
        this.keysByRecord.set(data, keys);
      }
      return keys;
    });
  }

  /** Firehose calls received for this scenario's stream. */
  firehoseCalls() {
    return this.infra.firehose.calls.filter((call) => call.stream === this.stream);
  }

  /** What the simulator holds and Firehose acknowledged, now. */
  snapshot(): DeliverySnapshot {
    const served = this.sim.records().map((record) => ({ record, key: this.keyOf(record), time: this.sim.eventTime(record) }));
    return new DeliverySnapshot(served, this.deliveredKeys(), (record) => this.keyOf(record));
  }

  /** A served record's key, remembered per record object (simulators may hand out the same objects again). */
  private keyOf(record: unknown): string {
    if (typeof record !== 'object' || record === null) return recordKey(record);
    let key = this.keysByServed.get(record);
    if (key === undefined) {
      key = recordKey(record);
      this.keysByServed.set(record, key);
    }
    return key;
  }

  /** Served vs delivered; see DeliverySnapshot.compare. */
  compare(options: { before?: number; only?: readonly unknown[] } = {}): Comparison {
    return this.snapshot().compare(options);
  }

  /** Everything before `windowStart` is delivered, exactly once, and nothing else is doubled. */
  async expectCursorInvariant(): Promise<Cursor> {
    const state = await this.state();
    const cursor = state?.cursor;
    expect(cursor, 'a cursor is stored').toBeDefined();
    const snapshot = this.snapshot();
    const comparison = snapshot.compare({ before: cursor!.windowStart });
    expect({ lost: comparison.lost, duplicated: snapshot.compare().duplicated, unexpected: comparison.unexpected }).toEqual({
      lost: 0,
      duplicated: 0,
      unexpected: 0,
    });
    return cursor!;
  }

  async close(): Promise<void> {
    this.unhold();
    await this.sim.close();
  }
}

// ---------------------------------------------------------------------------
// Instrumentation: delegates to the real objects, records what passed through

const realFetch = globalThis.fetch;
const clockByOrigin = new Map<string, SimulatedClock>();

/**
 * `fetch` as the provider clients call it. A request to a scenario's
 * simulator holds that scenario's clock until its whole answer is in (the
 * body read ahead, so what the client does next runs without real I/O in
 * between): no other lane's sleep can move time past it meanwhile.
 */
const heldFetch: typeof fetch = (input, init) => {
  const url = input instanceof Request ? input.url : String(input);
  const clock = clockByOrigin.get(new URL(url).origin);
  if (!clock) return realFetch(input, init);
  const answer = realFetch(input, init).then(async (response) => {
    const body = await response.arrayBuffer();
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  });
  return clock.hold(answer);
};

/**
 * Until the returned function is called, simulated time stands still while a
 * request to `endpoint` is on its way, so the simulator stamps it with the
 * instant the client sent it (see SimulatedClock). Other requests pass as they are.
 */
function holdClockWhileRequesting(endpoint: string, clock: SimulatedClock): () => void {
  const origin = new URL(endpoint).origin;
  clockByOrigin.set(origin, clock);
  globalThis.fetch = heldFetch;
  return () => {
    if (clockByOrigin.get(origin) === clock) clockByOrigin.delete(origin);
    if (clockByOrigin.size === 0) globalThis.fetch = realFetch;
  };
}

/** `source` with its fetchPage replaced (the rest delegated), for instrumenting and fault wrappers. */
export function withFetchPage(source: Source, fetchPage: (request: PageRequest) => Promise<Page<unknown>>): Source {
  return {
    type: source.type,
    maxWindowSeconds: source.maxWindowSeconds,
    retentionSeconds: source.retentionSeconds,
    idFromContent: source.idFromContent,
    eventTime: (raw) => source.eventTime(raw),
    normalize: (raw, context) => source.normalize(raw, context),
    fetchPage,
  };
}

function instrumentSource(
  source: Source,
  fetches: FetchRecord[],
  beforeFetch: (n: number, signal?: AbortSignal) => Promise<void>,
): Source {
  return withFetchPage(source, async (request: PageRequest): Promise<Page<unknown>> => {
    const record: FetchRecord = { n: fetches.length + 1, window: { ...request.window }, pageToken: request.pageToken };
    fetches.push(record);
    try {
      // Faults are armed synchronously, before the request can leave.
      await beforeFetch(record.n, request.signal);
      const page = await source.fetchPage(request);
      record.records = page.records.length;
      record.times = page.records.map((raw) => {
        try {
          const time = source.eventTime(raw);
          return Number.isFinite(time) ? time : undefined;
        } catch {
          return undefined;
        }
      });
      // As mapPage does: a record dated at or after the window's end is left to the next window.
      record.keys = page.records
        .filter((_, i) => {
          const time = record.times![i];
          return time === undefined || time < request.window.end;
        })
        .map(recordKey);
      record.nextPageToken = page.nextPageToken;
      record.requestId = page.requestId;
      return page;
    } catch (error) {
      record.error = error;
      throw error;
    }
  });
}

function instrumentSink(sink: Sink, deliveries: EcsDocument[][], beforeDelivery: (n: number) => void): Sink {
  let n = 0;
  return {
    name: sink.name,
    deliver: async (documents) => {
      beforeDelivery(++n);
      const report = await sink.deliver(documents);
      deliveries.push(documents);
      return report;
    },
    close: () => sink.close?.() ?? Promise.resolve(),
  };
}

/** Pages that arrived, in fetch order (fetches that failed or were aborted excluded). */
export const pagesOf = (outcome: RunOutcome): FetchRecord[] => outcome.fetches.filter((f) => f.records !== undefined);

/** A stable name for the page a fetch asked for. */
export const pageId = (fetch: Pick<FetchRecord, 'window' | 'pageToken'>): string =>
  `${fetch.window.start}-${fetch.window.end}#${fetch.pageToken ?? ''}`;

// ---------------------------------------------------------------------------
// Crash simulation

/** Thrown by CrashingStore: the process "died" here. */
export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
}

/**
 * A real store whose Nth checkpoint never happens: the process dies after the
 * sink acknowledged the page(s) and before the cursor is saved. A dead process
 * writes nothing more, so the lease is not released either: it must expire.
 * `saved` lists the cursors the store did save, in order.
 */
export function crashOnCheckpoint(nth: number): { wrap: (store: CursorStore) => CursorStore; saved: Cursor[] } {
  const saved: Cursor[] = [];
  const wrap = (store: CursorStore): CursorStore => {
    let checkpoints = 0;
    let dead = false;
    const alive = () => {
      if (dead) throw new SimulatedCrash('the process is gone');
    };
    return {
      acquire: async (...args) => (alive(), store.acquire(...args)),
      checkpoint: async (lease, cursor, ttlMs) => {
        alive();
        if (++checkpoints === nth) {
          dead = true;
          throw new SimulatedCrash(`process died before checkpoint ${nth}`);
        }
        const next = await store.checkpoint(lease, cursor, ttlMs);
        saved.push(structuredClone(cursor));
        return next;
      },
      // runSource's failure path tries this; a dead process never gets to write it.
      release: async (...args) => {
        if (!dead) await store.release(...args);
      },
      read: (...args) => store.read(...args),
    };
  };
  return { wrap, saved };
}

// ---------------------------------------------------------------------------
// Cursor checks

/**
 * Pages of a run the sink acknowledged: every record of the page is among the
 * run's deliveries (an empty page counts once it arrived).
 */
export function deliveredPages(outcome: RunOutcome): FetchRecord[] {
  const delivered = new Set(outcome.deliveries.flat().map(documentKey));
  return pagesOf(outcome).filter((page) => page.keys!.every((key) => delivered.has(key)));
}

/** The page fetches of one window, in the order its lane made them. */
const pagesOfWindow = (pages: readonly FetchRecord[], window: { start: number }) =>
  pages.filter((page) => page.window.start === window.start);

/**
 * The stored cursor says exactly what a run got acknowledged (all of its
 * checkpoints succeeded): open windows contiguous from `windowStart`, each
 * open window's token the next token of its last delivered page, a window
 * marked done only after its last page, and no delivered page of an open
 * region left out.
 */
export function expectCursorMatchesRun(cursor: Cursor | undefined, outcome: RunOutcome, previous?: Cursor): void {
  expect(cursor, 'a stored cursor').toBeDefined();
  const { windowStart, windows = [] } = cursor!;
  let edge = windowStart;
  for (const window of windows) {
    expect(window.start, 'open windows are contiguous from windowStart').toBe(edge);
    expect(window.end).toBeGreaterThan(window.start);
    edge = window.end;
  }
  if (windows.length > 0) expect(windows[0]!.done, 'a done head window is folded into windowStart').not.toBe(true);

  const pages = deliveredPages(outcome);
  for (const window of windows) {
    const own = pagesOfWindow(pages, window);
    const last = own.at(-1);
    if (!last) {
      const before = previous?.windows?.find((w) => w.start === window.start);
      expect(window.pageToken, `window ${window.start} had no page delivered in this run`).toBe(before?.pageToken);
      continue;
    }
    expect(last.window.end).toBe(window.end);
    if (window.done) expect(last.nextPageToken, `window ${window.start} is done`).toBeUndefined();
    else expect(window.pageToken, `window ${window.start} resumes after its last delivered page`).toBe(last.nextPageToken);
  }
  for (const page of pages) {
    if (page.window.end <= windowStart) continue;
    expect(
      windows.some((w) => w.start === page.window.start),
      `the window of delivered page ${pageId(page)} is in the cursor`,
    ).toBe(true);
  }
}

/** A run that starts from `cursor` resumes each open window at its stored token, and pages no done window again. */
export function expectResumesAt(cursor: Cursor, outcome: RunOutcome): void {
  for (const window of cursor.windows ?? []) {
    const first = outcome.fetches.find((fetch) => fetch.window.start === window.start);
    if (window.done) {
      expect(first, `done window ${window.start} is not paged again`).toBeUndefined();
      continue;
    }
    expect(first, `open window ${window.start} is resumed`).toBeDefined();
    expect({ end: first!.window.end, pageToken: first!.pageToken }).toEqual({ end: window.end, pageToken: window.pageToken });
  }
  for (const fetch of outcome.fetches) expect(fetch.window.end, 'nothing before windowStart is paged again').toBeGreaterThan(cursor.windowStart);
}
