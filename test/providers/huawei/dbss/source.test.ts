import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../shared/config/load';
import { ConfigError, MalformedResponseError } from '../../../../shared/lib/errors';
import { runSource } from '../../../../shared/core/pipeline';
import { FileCursorStore } from '../../../../shared/cursor/file-store';
import type { SourceInstanceConfig } from '../../../../shared/providers/definition';
import { dbssDefinition } from '../../../../shared/providers/huawei/dbss/definition';
import type { DbssOptions } from '../../../../shared/providers/huawei/dbss/options';
import { DbssSource, dbssTime } from '../../../../shared/providers/huawei/dbss/source';
import { DBSS_LIMITS } from '../../../../shared/providers/huawei/dbss/limits';
import { FileSink } from '../../../../shared/sinks/file-sink';
import { formatDbssTime, generateDbssEvents, startDbssSimulator, type DbssSimulator } from '../../../../simulators/huawei/dbss/simulator';
import type { IamSimulator } from '../../../../simulators/huawei/iam';
import { HuaweiApiServer } from '../../../../simulators/huawei/server';
import { FakeClock } from '../../../support/fake-clock';
import { AKSK, IAM_USER, INSTANCE_ID, PROJECT_ID, TEMP_AKSK, failure, recordingLog } from '../support';

const T0 = Date.UTC(2025, 5, 2, 8, 0, 0);
const NOW = T0 / 1000;
const HOUR = 3600;
let clock: FakeClock;
let server: HuaweiApiServer;
let dbss: DbssSimulator;
let iam: IamSimulator;

async function start(options: { capPageSize?: number; enforceRateLimit?: boolean } = {}) {
  ({ server, dbss, iam } = await startDbssSimulator({
    credentials: [AKSK, TEMP_AKSK],
    iamUsers: [IAM_USER],
    instances: [{ projectId: PROJECT_ID, instanceId: INSTANCE_ID }],
    now: () => clock.now(),
    enforceRateLimit: true,
    ...options,
  }));
}
beforeEach(async () => {
  clock = new FakeClock(T0, { autoAdvance: true });
  await start();
});
afterEach(async () => {
  await server.close();
});

function instance(options: Partial<DbssOptions> = {}, overrides: Partial<SourceInstanceConfig<DbssOptions>> = {}): SourceInstanceConfig<DbssOptions> {
  return {
    id: 'dbss-test',
    type: 'huawei-dbss',
    region: 'cn-north-4',
    schedule: 'rate(5 minutes)',
    lagSeconds: 300,
    start: { lookbackSeconds: 86_400 },
    endpoint: server.url,
    credentialSet: 'dbss-test',
    credentialEnv: {},
    enabled: true,
    options: dbssDefinition.optionsSchema.parse({ projectId: PROJECT_ID, instanceId: INSTANCE_ID, ...options }),
    ...overrides,
  };
}
const source = (options: Partial<DbssOptions> = {}, credentials: Record<string, string> = AKSK, overrides = {}) =>
  new DbssSource({ instance: instance(options, overrides), credentials, clock, log: recordingLog().log });

