import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildSignedHeaders, sdkDate } from '../../../../shared/providers/huawei/signer';
import {
  DBSS_ERRORS,
  OPERATION_LOG,
  dbssRecordTime,
  formatDbssTime,
  generateDbssEvents,
  startDbssSimulator,
  type DbssEventRecord,
  type DbssSimulator,
} from '../../../../simulators/huawei/dbss/simulator';
import type { IamSimulator } from '../../../../simulators/huawei/iam';
import type { HuaweiApiServer } from '../../../../simulators/huawei/server';
import { AKSK, IAM_USER, INSTANCE_ID, OTHER_PROJECT_ID, PROJECT_ID, TEMP_AKSK } from '../../../providers/huawei/support';

const NOW_MS = Date.UTC(2025, 0, 15, 12, 0, 0);
const NOW = NOW_MS / 1000;
const DAY = 86_400;
const PATH = `/v1/${PROJECT_ID}/audit/${INSTANCE_ID}/operation-log`;

let nowMs = NOW_MS;
let server: HuaweiApiServer;
let dbss: DbssSimulator;
let iam: IamSimulator;

beforeEach(async () => {
  nowMs = NOW_MS;
  ({ server, dbss, iam } = await startDbssSimulator({
    credentials: [AKSK, { ...TEMP_AKSK, projects: [PROJECT_ID] }],
    iamUsers: [IAM_USER],
    instances: [{ projectId: PROJECT_ID, instanceId: INSTANCE_ID }],
    now: () => nowMs,
  }));
});
afterEach(async () => {
  await server.close();
});

interface RawOptions {
  path?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; securityToken?: string };
  now?: number;
  headers?: (headers: Record<string, string>) => Record<string, string>;
  tamper?: (body: string) => string;
}

/** A hand-signed request, so each check can be broken on purpose. */
async function raw(body: unknown, options: RawOptions = {}): Promise<{ status: number; json: any; requestId: string | null }> {
  const url = new URL(options.path ?? PATH, server.url);
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  let headers = buildSignedHeaders({ credentials: options.credentials ?? AKSK, method: 'POST', url, body: payload, now: options.now ?? nowMs });
  delete headers.Host;
  if (options.headers) headers = options.headers(headers);
  const res = await fetch(url, { method: 'POST', headers, body: options.tamper ? options.tamper(payload) : payload });
  return { status: res.status, json: await res.json(), requestId: res.headers.get('x-request-id') };
}
const query = (start: number, end: number, extra: Record<string, unknown> = {}) => ({
  time: { start_time: formatDbssTime(start), end_time: formatDbssTime(end) },
  page: '1',
  size: '100',
  ...extra,
});
const codeOf = async (body: unknown, options?: RawOptions) => (await raw(body, options)).json.error_code as string | undefined;

async function pageAll(body: Record<string, unknown>, size = 7): Promise<DbssEventRecord[]> {
  const out: DbssEventRecord[] = [];
  for (let page = 1; ; page++) {
    const { json } = await raw({ ...body, page: String(page), size: String(size) });
    out.push(...json.operate_log);
    if ((page - 1) * size + json.operate_log.length >= json.total_num || json.operate_log.length === 0) return out;
  }
}

