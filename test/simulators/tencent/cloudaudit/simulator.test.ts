import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock, type Clock } from '../../../../shared/lib/clock';
import { ProviderError } from '../../../../shared/lib/errors';
import { JsonInteger, TencentClient } from '../../../../shared/providers/tencent/client';
import { parseJson, stringifyJson } from '../../../../shared/providers/tencent/json';
import { buildTc3Headers } from '../../../../shared/providers/tencent/tc3';
import type { TencentApiServer } from '../../../../simulators/tencent/api-server';
import {
  CLOUDAUDIT_ERRORS,
  generateCloudAuditEvents,
  startCloudAuditSimulator,
  type CloudAuditEventRecord,
  type CloudAuditSimulator,
} from '../../../../simulators/tencent/cloudaudit/simulator';

const CREDENTIALS = { secretId: 'AKIDfakeSecretIdForTests', secretKey: 'fakeSecretKeyForTestsOnly0123456789' };
const DAY = 86_400;
const NOW_MS = Date.UTC(2025, 0, 15, 12, 0, 0);
const NOW = NOW_MS / 1000;

let nowMs = NOW_MS;
const clock: Clock = { now: () => nowMs, sleep: systemClock.sleep };
let server: TencentApiServer;
let cloudaudit: CloudAuditSimulator;

beforeEach(async () => {
  nowMs = NOW_MS;
  ({ server, cloudaudit } = await startCloudAuditSimulator({ credentials: [CREDENTIALS], now: () => nowMs }));
});
afterEach(async () => {
  await server.close();
});

interface RawOptions {
  action?: string;
  version?: string;
  region?: string | null;
  secretId?: string;
  secretKey?: string;
  service?: string;
  timestamp?: number;
  /** Change the body after signing. */
  tamper?: (body: string) => string;
}

/** A hand-signed request, so each check can be broken on purpose. */
async function raw(params: unknown, options: RawOptions = {}): Promise<{ text: string; response: Record<string, any> }> {
  const payload = typeof params === 'string' ? params : stringifyJson(params);
  const headers = buildTc3Headers({
    secretId: options.secretId ?? CREDENTIALS.secretId,
    secretKey: options.secretKey ?? CREDENTIALS.secretKey,
    service: options.service ?? 'cloudaudit',
    host: new URL(server.url).host,
    payload,
    timestamp: options.timestamp ?? Math.floor(nowMs / 1000),
    action: options.action ?? 'DescribeEvents',
    version: options.version ?? '2019-03-19',
    region: options.region === null ? undefined : (options.region ?? 'ap-guangzhou'),
  });
  delete headers.Host;
  const res = await fetch(server.url, { method: 'POST', headers, body: options.tamper ? options.tamper(payload) : payload });
  const text = await res.text();
  return { text, response: (parseJson(text) as { Response: Record<string, any> }).Response };
}

const codeOf = async (params: unknown, options?: RawOptions) => (await raw(params, options)).response.Error?.Code;

const api = () =>
  new TencentClient({
    service: 'cloudaudit',
    version: '2019-03-19',
    endpoint: server.url,
    region: 'ap-guangzhou',
    credentials: CREDENTIALS,
    requestsPerSecond: 1000,
    clock,
    retry: { attempts: 1 },
  });

/** Page a window to the end through the real client; returns the events in order. */
async function pageAll(params: Record<string, unknown>, between?: (page: number) => void): Promise<CloudAuditEventRecord[]> {
  const out: CloudAuditEventRecord[] = [];
  let token: string | undefined;
  for (let page = 0; ; page++) {
    const { response } = await api().call<{ Events: CloudAuditEventRecord[]; ListOver: boolean; NextToken?: string }>('DescribeEvents', {
      ...params,
      ...(token ? { NextToken: new JsonInteger(token) } : {}),
    });
    out.push(...response.Events);
    if (response.ListOver) return out;
    token = response.NextToken;
    between?.(page);
  }
}

