import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signParams, type FlatParams } from '../../../../shared/providers/ucloud/signature';
import type { UCloudApiServer } from '../../../../simulators/ucloud/server';
import {
  GET_USER_OPERATION_EVENTS,
  generateOperationEvents,
  startUCloudOperationsSimulator,
  type OperationsSimulator,
  type UserOperationEventRecord,
} from '../../../../simulators/ucloud/operations/simulator';

const KEYS = { publicKey: 'fakePublicKeyForTests@example.com0001', privateKey: 'fakePrivateKeyForTestsOnly0123456789' };
const DAY = 86_400;
const NOW_MS = Date.UTC(2025, 0, 15, 12, 0, 0);
const NOW = NOW_MS / 1000;
const ACTION = 'GetUserOperationEvents';

let nowMs = NOW_MS;
let server: UCloudApiServer;
let operations: OperationsSimulator;

beforeEach(async () => {
  nowMs = NOW_MS;
  ({ server, operations } = await startUCloudOperationsSimulator({ credentials: [KEYS], now: () => nowMs, projects: ['org-other'] }));
});
afterEach(async () => {
  await server.close();
});

interface RawOptions {
  privateKey?: string;
  publicKey?: string;
  transport?: 'form' | 'json' | 'get';
  /** Change the sent parameters after signing. */
  tamper?: (params: FlatParams) => FlatParams;
}

interface Answer {
  RetCode: number;
  Message?: string;
  Action?: string;
  Events?: UserOperationEventRecord[];
  NextToken?: string;
}

/** A hand-signed request, so each check can be broken on purpose. */
async function raw(params: Record<string, unknown>, options: RawOptions = {}): Promise<{ answer: Answer; requestId: string | null }> {
  const keys = { publicKey: options.publicKey ?? KEYS.publicKey, privateKey: options.privateKey ?? KEYS.privateKey };
  let signed = signParams({ Action: ACTION, ...params }, keys);
  if (options.tamper) signed = options.tamper(signed);
  const transport = options.transport ?? 'form';
  const response =
    transport === 'get'
      ? await fetch(`${server.url}/?${new URLSearchParams(signed)}`)
      : await fetch(server.url, {
          method: 'POST',
          headers: { 'Content-Type': transport === 'json' ? 'application/json' : 'application/x-www-form-urlencoded' },
          body: transport === 'json' ? JSON.stringify(signed) : new URLSearchParams(signed).toString(),
        });
  return { answer: (await response.json()) as Answer, requestId: response.headers.get('x-ucloud-request-uuid') };
}

const codeOf = async (params: Record<string, unknown>, options?: RawOptions) => (await raw(params, options)).answer.RetCode;

/** Page a query to the end; returns the records in order. */
async function pageAll(params: Record<string, unknown>, between?: (page: number) => void): Promise<UserOperationEventRecord[]> {
  const out: UserOperationEventRecord[] = [];
  let token: string | undefined;
  for (let page = 0; ; page++) {
    const { answer } = await raw({ ...params, ...(token ? { NextToken: token } : {}) });
    expect(answer.RetCode, answer.Message).toBe(0);
    out.push(...answer.Events!);
    if (!answer.NextToken) return out;
    token = answer.NextToken;
    between?.(page);
  }
}

const window = { BeginTime: NOW - 3600, EndTime: NOW };

