import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock, type Clock } from '../../../../shared/lib/clock';
import { TencentClient } from '../../../../shared/providers/tencent/client';
import { parseJson, stringifyJson } from '../../../../shared/providers/tencent/json';
import { formatBeijingTime } from '../../../../shared/providers/tencent/ssl/beijing-time';
import { buildTc3Headers } from '../../../../shared/providers/tencent/tc3';
import type { TencentApiServer } from '../../../../simulators/tencent/api-server';
import {
  DESCRIBE_CERTIFICATE_OPERATE_LOGS,
  SSL_ERRORS,
  generateSslEvents,
  sslRecordTime,
  startSslSimulator,
  type SslOperationLogRecord,
  type SslSimulator,
  type StartSslOptions,
} from '../../../../simulators/tencent/ssl/simulator';

const CREDENTIALS = { secretId: 'AKIDfakeSslSecretIdForTests', secretKey: 'fakeSslSecretKeyForTestsOnly0123456789' };
const DAY = 86_400;
const NOW_MS = Date.UTC(2025, 0, 15, 12, 0, 0);
const NOW = NOW_MS / 1000;
const ACTION = DESCRIBE_CERTIFICATE_OPERATE_LOGS.action;
const bj = formatBeijingTime;

let nowMs = NOW_MS;
const clock: Clock = { now: () => nowMs, sleep: systemClock.sleep };
let server: TencentApiServer;
let ssl: SslSimulator;

async function start(options: Partial<StartSslOptions> = {}) {
  await server?.close();
  ({ server, ssl } = await startSslSimulator({ credentials: [CREDENTIALS], now: () => nowMs, ...options }));
}
beforeEach(async () => {
  nowMs = NOW_MS;
  await start();
});
afterEach(async () => {
  await server.close();
});

type Logs = { AllTotal: number; TotalCount: number; OperateLogs: SslOperationLogRecord[] | null; Error?: { Code: string } };

/** A hand-signed request, so each check can be broken on purpose. */
async function raw(params: unknown, options: { service?: string; version?: string; region?: string } = {}): Promise<Logs> {
  const payload = stringifyJson(params);
  const headers = buildTc3Headers({
    ...CREDENTIALS,
    service: options.service ?? 'ssl',
    host: new URL(server.url).host,
    payload,
    timestamp: Math.floor(nowMs / 1000),
    action: ACTION,
    version: options.version ?? '2019-12-05',
    region: options.region,
  });
  delete headers.Host;
  const res = await fetch(server.url, { method: 'POST', headers, body: payload });
  return (parseJson(await res.text()) as { Response: Logs }).Response;
}
const codeOf = async (params: unknown, options?: Parameters<typeof raw>[1]) => (await raw(params, options)).Error?.Code;
const certIds = (logs: Logs) => (logs.OperateLogs ?? []).map((r) => r.CertId);

const record = (time: number, certId: string): SslOperationLogRecord => ({
  Action: `User [uin: 100000000001] deletes certificate [id: ${certId}]`,
  CreatedOn: bj(time),
  Uin: '100000000001',
  SubAccountUin: '100000000001',
  CertId: certId,
  Type: 'delete',
});

describe('simulator: requests', () => {
  it('accepts TC3 requests scoped to ssl, with or without a region', async () => {
    expect((await raw({})).Error).toBeUndefined();
    expect((await raw({}, { region: 'ap-guangzhou' })).Error).toBeUndefined();
    expect(await codeOf({}, { service: 'cloudaudit' })).toBe('AuthFailure.SignatureFailure');
    expect(await codeOf({}, { version: '2019-03-19' })).toBe('NoSuchVersion');
  });

  it.each([
    [{ Offset: '0' }, SSL_ERRORS.type],
    [{ Limit: 1.5 }, SSL_ERRORS.type],
    [{ Offset: -1 }, SSL_ERRORS.invalid],
    [{ Limit: 0 }, SSL_ERRORS.invalid],
    [{ StartTime: NOW }, SSL_ERRORS.type],
    [{ StartTime: '2025-01-15T00:00:00Z' }, SSL_ERRORS.type],
    [{ EndTime: '2025-02-30 00:00:00' }, SSL_ERRORS.type],
    [{ StartTime: bj(NOW), EndTime: bj(NOW - 1) }, SSL_ERRORS.invalid],
  ])('answers %j with %s', async (params, code) => {
    expect(await codeOf(params)).toBe(code);
  });

  it('enforces 10 requests per second when asked', async () => {
    await start({ enforceRateLimit: true });
    const codes = await Promise.all(Array.from({ length: 13 }, () => codeOf({})));
    expect(codes.filter((code) => code === undefined)).toHaveLength(10);
    expect(codes.filter((code) => code === 'RequestLimitExceeded')).toHaveLength(3);
  });
});

