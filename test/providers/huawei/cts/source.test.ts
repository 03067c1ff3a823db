import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, MalformedResponseError, ProviderError } from '../../../../shared/lib/errors';
import type { SourceInstanceConfig } from '../../../../shared/providers/definition';
import { ctsDefinition } from '../../../../shared/providers/huawei/cts/definition';
import type { CtsOptions } from '../../../../shared/providers/huawei/cts/options';
import { CtsSource } from '../../../../shared/providers/huawei/cts/source';
import { CtsSimulator, LIST_TRACES, generateCtsTraces, type CtsTraceRecord, type ListTracesBody } from '../../../../simulators/huawei/cts/simulator';
import { IamSimulator } from '../../../../simulators/huawei/iam';
import { HuaweiApiServer, type RouteContext } from '../../../../simulators/huawei/server';
import { FakeClock } from '../../../support/fake-clock';
import { AKSK, IAM_USER, PROJECT_ID, TEMP_AKSK, failure, recordingLog } from '../support';

const T0 = Date.UTC(2025, 5, 2, 8, 0, 0);
const NOW = T0 / 1000;
const HOUR = 3600;
let clock: FakeClock;
let server: HuaweiApiServer;
let cts: CtsSimulator;
/** The query of every ListTraces request, in order. */
let queries: URLSearchParams[];
/** Replaces the simulator's answer when set: a service misbehaving. */
let bend: ((body: ListTracesBody, context: RouteContext) => unknown) | undefined;

beforeEach(async () => {
  clock = new FakeClock(T0, { autoAdvance: true });
  server = await HuaweiApiServer.start({ credentials: [AKSK, TEMP_AKSK], now: () => clock.now() });
  new IamSimulator([IAM_USER]).install(server);
  cts = new CtsSimulator();
  cts.addProject(PROJECT_ID);
  queries = [];
  bend = undefined;
  cts.install(server, {
    enforceRateLimit: true,
    bend: (body, context) => {
      queries.push(new URLSearchParams(context.query));
      return bend?.(body, context);
    },
  });
});
afterEach(async () => {
  await server.close();
});

function instance(options: Partial<CtsOptions> = {}): SourceInstanceConfig<CtsOptions> {
  return {
    id: 'cts-test',
    type: 'huawei-cts',
    region: 'cn-north-4',
    schedule: 'rate(5 minutes)',
    lagSeconds: 300,
    start: { lookbackSeconds: 86_400 },
    endpoint: server.url,
    credentialSet: 'cts-test',
    credentialEnv: {},
    enabled: true,
    options: ctsDefinition.optionsSchema.parse({ projectId: PROJECT_ID, ...options }),
  };
}
const source = (options: Partial<CtsOptions> = {}, credentials: Record<string, string> = AKSK) =>
  new CtsSource({ instance: instance(options), credentials, clock, log: recordingLog().log });

/** Every trace of a window, page by page, as the core pulls it. */
async function pullWindow(src: CtsSource, window: { start: number; end: number }) {
  const records: CtsTraceRecord[] = [];
  let pageToken: string | undefined;
  let pages = 0;
  do {
    const page = await src.fetchPage({ window, pageToken });
    records.push(...(page.records as CtsTraceRecord[]));
    pageToken = page.nextPageToken;
    pages++;
  } while (pageToken !== undefined);
  return { records, pages };
}

const at = (ms: number, id: string, base: CtsTraceRecord): CtsTraceRecord => ({ ...base, time: ms, trace_id: id });