describe('simulator: signature checks', () => {
  const window = { StartTime: NOW - 3600, EndTime: NOW };

  it('accepts a correctly signed request', async () => {
    const { response } = await raw(window);
    expect(response.Error).toBeUndefined();
    expect(response.RequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.ListOver).toBe(true);
  });

  it('rejects a wrong key, a tampered body, another service or scope date', async () => {
    expect(await codeOf(window, { secretKey: 'wrongFakeKeyForTests' })).toBe('AuthFailure.SignatureFailure');
    expect(await codeOf(window, { tamper: (body) => body.replace('"EndTime":', '"EndTime" :') })).toBe('AuthFailure.SignatureFailure');
    expect(await codeOf(window, { service: 'cvm' })).toBe('AuthFailure.SignatureFailure');
  });

  it('rejects an unknown SecretId', async () => {
    expect(await codeOf(window, { secretId: 'AKIDfakeUnknownIdForTests' })).toBe('AuthFailure.SecretIdNotFound');
  });

  it('rejects a timestamp more than 5 minutes from the server clock', async () => {
    expect(await codeOf(window, { timestamp: NOW - 301 })).toBe('AuthFailure.SignatureExpire');
    expect(await codeOf(window, { timestamp: NOW + 301 })).toBe('AuthFailure.SignatureExpire');
    expect(await codeOf(window, { timestamp: NOW - 299 })).toBeUndefined();
  });

  it('checks the action, the version and the Region header', async () => {
    expect(await codeOf(window, { action: 'DescribeNothing' })).toBe('InvalidAction');
    expect(await codeOf(window, { version: '2017-03-12' })).toBe('NoSuchVersion');
    expect(await codeOf(window, { region: null })).toBe('MissingParameter');
  });
});

