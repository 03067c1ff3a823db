/**
 * What the bad-input cases share: the four provider APIs as the scenario
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
import { formatBeijingTime } from '../../shared/providers/tencent/ssl/beijing-time';
import { dbssRecordTime, formatDbssTime, generateDbssEvents, startDbssSimulator, type DbssEventRecord } from '../../simulators/huawei/dbss/simulator';
import { IAM_TOKENS_ROUTE, type IamSimulator } from '../../simulators/huawei/iam';
import { parseJson, stringifyJson } from '../../shared/providers/tencent/json';
import type { ProviderFixture, SimulatorHandle } from '../scenarios/fixture';
import { huaweiDbssFixture } from '../scenarios/fixtures/huawei-dbss';
import { tencentCloudAuditFixture } from '../scenarios/fixtures/tencent-cloudaudit';
import { tencentSslFixture } from '../scenarios/fixtures/tencent-ssl';
import { ucloudOperationsFixture } from '../scenarios/fixtures/ucloud-operations';
import { HOUR, Scenario, describeError, type Infrastructure, type RunOutcome, type ScenarioRunOptions } from '../scenarios/harness';
import { TamperingProxy, withBody, type ProxiedAnswer } from './tampering-proxy';

export { MINUTE, DAY, startInfrastructure } from '../scenarios/harness';

type Json = Record<string, any>;

/** One provider API and how its answers are shaped. */
export interface Api {
  type: 'tencent-cloudaudit' | 'tencent-ssl' | 'ucloud-operations' | 'huawei-dbss';
  fixture: ProviderFixture;
  /** The field of a record that dates it. */
  timeField: string;
  /** How the API writes unix seconds `seconds` in that field. */
  formatTime(seconds: number): unknown;
  /** A free-text field of a record (a user name, a description). */
  textField: string;
  /** The answer's list of records, as a schema error names it. */
  listField: string;
  /** The response header carrying the request id; Tencent sends it only in the body. */
  requestIdHeader?: string;
  /** The records of a successful answer body. */
  records(body: Json): Json[];
  /**
   * The body with `records` (or anything else, to bend its shape) in place of
   * its list, and the totals the API reports moved by as many records.
   */
  withRecords(body: Json, records: unknown): Json;
  /** A copy of `record` that is a distinct event (its own id, or for id-less APIs its own content). */
  distinct(record: Json, tag: string): Json;
  /**
   * The API's own error answer for `code` (a RetCode for UCloud), as its
   * gateway sends it, keeping the request id of `answer` (body or header).
   * `status` only matters to Huawei, whose errors are HTTP 4xx/5xx (default 400).
   */
  errorAnswer(answer: ProxiedAnswer, code: string | number, message: string, status?: number): ProxiedAnswer;
}

const json = (answer: ProxiedAnswer): Json => parseJson(answer.body.toString('utf8'), { bigIntegers: 'JsonInteger' }) as Json;

/** How many more records `records` holds than `list` (0 when it is not a list). */
const added = (list: unknown[] | null | undefined, records: unknown): number => (Array.isArray(records) ? records.length - (list ?? []).length : 0);

/** Tencent API 3.0 answers errors with HTTP 200 and Response.Error; the request id is in the body only. */
const tencentErrorAnswer: Api['errorAnswer'] = (answer, code, message) =>
  withBody(answer, stringifyJson({ Response: { Error: { Code: code, Message: message }, RequestId: json(answer).Response.RequestId } }));

export const cloudAudit: Api = {
  type: 'tencent-cloudaudit',
  fixture: tencentCloudAuditFixture,
  timeField: 'EventTime',
  formatTime: (seconds) => seconds,
  textField: 'Username',
  listField: 'Events',
  records: (body) => body.Response.Events ?? [],
  withRecords: (body, records) => ({ Response: { ...body.Response, Events: records, TotalCount: body.Response.TotalCount + added(body.Response.Events, records) } }),
  distinct: (record, tag) => ({ ...record, EventId: `${record.EventId}-${tag}` }),
  errorAnswer: tencentErrorAnswer,
};

export const ssl: Api = {
  type: 'tencent-ssl',
  fixture: tencentSslFixture,
  timeField: 'CreatedOn',
  formatTime: formatBeijingTime,
  textField: 'Action',
  listField: 'OperateLogs',
  records: (body) => body.Response.OperateLogs ?? [],
  withRecords: (body, records) => {
    const more = added(body.Response.OperateLogs, records);
    return { Response: { ...body.Response, OperateLogs: records, TotalCount: body.Response.TotalCount + more, AllTotal: body.Response.AllTotal + more } };
  },
  distinct: (record, tag) => ({ ...record, CertId: `${record.CertId}-${tag}` }),
  errorAnswer: tencentErrorAnswer,
};