describe('DbssSource.fetchPage', () => {
  it('asks for [start, end - 1] in UTC, page from 1, size 100 as strings, with the filters', async () => {
    dbss.addEvents(PROJECT_ID, INSTANCE_ID, generateDbssEvents({ count: 3, from: NOW - 100, to: NOW - 10, seed: 1 }));
    const page = await source({ userName: 'secops', action: 'UPDATE' }).fetchPage({ window: { start: NOW - 3600, end: NOW } });
    const [request] = server.requests;
    expect(request).toMatchObject({ path: `/v1/${PROJECT_ID}/audit/${INSTANCE_ID}/operation-log`, auth: 'aksk' });
    expect(request!.body).toEqual({
      time: { start_time: '2025-06-02 07:00:00', end_time: '2025-06-02 07:59:59' },
      page: '1',
      size: '100',
      user_name: 'secops',
      action: 'UPDATE',
    });
    expect(page.requestId).toBe(request!.requestId);
    expect(page.nextPageToken).toBeUndefined();
  });

  it('pages through a window by page number, stopping when total_num is reached', async () => {
    dbss.addEvents(PROJECT_ID, INSTANCE_ID, generateDbssEvents({ count: 250, from: NOW - 3000, to: NOW - 1, seed: 2 }));
    const s = source();
    const window = { start: NOW - HOUR, end: NOW };
    const pages = [await s.fetchPage({ window })];
    while (pages.at(-1)!.nextPageToken) pages.push(await s.fetchPage({ window, pageToken: pages.at(-1)!.nextPageToken }));
    expect(pages.map((p) => [p.records.length, p.nextPageToken])).toEqual([[100, '2'], [100, '3'], [50, undefined]]);
    expect(new Set(pages.flatMap((p) => p.records.map((r) => r.id))).size).toBe(250);

    // Exactly two full pages: no third request.
    await server.close();
    await start();
    dbss.addEvents(PROJECT_ID, INSTANCE_ID, generateDbssEvents({ count: 200, from: NOW - 3000, to: NOW - 1, seed: 3 }));
    const t = source();
    expect((await t.fetchPage({ window })).nextPageToken).toBe('2');
    expect((await t.fetchPage({ window, pageToken: '2' })).nextPageToken).toBeUndefined();
    expect(server.requests).toHaveLength(2);
  });

  it('asks for the configured pageSize, so a service serving fewer per page can still be paged', async () => {
    await server.close();
    await start({ capPageSize: 50 });
    dbss.addEvents(PROJECT_ID, INSTANCE_ID, generateDbssEvents({ count: 120, from: NOW - 3000, to: NOW - 1, seed: 4 }));
    const s = source({ pageSize: 50 });
    const window = { start: NOW - HOUR, end: NOW };
    const pages = [await s.fetchPage({ window })];
    while (pages.at(-1)!.nextPageToken) pages.push(await s.fetchPage({ window, pageToken: pages.at(-1)!.nextPageToken }));
    expect(pages.map((p) => [p.records.length, p.nextPageToken])).toEqual([[50, '2'], [50, '3'], [20, undefined]]);
    expect(server.requests.map((r) => (r.body as { size: string }).size)).toEqual(['50', '50', '50']);
    expect(new Set(pages.flatMap((p) => p.records.map((r) => r.id))).size).toBe(120);
  });

  it('fails loudly, not silently short, when the service serves fewer records per page than asked', async () => {
    await server.close();
    await start({ capPageSize: 50 });
    dbss.addEvents(PROJECT_ID, INSTANCE_ID, generateDbssEvents({ count: 120, from: NOW - 3000, to: NOW - 1, seed: 4 }));
    const error = (await failure(source().fetchPage({ window: { start: NOW - HOUR, end: NOW } }))) as MalformedResponseError;
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect(error.message).toMatch(/holds 50 of 100 records but total_num is 120/);
    expect(error.requestId).toBe(server.requests[0]!.requestId);
  });

  it.each([
    ['total_num not a number', { total_num: '3', operate_log: [] }],
    ['operate_log not a list', { total_num: 3, operate_log: {} }],
    ['no operate_log although total_num says 3', { total_num: 3 }],
    ['a page larger than size', { total_num: 101, operate_log: Array.from({ length: 101 }, (_, i) => ({ id: String(i) })) }],
  ])('rejects a 200 body with %s, naming the request', async (_name, body) => {
    await server.close();
    server = await HuaweiApiServer.start({ credentials: [AKSK], now: () => clock.now() });
    server.register({ name: 'odd', method: 'POST', pattern: /operation-log$/, authenticated: true, handler: () => ({ body }) });
    const error = (await failure(source().fetchPage({ window: { start: NOW - 60, end: NOW } }))) as MalformedResponseError;
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect(error.requestId).toBe(server.requests[0]!.requestId);
    expect(error.message).toContain(server.requests[0]!.requestId);
  });

  it('rejects a page token that is not a page number', async () => {
    expect(await failure(source().fetchPage({ window: { start: NOW - 60, end: NOW }, pageToken: 'x' }))).toMatchObject({ message: expect.stringMatching(/page token/) });
  });

  it('works with an IAM token instead of AK/SK', async () => {
    dbss.addEvents(PROJECT_ID, INSTANCE_ID, generateDbssEvents({ count: 5, from: NOW - 100, to: NOW - 10, seed: 5 }));
    const { projects: _p, ...password } = IAM_USER;
    const s = source({ authMode: 'token', iamEndpoint: server.url }, password);
    expect((await s.fetchPage({ window: { start: NOW - HOUR, end: NOW } })).records).toHaveLength(5);
    iam.expireAll();
    expect((await s.fetchPage({ window: { start: NOW - HOUR, end: NOW } })).records).toHaveLength(5);
    expect(server.requestsFor('dbss.operation-log').map((r) => [r.auth, r.outcome])).toEqual([['token', 'Success'], ['none', 'APIGW.0301'], ['token', 'Success']]);
    expect(iam.issued).toBe(2);
  });

  it('formats request times as yyyy-MM-dd HH:mm:ss UTC', () => {
    expect(dbssTime(0)).toBe('1970-01-01 00:00:00');
    expect(dbssTime(NOW - 1)).toBe(formatDbssTime(NOW - 1));
  });
});