describe('simulator: authentication', () => {
  it('accepts a signed request and answers with total_num, operate_log and an X-Request-Id', async () => {
    const { status, json, requestId } = await raw(query(NOW - 3600, NOW));
    expect(status).toBe(200);
    expect(json).toEqual({ total_num: 0, operate_log: [] });
    expect(requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(server.requests[0]).toMatchObject({ route: OPERATION_LOG.route, auth: 'aksk', accessKeyId: AKSK.accessKeyId, outcome: 'Success' });
  });

  it('rejects a wrong key, an unknown AK, a tampered body or unsigned headers with 401 APIGW.0301', async () => {
    const body = query(NOW - 60, NOW);
    expect(await raw(body, { credentials: { ...AKSK, secretAccessKey: 'wrongFakeSecretKeyForTests' } })).toMatchObject({ status: 401, json: { error_code: 'APIGW.0301' } });
    expect(await codeOf(body, { credentials: { ...AKSK, accessKeyId: 'UNKNOWNFAKEAK0000000' } })).toBe('APIGW.0301');
    expect(await codeOf(body, { tamper: (b) => b.replace('"page":"1"', '"page":"2"') })).toBe('APIGW.0301');
    expect(await codeOf(body, { headers: (h) => ({ ...h, 'Content-Type': 'application/json;charset=UTF-8' }) })).toBe('APIGW.0301');
    // Headers outside SignedHeaders may change freely.
    expect(await codeOf(body, { headers: (h) => ({ ...h, 'X-Unsigned': 'anything' }) })).toBeUndefined();
    expect(await codeOf(body, { headers: ({ Authorization: _a, ...h }) => h })).toBe('APIGW.0301');
  });

  it('rejects an X-Sdk-Date more than 15 minutes away', async () => {
    const body = query(NOW - 60, NOW);
    expect((await raw(body, { now: NOW_MS - 15 * 60_000 - 1000 })).json.error_msg).toMatch(/signature expired/);
    expect(await codeOf(body, { now: NOW_MS + 15 * 60_000 + 1000 })).toBe('APIGW.0301');
    expect(await codeOf(body, { now: NOW_MS - 14 * 60_000 })).toBeUndefined();
    expect(await codeOf(body, { headers: (h) => ({ ...h, 'X-Sdk-Date': sdkDate(NOW_MS + 1000) }) })).toBe('APIGW.0301');
  });

  it('requires the signed security token of temporary credentials, and limits keys to their projects', async () => {
    expect(await codeOf(query(NOW - 60, NOW), { credentials: TEMP_AKSK })).toBeUndefined();
    const { securityToken: _t, ...withoutToken } = TEMP_AKSK;
    expect(await codeOf(query(NOW - 60, NOW), { credentials: withoutToken })).toBe('APIGW.0301');
    dbss.addInstance(OTHER_PROJECT_ID, INSTANCE_ID);
    const other = { path: `/v1/${OTHER_PROJECT_ID}/audit/${INSTANCE_ID}/operation-log` };
    expect(await raw(query(NOW - 60, NOW), { ...other, credentials: TEMP_AKSK })).toMatchObject({ status: 403 });
    expect(await codeOf(query(NOW - 60, NOW), other)).toBeUndefined();
  });

  it('issues project-scoped IAM tokens and checks X-Auth-Token, expiry included', async () => {
    const issue = (password: string, projectId = PROJECT_ID) =>
      fetch(new URL('/v3/auth/tokens', server.url), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { domain: { name: IAM_USER.domainName }, name: IAM_USER.userName, password } } }, scope: { project: { id: projectId } } } }),
      });
    expect((await issue('wrong-fake-password')).status).toBe(401);
    expect((await issue(IAM_USER.password, OTHER_PROJECT_ID)).status).toBe(401);
    const res = await issue(IAM_USER.password);
    expect(res.status).toBe(201);
    const token = res.headers.get('x-subject-token')!;
    expect(((await res.json()) as { token: { expires_at: string } }).token.expires_at).toMatch(/^2025-01-16T12:00:00\.000000Z$/);
    const withToken = (value: string) => ({ headers: () => ({ 'Content-Type': 'application/json', 'X-Auth-Token': value }) });
    expect(await raw(query(NOW - 60, NOW), withToken(token))).toMatchObject({ status: 200 });
    expect((await raw(query(NOW - 60, NOW), withToken('MIIZnotAToken'))).json.error_msg).toMatch(/decrypt token fail/);
    iam.expireAll();
    expect((await raw(query(NOW - 60, NOW), withToken(token))).json.error_msg).toMatch(/token expires/);
  });
});