export const ucloud: Api = {
  type: 'ucloud-operations',
  fixture: ucloudOperationsFixture,
  timeField: 'OperateTime',
  formatTime: (seconds) => seconds,
  textField: 'UserName',
  listField: 'Events',
  requestIdHeader: 'x-ucloud-request-uuid',
  records: (body) => body.Events ?? [],
  withRecords: (body, records) => ({ ...body, Events: records }),
  distinct: (record, tag) => ({ ...record, UserName: `${record.UserName}-${tag}` }),
  // HTTP 200 with a non-zero RetCode; the request id travels in X-UCloud-Request-UUID.
  errorAnswer: (answer, code, message) =>
    withBody(answer, JSON.stringify({ Action: 'GetUserOperationEventsResponse', RetCode: Number(code), Message: message })),
};

export const dbss: Api = {
  type: 'huawei-dbss',
  fixture: huaweiDbssFixture,
  timeField: 'time',
  formatTime: formatDbssTime,
  textField: 'user',
  listField: 'operate_log',
  requestIdHeader: 'x-request-id',
  records: (body) => body.operate_log ?? [],
  withRecords: (body, records) => ({ ...body, operate_log: records, total_num: body.total_num + added(body.operate_log, records) }),
  distinct: (record, tag) => ({ ...record, id: `${record.id}-${tag}` }),
  // HTTP 4xx with error_code/error_msg; the request id travels in X-Request-Id.
  errorAnswer: (answer, code, message, status = 400) => withBody(answer, JSON.stringify({ error_code: code, error_msg: message }), 'application/json', status),
};

/** Every API, for cases that hold for all four. */
export const APIS: readonly Api[] = [cloudAudit, ssl, ucloud, dbss];

// ---------------------------------------------------------------------------
// Huawei DBSS in IAM token mode (the scenario fixture signs with AK/SK)

/** An obviously fake IAM user; its password must never show up anywhere. */
export const IAM_USER = { domainName: 'badinput-fake-domain', userName: 'badinput-reader', password: 'badInputFakeIamPassword-7Qv2' } as const;
const TOKEN_PROJECT = '6d2e1f0c3b4a59687796a5b4c3d2e1f0';
const TOKEN_INSTANCE = 'c8f4b0d26e3a5f719b2c3d4e5f6a7b8cin01';

export interface TokenSimulatorHandle extends SimulatorHandle {
  iam: IamSimulator;
  /** The request ids of the IAM token requests, in order. */
  iamRequestIds(): string[];
}

/** DBSS with IAM password tokens: IAM and DBSS on one simulated Huawei endpoint. */
export const dbssTokenMode: Api = {
  ...dbss,
  fixture: {
    ...huaweiDbssFixture,
    async start({ now }) {
      const { server, dbss: store, iam } = await startDbssSimulator({
        iamUsers: [{ ...IAM_USER, projects: [TOKEN_PROJECT] }],
        instances: [{ projectId: TOKEN_PROJECT, instanceId: TOKEN_INSTANCE }],
        now,
      });
      const route = 'dbss.operation-log';
      const handle = {
        endpoint: server.url,
        instance: {
          region: 'cn-north-4',
          options: { projectId: TOKEN_PROJECT, instanceId: TOKEN_INSTANCE, authMode: 'token', iamEndpoint: server.url, pageSize: 50 },
        },
        credentials: { ...IAM_USER },
        iam,
        iamRequestIds: () => server.requestsFor(IAM_TOKENS_ROUTE).map((request) => request.requestId),
        // Plain generated records: the cases here need neither pairs nor bursts.
        addEvents: ({ count, from, to, seed }: Parameters<SimulatorHandle['addEvents']>[0]) =>
          store.addEvents(TOKEN_PROJECT, TOKEN_INSTANCE, generateDbssEvents({ count, from, to, seed })),
        records: () => store.records(TOKEN_PROJECT, TOKEN_INSTANCE).map((record) => structuredClone(record) as unknown),
        eventTime: (record: unknown) => dbssRecordTime(record as DbssEventRecord),
        inject: () => {
          throw new Error('the token-mode fixture injects no faults; the cases use the IAM simulator or the proxy');
        },
        requestCount: () => server.requestsFor(route).length,
        requestIds: () => server.requestsFor(route).map((request) => request.requestId),
        close: () => server.close(),
      };
      // The scenario contract also tallies faults acted out; this fixture acts out none.
      const tokenHandle: TokenSimulatorHandle = Object.assign(handle, { faultsActed: () => ({}) });
      return tokenHandle;
    },
  },
};

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
  for (const [field, value] of Object.entries(credentials)) {
    if (value.length >= 4) expect(text.includes(value), `${field} must not appear`).toBe(false);
  }
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
  const store = new DynamoDbCursorStore({ tableName: c.scenario.tableName, client: c.scenario.infra.db.client, clock: c.scenario.clock });
  const { lease } = await store.acquire(c.scenario.sourceId, 'earlier-run', 60_000);
  const held = await store.checkpoint(lease, cursor, 60_000);
  await store.release(held, { at: c.scenario.clock.now() });
}