describe('huawei-dbss definition and credentials', () => {
  const parse = (options: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    parseConfig({ sources: [{ id: 'dbss-a', type: 'huawei-dbss', region: 'cn-north-4', options, ...extra }] }, new Map([['huawei-dbss', dbssDefinition]]));

  it('fills defaults and validates ids, authMode and filters', () => {
    const [config] = parse({ projectId: PROJECT_ID, instanceId: INSTANCE_ID }).sources;
    expect(config).toMatchObject({ schedule: 'rate(5 minutes)', lagSeconds: 300, start: { lookbackSeconds: 86_400 }, options: { authMode: 'aksk' } });
    expect(config!.credentialEnv).toEqual({
      accessKeyId: 'HUAWEICLOUD_SDK_AK',
      secretAccessKey: 'HUAWEICLOUD_SDK_SK',
      securityToken: 'HUAWEICLOUD_SDK_SECURITY_TOKEN',
      domainName: 'HUAWEICLOUD_DOMAIN_NAME',
      userName: 'HUAWEICLOUD_USER_NAME',
      password: 'HUAWEICLOUD_PASSWORD',
    });
    const problems = (options: Record<string, unknown>, extra?: Record<string, unknown>) => {
      try {
        parse(options, extra);
        return [];
      } catch (error) {
        return (error as ConfigError).issues;
      }
    };
    expect(problems({ projectId: 'short', instanceId: `${INSTANCE_ID}/x` })).toEqual([
      expect.stringMatching(/options\.projectId: projectId must be 32-64/),
      expect.stringMatching(/options\.instanceId: instanceId must be 32-64/),
    ]);
    expect(problems({ projectId: PROJECT_ID, instanceId: INSTANCE_ID, authMode: 'ldap', action: 'DROP', extra: 1 })).toHaveLength(3);
    expect(problems({ projectId: PROJECT_ID, instanceId: INSTANCE_ID }, { region: undefined })).toEqual([expect.stringMatching(/region: required/)]);
    expect(config!.options).toMatchObject({ pageSize: DBSS_LIMITS.pageSize });
    expect(problems({ projectId: PROJECT_ID, instanceId: INSTANCE_ID, pageSize: DBSS_LIMITS.pageSize + 1 })).toEqual([expect.stringMatching(/options\.pageSize/)]);
    expect(problems({ projectId: PROJECT_ID, instanceId: INSTANCE_ID, pageSize: 0 })).toEqual([expect.stringMatching(/options\.pageSize/)]);
  });

  it('names missing or ambiguous credential fields, never their values', () => {
    const { projects: _p, ...password } = IAM_USER;
    const cases: [Partial<DbssOptions>, Record<string, string>, RegExp[]][] = [
      [{}, { accessKeyId: AKSK.accessKeyId }, [/secretAccessKey: required for authMode "aksk"/]],
      [{ authMode: 'token' }, { domainName: 'fake-domain' }, [/userName: required/, /password: required/]],
      [{}, { ...AKSK, ...password }, [/complete IAM password token set .* keep exactly one/]],
      [{ authMode: 'token' }, { ...password, securityToken: TEMP_AKSK.securityToken }, [/securityToken: only used with authMode "aksk"/]],
    ];
    for (const [options, credentials, expected] of cases) {
      const error = (() => {
        try {
          source(options, credentials);
        } catch (e) {
          return e as ConfigError;
        }
        throw new Error('expected a ConfigError');
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.issues).toEqual(expected.map((re) => expect.stringMatching(re)));
      const rendered = `${error.message}${inspect(error)}`;
      for (const value of Object.values(credentials)) expect(rendered).not.toContain(value);
    }
  });
});

describe('huawei-dbss end to end through runSource', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cloudtap-dbss-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers every event of two days to an NDJSON file once, with faults, and a re-run adds nothing', async () => {
    // The simulator's own rate limit is off: on an auto-advancing fake clock, concurrent
    // lanes' requests arrive bunched at one simulated instant however the client paces them.
    await server.close();
    await start({ enforceRateLimit: false });
    const events = generateDbssEvents({ count: 700, from: NOW - 2 * 86_400, to: NOW - 301, seed: 11, late: { fraction: 0.2, maxDelaySeconds: 300 } });
    // Only what is visible by now: late ones published after the run started are next run's.
    dbss.addEvents(PROJECT_ID, INSTANCE_ID, events);
    server.faults.push({ kind: 'throttle', times: 2, route: 'dbss.operation-log' }, { kind: 'internal', route: 'dbss.operation-log' });
    const store = new FileCursorStore({ directory: join(dir, 'state'), clock });
    const sink = new FileSink({ path: join(dir, 'out', 'events.ndjson') });
    const { log, entries } = recordingLog();
    const run = () =>
      runSource({
        sourceId: 'dbss-e2e',
        source: dbssDefinition.create({ instance: instance({}, { start: { at: NOW - 2 * 86_400 } }), credentials: { ...AKSK }, clock, log }),
        store,
        sink,
        owner: `run-${clock.now()}`,
        lagSeconds: 300,
        start: { at: NOW - 2 * 86_400 },
        deadline: clock.now() + 15 * 60_000,
        clock,
        log,
      });
    const firstStartedAt = clock.now();
    const first = await run();
    expect(first).toMatchObject({ stoppedBy: 'caught-up', delivered: 700, mappingErrors: 0 });
    await sink.close();
    const lines = (await readFile(sink.path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(700);
    expect(new Set(lines.map((d) => d.event.id))).toEqual(new Set(events.map((e) => e.record.id)));
    expect(lines.every((d) => d.cloud.provider === 'huaweicloud' && d.cloud.instance.id === INSTANCE_ID && d.event.dataset === 'cloudtap.huawei_dbss')).toBe(true);
    expect(server.requestsFor('dbss.operation-log').filter((r) => r.outcome !== 'Success')).toHaveLength(3);
    // A run's horizon is its start - lag (the fake clock moved on while it paged).
    expect((await store.read('dbss-e2e'))?.cursor?.windowStart).toBe(Math.floor(firstStartedAt / 1000) - 300);

    clock.advance(5 * 60_000);
    const second = await run();
    expect(second).toMatchObject({ stoppedBy: 'caught-up', delivered: 0 });
    await sink.close();
    expect((await readFile(sink.path, 'utf8')).trim().split('\n')).toHaveLength(700);
    expect(JSON.stringify(entries)).not.toContain(AKSK.secretAccessKey);
    expect(DBSS_LIMITS.pageSize).toBe(100);
  });
});