describe('simulator: operation-log rules', () => {
  it('checks ids, the instance and the body', async () => {
    expect(await codeOf(query(NOW - 60, NOW), { path: `/v1/short/audit/${INSTANCE_ID}/operation-log` })).toBe(DBSS_ERRORS.invalidId);
    expect(await codeOf(query(NOW - 60, NOW), { path: `/v1/${PROJECT_ID}/audit/${'0'.repeat(32)}/operation-log` })).toBe(DBSS_ERRORS.invalidId);
    expect(await codeOf('not json')).toBe(DBSS_ERRORS.invalidRequest);
    expect(await raw(query(NOW - 60, NOW), { path: `/v1/${PROJECT_ID}/audit/${INSTANCE_ID}/nothing` })).toMatchObject({ status: 404, json: { error_code: 'APIGW.0101' } });
  });

  it('requires yyyy-MM-dd HH:mm:ss pairs in order, or a known time_range', async () => {
    const base = { page: '1', size: '10' };
    expect(await codeOf(base)).toBe(DBSS_ERRORS.invalidRequest);
    expect(await codeOf({ ...base, time: { start_time: formatDbssTime(NOW - 60) } })).toBe(DBSS_ERRORS.invalidRequest);
    expect(await codeOf({ ...base, time: { start_time: '2025-01-15T11:00:00Z', end_time: formatDbssTime(NOW) } })).toBe(DBSS_ERRORS.invalidRequest);
    expect(await codeOf({ ...base, time: { start_time: '2025-02-30 00:00:00', end_time: formatDbssTime(NOW) } })).toBe(DBSS_ERRORS.invalidRequest);
    expect(await codeOf({ ...base, time: { start_time: formatDbssTime(NOW), end_time: formatDbssTime(NOW - 1) } })).toBe(DBSS_ERRORS.invalidRequest);
    expect(await codeOf({ ...base, time: { time_range: 'YEAR' } })).toBe(DBSS_ERRORS.invalidRequest);
    expect(await codeOf({ ...base, time: { time_range: 'HOUR' } })).toBeUndefined();
  });

  it('pages from 1 with size 1..100, as strings or integers', async () => {
    const window = { time: { time_range: 'DAY' } };
    for (const [page, size] of [['0', '10'], ['1', '0'], ['1', '101'], ['x', '10'], ['1', '1.5']]) {
      expect(await codeOf({ ...window, page, size }), `${page}/${size}`).toBe(DBSS_ERRORS.invalidRequest);
    }
    expect(await codeOf({ ...window, page: 1, size: 100 })).toBeUndefined();
    expect(await codeOf({ ...window, page: '3', size: '100' })).toBeUndefined();
  });

  it('returns records with start_time <= time <= end_time, newest first, with total_num', async () => {
    const events = generateDbssEvents({ count: 40, from: NOW - 1000, to: NOW - 1, seed: 3 });
    dbss.addEvents(PROJECT_ID, INSTANCE_ID, events);
    const start = NOW - 700;
    const end = NOW - 200;
    const edge = events[0]!.record;
    dbss.addEvents(PROJECT_ID, INSTANCE_ID, [
      { ...edge, id: 'edge-start-xxxxxxxxx', time: formatDbssTime(start) },
      { ...edge, id: 'edge-end-xxxxxxxxxxx', time: formatDbssTime(end) },
      { ...edge, id: 'outside-xxxxxxxxxxxx', time: formatDbssTime(end + 1) },
    ]);
    const expected = events.map((e) => e.record).filter((r) => dbssRecordTime(r) >= start && dbssRecordTime(r) <= end);
    const got = await pageAll(query(start, end));
    const ids = got.map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining(['edge-start-xxxxxxxxx', 'edge-end-xxxxxxxxxxx']));
    expect(ids).not.toContain('outside-xxxxxxxxxxxx');
    expect(new Set(ids).size).toBe(expected.length + 2);
    const times = got.map(dbssRecordTime);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect((await raw(query(start, end, { page: '99' }))).json).toEqual({ total_num: expected.length + 2, operate_log: [] });
  });

  it('filters by user_name, action (any case) and result', async () => {
    const events = generateDbssEvents({ count: 200, from: NOW - 3000, to: NOW, seed: 8 }).map((e) => e.record);
    dbss.addEvents(PROJECT_ID, INSTANCE_ID, events);
    const updates = await pageAll(query(NOW - 3600, NOW, { action: 'UPDATE' }), 50);
    expect(updates.length).toBe(events.filter((r) => r.action === 'Update').length);
    const byUser = await pageAll(query(NOW - 3600, NOW, { user_name: 'secops', result: 'fail' }), 50);
    expect(byUser.every((r) => r.user === 'secops' && r.result === 'fail')).toBe(true);
    expect(await codeOf(query(NOW - 60, NOW, { action: 'DROP' }))).toBe(DBSS_ERRORS.invalidRequest);
  });

  it('hides records until visibleAt and beyond 180 days', async () => {
    const [event] = generateDbssEvents({ count: 1, from: NOW - 600, to: NOW - 600, seed: 7 });
    dbss.addEvents(PROJECT_ID, INSTANCE_ID, [{ record: event!.record, visibleAt: NOW + 120 }]);
    dbss.addEvents(PROJECT_ID, INSTANCE_ID, generateDbssEvents({ count: 1, from: NOW - 181 * DAY, to: NOW - 181 * DAY, seed: 9 }));
    expect((await raw(query(NOW - 200 * DAY, NOW))).json.total_num).toBe(0);
    nowMs += 120_000;
    expect((await raw(query(NOW - 200 * DAY, NOW))).json.total_num).toBe(1);
  });

  it('throttles beyond the rate limit with 429 APIGW.0308', async () => {
    await server.close();
    ({ server, dbss } = await startDbssSimulator({ credentials: [AKSK], instances: [{ projectId: PROJECT_ID, instanceId: INSTANCE_ID }], now: () => nowMs, enforceRateLimit: true }));
    const results = await Promise.all(Array.from({ length: 8 }, () => raw(query(NOW - 60, NOW))));
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    expect(results.filter((r) => r.status === 429 && r.json.error_code === 'APIGW.0308' && r.json.request_id === r.requestId)).toHaveLength(3);
  });

  it('keys the limit on the access key: two users each get the full 5/s, one beyond it is throttled', async () => {
    const other = { accessKeyId: 'OTHERSIMULATORAKFORTESTS', secretAccessKey: 'otherSimulatorSkForTestsOnly' };
    await server.close();
    ({ server, dbss } = await startDbssSimulator({ credentials: [AKSK, other], instances: [{ projectId: PROJECT_ID, instanceId: INSTANCE_ID }], now: () => nowMs, enforceRateLimit: true }));
    const results = await Promise.all([
      ...Array.from({ length: 5 }, () => raw(query(NOW - 60, NOW))),
      ...Array.from({ length: 5 }, () => raw(query(NOW - 60, NOW), { credentials: other })),
    ]);
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect((await raw(query(NOW - 60, NOW), { credentials: other })).status).toBe(429);
    expect(server.rateStats().filter((r) => r.api === 'dbss.operation-log').map((r) => [r.principal, r.requests, r.maxPerSecond, r.throttled]).sort()).toEqual(
      [
        [AKSK.accessKeyId, 5, 5, 0],
        [other.accessKeyId, 6, 6, 1],
      ].sort(),
    );
  });

  it('injects faults on the next requests and records them', async () => {
    server.faults.push({ kind: 'throttle' }, { kind: 'internal' }, { kind: 'unauthorized' }, { kind: 'http', status: 503 }, { kind: 'malformed' });
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      const res = await fetch(new URL(PATH, server.url), { method: 'POST', body: '{}' });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([429, 500, 401, 503, 200, 401]);
    expect(server.requests.map((r) => r.outcome)).toEqual(['fault:throttle', 'fault:internal', 'fault:unauthorized', 'fault:http', 'fault:malformed', 'APIGW.0301']);
  });
});