describe('simulator: DescribeEvents rules', () => {
  it('requires integer StartTime and EndTime', async () => {
    expect(await codeOf({ EndTime: NOW })).toBe(CLOUDAUDIT_ERRORS.time);
    expect(await codeOf({ StartTime: String(NOW - 60), EndTime: NOW })).toBe(CLOUDAUDIT_ERRORS.time);
    expect(await codeOf({ StartTime: NOW - 60.5, EndTime: NOW })).toBe(CLOUDAUDIT_ERRORS.time);
    expect(await codeOf({ StartTime: NOW, EndTime: NOW - 1 })).toBe(CLOUDAUDIT_ERRORS.timeOrder);
  });

  it('keeps the span under 30 days and the start within 90 days', async () => {
    expect(await codeOf({ StartTime: NOW - 30 * DAY, EndTime: NOW })).toBe('LimitExceeded.OverTime');
    expect(await codeOf({ StartTime: NOW - 30 * DAY + 1, EndTime: NOW })).toBeUndefined();
    expect(await codeOf({ StartTime: NOW - 90 * DAY - 1, EndTime: NOW - 80 * DAY })).toBe('LimitExceeded.OverTime');
    expect(await codeOf({ StartTime: NOW - 90 * DAY, EndTime: NOW - 80 * DAY })).toBeUndefined();
  });

  it('caps MaxResults at 50', async () => {
    const window = { StartTime: NOW - 60, EndTime: NOW };
    expect(await codeOf({ ...window, MaxResults: 51 })).toBe(CLOUDAUDIT_ERRORS.maxResults);
    expect(await codeOf({ ...window, MaxResults: 0 })).toBe(CLOUDAUDIT_ERRORS.maxResults);
    expect(await codeOf({ ...window, MaxResults: 50 })).toBeUndefined();
  });

  it('returns EventTime in [StartTime, EndTime] inclusive, newest first', async () => {
    const events = generateCloudAuditEvents({ count: 30, from: NOW - 1000, to: NOW - 1, seed: 3 });
    cloudaudit.addEvents(events);
    const start = NOW - 700;
    const end = NOW - 200;
    const expected = events.map((e) => e.record).filter((r) => r.EventTime >= start && r.EventTime <= end);
    cloudaudit.addEvents([
      { ...events[0]!.record, EventId: 'edge-start', EventTime: start },
      { ...events[0]!.record, EventId: 'edge-end', EventTime: end },
      { ...events[0]!.record, EventId: 'outside', EventTime: end + 1 },
    ]);
    const got = await pageAll({ StartTime: start, EndTime: end, MaxResults: 7 });
    const ids = got.map((r) => r.EventId);
    expect(ids).toContain('edge-start');
    expect(ids).toContain('edge-end');
    expect(ids).not.toContain('outside');
    expect(new Set(ids).size).toBe(expected.length + 2);
    expect(got.map((r) => r.EventTime)).toEqual([...got.map((r) => r.EventTime)].sort((a, b) => b - a));
  });

  it('pages with big-integer NextTokens written as bare JSON integers, then ListOver', async () => {
    cloudaudit.addEvents(generateCloudAuditEvents({ count: 5, from: NOW - 100, to: NOW, seed: 4 }));
    const first = await raw({ StartTime: NOW - 100, EndTime: NOW, MaxResults: 2 });
    expect(first.response.ListOver).toBe(false);
    expect(first.response.TotalCount).toBe(2);
    expect(first.text).toMatch(/"NextToken":\d{17,}[,}]/);
    const token = first.response.NextToken as string;
    expect(BigInt(token) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    const second = await raw({ StartTime: NOW - 100, EndTime: NOW, MaxResults: 2, NextToken: new JsonInteger(token) });
    expect(second.response.Events).toHaveLength(2);
    const last = await raw({ StartTime: NOW - 100, EndTime: NOW, MaxResults: 2, NextToken: new JsonInteger(second.response.NextToken) });
    expect(last.response).toMatchObject({ ListOver: true, TotalCount: 1 });
    expect(last.response.NextToken).toBeUndefined();
  });

  it('rejects a NextToken that is quoted, unknown or from another query', async () => {
    cloudaudit.addEvents(generateCloudAuditEvents({ count: 5, from: NOW - 100, to: NOW, seed: 5 }));
    const query = { StartTime: NOW - 100, EndTime: NOW, MaxResults: 2 };
    const token = (await raw(query)).response.NextToken as string;
    expect(await codeOf({ ...query, NextToken: token })).toBe('InvalidParameter');
    expect(await codeOf({ ...query, NextToken: new JsonInteger('16106961641644206') })).toBe('InvalidParameter');
    expect(await codeOf({ ...query, EndTime: NOW - 1, NextToken: new JsonInteger(token) })).toBe('InvalidParameter');
    expect(await codeOf({ ...query, NextToken: new JsonInteger(token) }, { region: 'ap-shanghai' })).toBe('InvalidParameter');
    // MaxResults may change between pages.
    expect(await codeOf({ ...query, MaxResults: 3, NextToken: new JsonInteger(token) })).toBeUndefined();
  });

  it('keeps paging stable while events arrive', async () => {
    const initial = generateCloudAuditEvents({ count: 40, from: NOW - 1000, to: NOW - 10, seed: 6 });
    cloudaudit.addEvents(initial);
    let added = 0;
    const got = await pageAll({ StartTime: NOW - 2000, EndTime: NOW }, (page) => {
      if (page !== 0) return;
      // Newer events (ahead of the cursor) and older ones (behind it) arrive mid-paging.
      const late = generateCloudAuditEvents({ count: 10, from: NOW - 5, to: NOW, seed: 60 });
      const older = generateCloudAuditEvents({ count: 10, from: NOW - 1500, to: NOW - 1200, seed: 61 });
      cloudaudit.addEvents([...late, ...older]);
      added = older.length;
    });
    const ids = got.map((r) => r.EventId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { record } of initial) expect(ids).toContain(record.EventId);
    expect(ids.length).toBe(initial.length + added);
  });

  it('hides events until their visibleAt (late arrival)', async () => {
    const [event] = generateCloudAuditEvents({ count: 1, from: NOW - 600, to: NOW - 600, seed: 7 });
    cloudaudit.addEvents([{ record: event!.record, visibleAt: NOW + 120 }]);
    const query = { StartTime: NOW - 3600, EndTime: NOW };
    expect((await raw(query)).response.Events).toEqual([]);
    nowMs += 120_000;
    expect((await raw(query)).response.Events).toHaveLength(1);
  });

  it('filters by LookupAttributes', async () => {
    cloudaudit.addEvents(generateCloudAuditEvents({ count: 200, from: NOW - 3000, to: NOW, seed: 8 }));
    const got = await pageAll({
      StartTime: NOW - 3600,
      EndTime: NOW,
      MaxResults: 50,
      LookupAttributes: [{ AttributeKey: 'ActionType', AttributeValue: 'Write' }],
    });
    expect(got.length).toBeGreaterThan(0);
    expect(got.every((r) => JSON.parse(r.CloudAuditEvent).actionType === 'Write')).toBe(true);
    expect(await codeOf({ StartTime: NOW - 60, EndTime: NOW, LookupAttributes: [{ AttributeKey: 'Nope', AttributeValue: 'x' }] })).toBe(
      CLOUDAUDIT_ERRORS.attributeKey,
    );
  });

  it('enforces 20 requests per second when asked', async () => {
    await server.close();
    ({ server, cloudaudit } = await startCloudAuditSimulator({ credentials: [CREDENTIALS], now: () => nowMs, enforceRateLimit: true }));
    // The server clock stands still, so all 25 fall in the same second.
    const codes = await Promise.all(Array.from({ length: 25 }, () => codeOf({ StartTime: NOW - 60, EndTime: NOW })));
    expect(codes.filter((code) => code === undefined)).toHaveLength(20);
    expect(codes.filter((code) => code === 'RequestLimitExceeded')).toHaveLength(5);
    nowMs += 1_001;
    expect(await codeOf({ StartTime: NOW - 60, EndTime: NOW })).toBeUndefined();
  });

  it('keys the limit on the SecretId: two keys each get the full 20/s, one key beyond it is throttled', async () => {
    const other = { secretId: 'AKIDotherFakeSecretIdForTests', secretKey: 'otherFakeSecretKeyForTestsOnly0123' };
    await server.close();
    ({ server, cloudaudit } = await startCloudAuditSimulator({ credentials: [CREDENTIALS, other], now: () => nowMs, enforceRateLimit: true }));
    const window = { StartTime: NOW - 60, EndTime: NOW };
    const both = await Promise.all([
      ...Array.from({ length: 20 }, () => codeOf(window)),
      ...Array.from({ length: 20 }, () => codeOf(window, { secretId: other.secretId, secretKey: other.secretKey })),
    ]);
    expect(both.filter((code) => code !== undefined)).toEqual([]);
    expect(await codeOf(window, { secretId: other.secretId, secretKey: other.secretKey })).toBe('RequestLimitExceeded');
    const host = new URL(server.url).host;
    expect(server.rateStats()).toEqual(
      expect.arrayContaining([
        { api: 'DescribeEvents', host, principal: CREDENTIALS.secretId, requests: 20, maxPerSecond: 20, throttled: 0 },
        { api: 'DescribeEvents', host, principal: other.secretId, requests: 21, maxPerSecond: 21, throttled: 1 },
      ]),
    );
  });

  it('counts requests per key without a limit too', async () => {
    await codeOf({ StartTime: NOW - 60, EndTime: NOW });
    nowMs += 1_000;
    await codeOf({ StartTime: NOW - 60, EndTime: NOW });
    expect(server.rateStats()).toEqual([expect.objectContaining({ principal: CREDENTIALS.secretId, requests: 2, maxPerSecond: 1, throttled: 0 })]);
  });

  it('surfaces rule violations through the client as non-retryable ProviderErrors', async () => {
    const error = await api()
      .call('DescribeEvents', { StartTime: NOW - 31 * DAY, EndTime: NOW })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'LimitExceeded.OverTime', retryable: false });
  });
});