describe('simulator: gateway checks', () => {
  it('accepts a signed form POST, a JSON POST and a GET, with the envelope and request id header', async () => {
    for (const transport of ['form', 'json', 'get'] as const) {
      const { answer, requestId } = await raw(window, { transport });
      expect(answer).toMatchObject({ RetCode: 0, Action: 'GetUserOperationEventsResponse', Events: [] });
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(server.requests.map((r) => [r.method, r.contentType])).toEqual([
      ['POST', 'application/x-www-form-urlencoded'],
      ['POST', 'application/json'],
      ['GET', undefined],
    ]);
    // Recorded parameters never hold the key or the signature.
    expect(server.requests[0]!.params).toEqual({ Action: ACTION, BeginTime: String(NOW - 3600), EndTime: String(NOW) });
  });

  it('answers 171 "Signature VerifyAC Error" for a wrong key or a parameter changed after signing', async () => {
    const wrongKey = await raw(window, { privateKey: 'wrongFakePrivateKeyForTests' });
    expect(wrongKey.answer).toMatchObject({ RetCode: 171, Message: 'Signature VerifyAC Error' });
    expect(await codeOf(window, { tamper: (p) => ({ ...p, EndTime: String(NOW - 1) }) })).toBe(171);
    expect(await codeOf(window, { tamper: (p) => ({ ...p, Extra: 'x' }) })).toBe(171);
  });

  it('answers 172 for an unknown PublicKey, 170 without Signature, 160 without Action, 161 for an unknown action', async () => {
    expect(await codeOf(window, { publicKey: 'fakeUnknownPublicKey' })).toBe(172);
    expect(await codeOf(window, { tamper: ({ Signature: _s, ...p }) => p })).toBe(170);
    expect(await codeOf(window, { tamper: ({ Action: _a, ...p }) => p })).toBe(160);
    expect(await codeOf({ ...window, Action: 'DescribeNothing' })).toBe(161);
  });

  it('enforces 5 requests per second when asked', async () => {
    await server.close();
    ({ server, operations } = await startUCloudOperationsSimulator({ credentials: [KEYS], now: () => nowMs, enforceRateLimit: true }));
    // The server clock stands still, so all 8 fall in the same second.
    const codes = await Promise.all(Array.from({ length: 8 }, () => codeOf(window)));
    expect(codes.filter((code) => code === 0)).toHaveLength(5);
    expect(codes.filter((code) => code === 153)).toHaveLength(3);
    nowMs += 1_001;
    expect(await codeOf(window)).toBe(0);
  });

  it('keys the limit on the key pair: two key pairs each get the full 5/s, one beyond it is throttled', async () => {
    const other = { publicKey: 'otherFakePublicKeyForTests@example.com0002', privateKey: 'otherFakePrivateKeyForTestsOnly0123' };
    await server.close();
    ({ server, operations } = await startUCloudOperationsSimulator({ credentials: [KEYS, other], now: () => nowMs, enforceRateLimit: true }));
    const codes = await Promise.all([...Array.from({ length: 5 }, () => codeOf(window)), ...Array.from({ length: 5 }, () => codeOf(window, other))]);
    expect(codes.every((code) => code === 0)).toBe(true);
    expect(await codeOf(window)).toBe(153);
    expect(server.rateStats().map((r) => [r.api, r.principal, r.requests, r.maxPerSecond, r.throttled]).sort()).toEqual(
      [
        [ACTION, KEYS.publicKey, 6, 6, 1],
        [ACTION, other.publicKey, 5, 5, 0],
      ].sort(),
    );
  });
});

describe('simulator: GetUserOperationEvents rules', () => {
  it('allows the last 365 days only', async () => {
    expect(await codeOf({ BeginTime: NOW - 365 * DAY - 1, EndTime: NOW })).toBe(230);
    expect(await codeOf({ BeginTime: NOW - 365 * DAY, EndTime: NOW - 364 * DAY })).toBe(0);
  });

  it('checks the parameters: integers, order, MaxResults 1..100, the project', async () => {
    expect(await codeOf({ BeginTime: 'yesterday', EndTime: NOW })).toBe(230);
    expect(await codeOf({ BeginTime: NOW, EndTime: NOW - 1 })).toBe(230);
    expect(await codeOf({ ...window, MaxResults: 0 })).toBe(230);
    expect(await codeOf({ ...window, MaxResults: GET_USER_OPERATION_EVENTS.maxResults + 1 })).toBe(230);
    expect(await codeOf({ ...window, MaxResults: GET_USER_OPERATION_EVENTS.maxResults })).toBe(0);
    expect(await codeOf({ ...window, ProjectId: 'org-nope' })).toBe(292);
    expect(await codeOf({ ...window, ProjectId: 'org-other' })).toBe(0);
  });

  it('returns OperateTime in [BeginTime, EndTime] inclusive, newest first, identical records included', async () => {
    const events = generateOperationEvents({ count: 60, from: NOW - 1000, to: NOW - 1, seed: 3, identicalPairs: 5 });
    expect(events).toHaveLength(70);
    operations.addEvents(events);
    const [begin, end] = [NOW - 700, NOW - 200];
    const base = events[0]!.record;
    operations.addEvents([
      { ...base, Api: 'EdgeStart', OperateTime: begin },
      { ...base, Api: 'EdgeEnd', OperateTime: end },
      { ...base, Api: 'Outside', OperateTime: end + 1 },
    ]);
    const got = await pageAll({ BeginTime: begin, EndTime: end, MaxResults: 7 });
    const apis = got.map((r) => r.Api);
    expect(apis).toContain('EdgeStart');
    expect(apis).toContain('EdgeEnd');
    expect(apis).not.toContain('Outside');
    expect(got).toHaveLength(events.filter((e) => e.record.OperateTime >= begin && e.record.OperateTime <= end).length + 2);
    expect(got.map((r) => r.OperateTime)).toEqual([...got.map((r) => r.OperateTime)].sort((a, b) => b - a));
  });

  it('pages with opaque string tokens and requires every other parameter to repeat', async () => {
    operations.addEvents(generateOperationEvents({ count: 5, from: NOW - 100, to: NOW, seed: 4 }));
    const query = { BeginTime: NOW - 100, EndTime: NOW, MaxResults: 2 };
    const first = await raw(query);
    expect(first.answer.Events).toHaveLength(2);
    const token = first.answer.NextToken!;
    expect(typeof token).toBe('string');
    expect(await codeOf({ ...query, NextToken: token })).toBe(0);
    expect(await codeOf({ ...query, EndTime: NOW - 1, NextToken: token })).toBe(230);
    expect(await codeOf({ ...query, MaxResults: 3, NextToken: token })).toBe(230);
    expect(await codeOf({ ...query, ResourceID: 'uhost-x', NextToken: token })).toBe(230);
    expect(await codeOf({ ...query, NextToken: 'SpWAGVWQ' })).toBe(230);
    const last = await raw({ ...query, NextToken: (await raw({ ...query, NextToken: token })).answer.NextToken });
    expect(last.answer.Events).toHaveLength(1);
    expect(last.answer.NextToken).toBeUndefined();
  });

  it('keeps paging stable while events arrive', async () => {
    const initial = generateOperationEvents({ count: 40, from: NOW - 1000, to: NOW - 10, seed: 6 });
    operations.addEvents(initial);
    let added = 0;
    const got = await pageAll({ BeginTime: NOW - 2000, EndTime: NOW, MaxResults: 10 }, (page) => {
      if (page !== 0) return;
      // Newer events (ahead of the cursor) and older ones (behind it) arrive mid-paging.
      const newer = generateOperationEvents({ count: 10, from: NOW - 5, to: NOW, seed: 60 });
      const older = generateOperationEvents({ count: 10, from: NOW - 1500, to: NOW - 1200, seed: 61 });
      operations.addEvents([...newer, ...older]);
      added = older.length;
    });
    expect(got).toHaveLength(initial.length + added);
    for (const { record } of initial) expect(got).toContainEqual(record);
    expect(new Set(got.map((r) => JSON.stringify(r))).size).toBe(got.length);
  });

  it('hides events until their visibleAt (late arrival)', async () => {
    const [event] = generateOperationEvents({ count: 1, from: NOW - 600, to: NOW - 600, seed: 7 });
    operations.addEvents([{ record: event!.record, visibleAt: NOW + 120 }]);
    expect((await raw(window)).answer.Events).toEqual([]);
    nowMs += 120_000;
    expect((await raw(window)).answer.Events).toHaveLength(1);
  });

  it('filters by ResourceID and ProjectId', async () => {
    const events = generateOperationEvents({ count: 50, from: NOW - 3000, to: NOW, seed: 8 });
    operations.addEvents(events);
    operations.addEvents([{ record: { ...events[0]!.record, Api: 'OtherProject' }, projectId: 'org-other' }]);
    const target = events[3]!.record.RelatedResource[0]!.ResourceId;
    const got = await pageAll({ ...window, ResourceID: target });
    expect(got.length).toBeGreaterThan(0);
    expect(got.every((r) => r.RelatedResource.some((resource) => resource.ResourceId === target))).toBe(true);
    expect((await pageAll({ ...window, MaxResults: 100 })).map((r) => r.Api)).not.toContain('OtherProject');
    expect((await pageAll({ ...window, ProjectId: 'org-other' })).map((r) => r.Api)).toEqual(['OtherProject']);
  });
});

describe('generateOperationEvents', () => {
  const options = { count: 300, from: NOW - DAY, to: NOW, seed: 42 };

  it('is deterministic and shaped like the documented item', () => {
    const events = generateOperationEvents(options);
    expect(generateOperationEvents(options)).toEqual(events);
    expect(generateOperationEvents({ ...options, seed: 43 })).not.toEqual(events);
    for (const { record } of events) {
      expect(Object.keys(record).sort()).toEqual(['Api', 'IsSuccess', 'OperateTime', 'Region', 'RelatedResource', 'UserEmail', 'UserName']);
      expect(record.OperateTime).toBeGreaterThanOrEqual(options.from);
      expect(record.OperateTime).toBeLessThanOrEqual(options.to);
    }
    const records = events.map((e) => e.record);
    expect(new Set(records.map((r) => r.Api)).size).toBeGreaterThanOrEqual(15);
    expect(records.some((r) => !r.IsSuccess)).toBe(true);
    expect(records.some((r) => r.Region === '')).toBe(true);
    expect(records.some((r) => r.RelatedResource.length === 2)).toBe(true);
  });

  it('adds identical pairs and late events on request', () => {
    const events = generateOperationEvents({ ...options, identicalPairs: 4, late: { fraction: 0.3, maxDelaySeconds: 600 } });
    expect(events).toHaveLength(308);
    const texts = events.map((e) => JSON.stringify(e.record));
    expect(texts.length - new Set(texts).size).toBe(4);
    const late = events.filter((e) => e.visibleAt !== undefined);
    expect(late.length).toBeGreaterThan(40);
    expect(late.every((e) => e.visibleAt! > e.record.OperateTime && e.visibleAt! - e.record.OperateTime <= 600)).toBe(true);
  });
});