describe('generateDbssEvents', () => {
  const options = { count: 300, from: NOW - DAY, to: NOW, seed: 42 };

  it('is deterministic, unique and shaped like the documented example', () => {
    const a = generateDbssEvents(options).map((e) => e.record);
    expect(generateDbssEvents(options).map((e) => e.record)).toEqual(a);
    expect(new Set(a.map((r) => r.id)).size).toBe(300);
    for (const record of a) {
      expect(Object.keys(record).sort()).toEqual(['action', 'description', 'function', 'id', 'name', 'result', 'time', 'user']);
      expect(record.id).toMatch(/^[A-Za-z0-9_-]{20}$/);
      expect(record.time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      expect(dbssRecordTime(record)).toBeGreaterThanOrEqual(options.from);
      expect(dbssRecordTime(record)).toBeLessThanOrEqual(options.to);
    }
    expect(new Set(a.map((r) => r.action))).toEqual(new Set(['Create', 'Update', 'Delete', 'Download', 'Operate']));
    expect(a.some((r) => r.name.endsWith(' '))).toBe(true);
    expect(a.some((r) => r.result === 'fail')).toBe(true);
  });

  it('can make some events arrive late', () => {
    const events = generateDbssEvents({ ...options, late: { fraction: 0.3, maxDelaySeconds: 600 } });
    const late = events.filter((e) => e.visibleAt! > dbssRecordTime(e.record));
    expect(late.length).toBeGreaterThan(40);
    expect(late.every((e) => e.visibleAt! - dbssRecordTime(e.record) <= 600)).toBe(true);
  });
});