describe('simulator: DescribeCertificateOperateLogs', () => {
  it('lists newest first within inclusive Beijing-time bounds, with AllTotal and TotalCount', async () => {
    ssl.addEvents([record(NOW - 100, 'a'), record(NOW - 50, 'b'), record(NOW - 10, 'c'), record(NOW - 9, 'd')]);
    const logs = await raw({ StartTime: bj(NOW - 100), EndTime: bj(NOW - 10), Limit: 2 });
    expect(logs).toMatchObject({ AllTotal: 3, TotalCount: 2 });
    expect(certIds(logs)).toEqual(['c', 'b']);
    expect(certIds(await raw({ StartTime: bj(NOW - 100), EndTime: bj(NOW - 10), Limit: 2, Offset: 2 }))).toEqual(['a']);
  });

  it('defaults to the last 15 days and 20 records, and treats a Limit above 1000 as 1000', async () => {
    ssl.addEvents([record(NOW - 15 * DAY - 1, 'old'), ...Array.from({ length: 1200 }, (_, i) => record(NOW - i, `r${i}`))]);
    const defaults = await raw({});
    expect(defaults).toMatchObject({ AllTotal: 1200, TotalCount: 20 });
    expect((await raw({ Limit: 5000 })).TotalCount).toBe(1000);
  });

  it('answers OperateLogs null when nothing matches', async () => {
    expect(await raw({})).toMatchObject({ AllTotal: 0, TotalCount: 0, OperateLogs: null });
  });

  it('hides records until their visibleAt, and drops them past the retention', async () => {
    await start({ retentionSeconds: 30 * DAY });
    ssl.addEvents([{ record: record(NOW - 600, 'late'), visibleAt: NOW + 60 }, record(NOW - 31 * DAY, 'expired')]);
    const everything = { StartTime: bj(NOW - 60 * DAY), EndTime: bj(NOW) };
    expect((await raw(everything)).AllTotal).toBe(0);
    nowMs += 60_000;
    expect(certIds(await raw(everything))).toEqual(['late']);
  });

  it('can list by insertion (late arrivals out of time order) or shuffle ties on every request', async () => {
    await start({ order: 'insertion' });
    ssl.addEvents([record(NOW - 10, 'newest'), record(NOW - 500, 'inserted-late')]);
    expect(certIds(await raw({}))).toEqual(['inserted-late', 'newest']);

    await start({ unstableTies: true });
    ssl.addEvents(Array.from({ length: 50 }, (_, i) => record(NOW - 10, `t${i}`)));
    const orders = await Promise.all([1, 2, 3].map(async () => certIds(await raw({ Limit: 50 })).join()));
    expect(new Set(orders).size).toBeGreaterThan(1);
  });

  it('can cap pages below Limit and treat EndTime as exclusive', async () => {
    await start({ maxLimit: 2, endTimeExclusive: true });
    ssl.addEvents([record(NOW - 30, 'a'), record(NOW - 20, 'b'), record(NOW - 10, 'c'), record(NOW - 5, 'd')]);
    const logs = await raw({ StartTime: bj(NOW - 30), EndTime: bj(NOW - 5), Limit: 1000 });
    expect(logs).toMatchObject({ AllTotal: 3, TotalCount: 2 });
    expect(certIds(logs)).toEqual(['c', 'b']);
  });

  it('shows why plain offsets are unsafe: a record above the offset repeats one and hides itself', async () => {
    ssl.addEvents(Array.from({ length: 6 }, (_, i) => record(NOW - 100 - i, `r${i}`)));
    const query = { StartTime: bj(NOW - 1000), EndTime: bj(NOW - 1), Limit: 3 };
    const first = certIds(await raw({ ...query, Offset: 0 }));
    ssl.addEvents([record(NOW - 50, 'arrived')]);
    const second = certIds(await raw({ ...query, Offset: 3 }));
    expect(first).toEqual(['r0', 'r1', 'r2']);
    expect(second).toEqual(['r2', 'r3', 'r4']);
  });

  it('works with the real client', async () => {
    ssl.addEvents(generateSslEvents({ count: 30, from: NOW - 1000, to: NOW - 1, seed: 1 }));
    const client = new TencentClient({ service: 'ssl', version: '2019-12-05', endpoint: server.url, credentials: CREDENTIALS, requestsPerSecond: 1000, clock });
    const { response, requestId } = await client.call<Logs>(ACTION, { Limit: 1000 });
    expect(response.AllTotal).toBe(30);
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('generateSslEvents', () => {
  const options = { count: 500, from: NOW - DAY, to: NOW, seed: 42 };

  it('is deterministic, dated within [from, to] and newest first', () => {
    const events = generateSslEvents(options);
    expect(generateSslEvents(options)).toEqual(events);
    expect(generateSslEvents({ ...options, seed: 43 })).not.toEqual(events);
    const times = events.map((e) => sslRecordTime(e.record));
    expect(times.every((t) => t >= options.from && t <= options.to)).toBe(true);
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('is shaped like the documented example', () => {
    const records = generateSslEvents(options).map((e) => e.record);
    for (const r of records) {
      expect(Object.keys(r)).toEqual(['Action', 'CreatedOn', 'Uin', 'SubAccountUin', 'CertId', 'Type']);
      expect(r.CertId).toMatch(/^[A-Za-z0-9]{8}$/);
      expect(r.Action).toBe(r.Action.replace(/\[uin: [^\]]+\]/, `[uin: ${r.SubAccountUin}]`));
      expect(r.Action).toContain(`certificate [id: ${r.CertId}]`);
      expect(r.SubAccountUin === '--').toBe(['issued', 'revoked', 'domainValidationPassed'].includes(r.Type));
    }
    expect(new Set(records.map((r) => r.Type)).size).toBeGreaterThanOrEqual(15);
    expect(new Set(records.map((r) => r.SubAccountUin)).size).toBeGreaterThanOrEqual(4);
  });

  it('adds identical pairs and late arrivals on request', () => {
    const events = generateSslEvents({ ...options, count: 100, identicalPairs: 5, late: { fraction: 0.3, maxDelaySeconds: 600 } });
    expect(events).toHaveLength(110);
    const counts = new Map<string, number>();
    for (const e of events) counts.set(JSON.stringify(e.record), (counts.get(JSON.stringify(e.record)) ?? 0) + 1);
    expect([...counts.values()].filter((n) => n >= 2).length).toBeGreaterThanOrEqual(5);
    const late = events.filter((e) => e.visibleAt! > sslRecordTime(e.record));
    expect(late.length).toBeGreaterThan(10);
    expect(late.every((e) => e.visibleAt! - sslRecordTime(e.record) <= 600)).toBe(true);
  });
});