describe('generateCloudAuditEvents', () => {
  const options = { count: 300, from: NOW - DAY, to: NOW, seed: 42 };

  it('is deterministic and unique', () => {
    const a = generateCloudAuditEvents(options);
    expect(generateCloudAuditEvents(options)).toEqual(a);
    expect(new Set(a.map((e) => e.record.EventId)).size).toBe(300);
    expect(generateCloudAuditEvents({ ...options, seed: 43 })[0]).not.toEqual(a[0]);
  });

  it('is shaped like the documented Events[] item, nested JSON strings included', () => {
    const events = generateCloudAuditEvents(options).map((e) => e.record);
    for (const record of events) {
      expect(Object.keys(record).sort()).toEqual(
        [
          'AccountID', 'CloudAuditEvent', 'ErrorCode', 'EventId', 'EventName', 'EventNameCn', 'EventRegion', 'EventSource', 'EventTime',
          'RequestID', 'ResourceRegion', 'ResourceTypeCn', 'Resources', 'SecretId', 'SourceIPAddress', 'Username',
        ].sort(),
      );
      expect(record.EventTime).toBeGreaterThanOrEqual(options.from);
      expect(record.EventTime).toBeLessThanOrEqual(options.to);
      const inner = JSON.parse(record.CloudAuditEvent);
      expect(typeof inner.userIdentity.sessionContext).toBe('string');
      expect(JSON.parse(inner.userIdentity.sessionContext).userIp).toBe(record.SourceIPAddress);
      expect(typeof JSON.parse(inner.requestParameters)).toBe('object');
      expect(Array.isArray(JSON.parse(inner.resources))).toBe(true);
      expect(inner).toMatchObject({ eventID: record.EventId, eventName: record.EventName, eventTime: record.EventTime, eventRegion: record.EventRegion });
      // updateEsTime is a bare integer beyond 2^53 inside the string, as in the real record.
      expect(record.CloudAuditEvent).toMatch(/"updateEsTime":\d{17}[,}]/);
    }
    const inners = events.map((r) => JSON.parse(r.CloudAuditEvent));
    expect(new Set(events.map((r) => r.EventName)).size).toBeGreaterThanOrEqual(10);
    expect(new Set(inners.map((i) => i.actionType))).toEqual(new Set(['Read', 'Write']));
    expect(new Set(inners.map((i) => i.userIdentity.type))).toEqual(new Set(['Root', 'CAMUser']));
    expect(inners.some((i) => i.apiErrorCode !== '0')).toBe(true);
    expect(inners.some((i) => i.apiErrorCode === '0')).toBe(true);
    for (const name of ['CreateAccessKey', 'StopLogging', 'DeleteAudit', 'AttachUserPolicy', 'TerminateInstances', 'DeleteCertificate']) {
      expect(events.map((r) => r.EventName)).toContain(name);
    }
  });

  it('can make some events arrive late', () => {
    const events = generateCloudAuditEvents({ ...options, late: { fraction: 0.3, maxDelaySeconds: 600 } });
    const late = events.filter((e) => e.visibleAt! > e.record.EventTime);
    expect(late.length).toBeGreaterThan(40);
    expect(late.every((e) => e.visibleAt! - e.record.EventTime <= 600)).toBe(true);
  });
});