describe('CtsSource.fetchPage', () => {
  it('asks for management traces of [start, end) in ms, both bounds exclusive as documented, limit 200, and the filters', async () => {
    await source({ serviceType: 'IAM', user: 'ops-alice', resourceType: 'user', traceRating: 'warning' }).fetchPage({ window: { start: NOW - HOUR, end: NOW } });
    expect(Object.fromEntries(queries[0]!)).toEqual({
      trace_type: 'system',
      limit: '200',
      from: String((NOW - HOUR) * 1000 - 1),
      to: String(NOW * 1000),
      service_type: 'IAM',
      user: 'ops-alice',
      resource_type: 'user',
      trace_rating: 'warning',
    });
  });

  it('delivers a trace at the first ms of the window and none at its end, nor one ms before it', async () => {
    const [base] = generateCtsTraces({ count: 1, from: NOW - 100, to: NOW - 100, seed: 3 }).map((e) => e.record);
    const start = NOW - HOUR;
    cts.addTraces(PROJECT_ID, [
      at(start * 1000 - 1, '00000000-0000-4000-a000-000000000001', base!),
      at(start * 1000, '00000000-0000-4000-a000-000000000002', base!),
      at(NOW * 1000 - 1, '00000000-0000-4000-a000-000000000003', base!),
      at(NOW * 1000, '00000000-0000-4000-a000-000000000004', base!),
    ]);
    const { records } = await pullWindow(source(), { start, end: NOW });
    expect(records.map((r) => r.trace_id)).toEqual(['00000000-0000-4000-a000-000000000003', '00000000-0000-4000-a000-000000000002']);
  });

  it('pages newest first by the marker, each trace once, even 30 traces in one millisecond across page ends', async () => {
    const events = generateCtsTraces({ count: 450, from: NOW - HOUR, to: NOW - 1, seed: 7 });
    const same = generateCtsTraces({ count: 30, from: NOW - 600, to: NOW - 600, seed: 8 }).map((e) => ({ ...e.record, time: (NOW - 600) * 1000 + 5 }));
    cts.addTraces(PROJECT_ID, [...events, ...same]);
    const { records, pages } = await pullWindow(source({ pageSize: 50 }), { start: NOW - HOUR, end: NOW });
    expect(pages).toBe(10);
    expect(records).toHaveLength(480);
    expect(new Set(records.map((r) => r.trace_id)).size).toBe(480);
    expect(records.map((r) => r.time)).toEqual([...records.map((r) => r.time)].sort((a, b) => b - a));
    // Each request after the first continues from the last trace of the page before it.
    expect(queries.slice(1).map((q) => q.get('next'))).toEqual(
      Array.from({ length: 9 }, (_, i) => records[(i + 1) * 50 - 1]!.trace_id),
    );
    expect(new Set(queries.map((q) => `${q.get('from')}-${q.get('to')}`)).size).toBe(1);
  });

  it('ends the window only when the marker is null', async () => {
    cts.addTraces(PROJECT_ID, generateCtsTraces({ count: 50, from: NOW - HOUR, to: NOW - 1, seed: 9 }));
    // 50 traces, 50 a page: the simulator knows it served the last one and sends no marker.
    const page = await source({ pageSize: 50 }).fetchPage({ window: { start: NOW - HOUR, end: NOW } });
    expect(page.records).toHaveLength(50);
    expect(page.nextPageToken).toBeUndefined();
  });

  it.each([
    {
      what: 'a marker repeating the next it was sent',
      bent: (body: { meta_data: object }, context: RouteContext) => ({ ...body, meta_data: { ...body.meta_data, marker: context.query.get('next') ?? '11111111-1111-4111-a111-111111111111' } }),
      first: '11111111-1111-4111-a111-111111111111',
      message: /marker "11111111-1111-4111-a111-111111111111" repeats the next it was asked for/,
    },
    {
      what: 'a marker with an empty page',
      bent: () => ({ traces: [], meta_data: { count: 0, marker: '22222222-2222-4222-a222-222222222222' } }),
      message: /comes with no traces/,
    },
    {
      what: 'a count that is not the number of traces',
      bent: (body: { traces: unknown[]; meta_data: object }) => ({ ...body, meta_data: { ...body.meta_data, count: body.traces.length + 1 } }),
      message: /meta_data.count is 4 but the page holds 3 traces/,
    },
    {
      what: 'a marker that is not a trace id',
      bent: (body: { meta_data: object }) => ({ ...body, meta_data: { ...body.meta_data, marker: '../../etc' } }),
      message: /marker "..\/..\/etc" is not a trace id/,
    },
    {
      what: 'no meta_data',
      bent: (body: { traces: unknown[] }) => ({ traces: body.traces }),
      message: /ListTraces response does not match the documented shape: meta_data/,
    },
  ])('refuses $what, naming the request', async ({ bent, first, message }) => {
    cts.addTraces(PROJECT_ID, generateCtsTraces({ count: 3, from: NOW - HOUR, to: NOW - 1, seed: 11 }));
    if (first) cts.addTraces(PROJECT_ID, [at((NOW - 10) * 1000, first, generateCtsTraces({ count: 1, from: NOW - 9, to: NOW - 9, seed: 12 })[0]!.record)]);
    bend = bent as never;
    const error = await failure(source().fetchPage({ window: { start: NOW - HOUR, end: NOW }, pageToken: first }));
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(server.requestsFor(LIST_TRACES.route).at(-1)!.requestId);
  });

  it('refuses a cursor token that is not a trace id before sending anything', async () => {
    const error = await failure(source().fetchPage({ window: { start: NOW - HOUR, end: NOW }, pageToken: '2' }));
    expect(error.message).toMatch(/huawei-cts page token "2" in the cursor is not a trace marker; reset the source's cursor/);
    expect(server.requestsFor(LIST_TRACES.route)).toHaveLength(0);
  });

  it('retries APIGW.0308 throttling, then delivers', async () => {
    cts.addTraces(PROJECT_ID, generateCtsTraces({ count: 5, from: NOW - HOUR, to: NOW - 1, seed: 13 }));
    server.faults.push({ kind: 'throttle', times: 2, route: LIST_TRACES.route });
    const page = await source().fetchPage({ window: { start: NOW - HOUR, end: NOW } });
    expect(page.records).toHaveLength(5);
    expect(page.retries).toEqual({ total: 2, throttled: 2 });
  });

  it('signs with temporary keys (the security token signed along), or signs in with an IAM password token', async () => {
    cts.addTraces(PROJECT_ID, generateCtsTraces({ count: 2, from: NOW - HOUR, to: NOW - 1, seed: 14 }));
    expect((await source({}, TEMP_AKSK).fetchPage({ window: { start: NOW - HOUR, end: NOW } })).records).toHaveLength(2);
    const viaToken = source({ authMode: 'token', iamEndpoint: server.url }, { domainName: IAM_USER.domainName, userName: IAM_USER.userName, password: IAM_USER.password });
    expect((await viaToken.fetchPage({ window: { start: NOW - HOUR, end: NOW } })).records).toHaveLength(2);
    expect(server.requestsFor(LIST_TRACES.route).map((r) => r.auth)).toEqual(['aksk', 'token']);
  });

  it('names the CTS error code, its message and the request when the service refuses', async () => {
    server.faults.push({ kind: 'error', status: 403, code: 'CTS.0013', message: 'No permission, Please check roles.', route: LIST_TRACES.route });
    const error = (await failure(source().fetchPage({ window: { start: NOW - HOUR, end: NOW } }))) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.code).toBe('CTS.0013');
    expect(error.message).toContain('No permission, Please check roles.');
    expect(error.requestId).toBe(server.requestsFor(LIST_TRACES.route)[0]!.requestId);
  });

  it('needs a region, and refuses a page size over the documented 200', () => {
    expect(() => new CtsSource({ instance: { ...instance(), region: undefined }, credentials: AKSK, clock, log: recordingLog().log })).toThrow(ConfigError);
    expect(ctsDefinition.optionsSchema.safeParse({ projectId: PROJECT_ID, pageSize: 201 }).success).toBe(false);
    expect(ctsDefinition.optionsSchema.safeParse({ projectId: PROJECT_ID, serviceType: 'vpc' }).success).toBe(false);
  });
});
