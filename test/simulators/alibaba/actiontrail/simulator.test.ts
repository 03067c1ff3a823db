import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalQueryString, signRpcRequest } from '../../../../shared/providers/alibaba/signer';
import { formatEventTime, generateActionTrailEvents, LOOKUP_EVENTS, startActionTrailSimulator, type ActionTrailSimulator } from '../../../../simulators/alibaba/actiontrail/simulator';
import type { AlibabaApiServer } from '../../../../simulators/alibaba/server';

const keys = { accessKeyId: 'LTAIsimTestFakeKeyId', accessKeySecret: 'simTestFakeKeySecret' };
const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
const iso = (ms: number) => formatEventTime(Math.floor(ms / 1000));

/** A raw signed call, as any client would send it. */
async function call(server: AlibabaApiServer, query: Record<string, string>, options: { secret?: string; nonce?: string; now?: number; tamper?: (url: URL) => void; action?: string } = {}) {
  const url = new URL(server.url);
  url.search = canonicalQueryString(query);
  const headers = signRpcRequest({
    host: url.host,
    action: options.action ?? 'LookupEvents',
    version: '2020-07-06',
    query,
    accessKeyId: keys.accessKeyId,
    accessKeySecret: options.secret ?? keys.accessKeySecret,
    now: options.now ?? NOW,
    nonce: options.nonce ?? crypto.randomUUID(),
  });
  delete headers.host;
  options.tamper?.(url);
  const response = await fetch(url, { method: 'POST', headers });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe('the ActionTrail simulator', () => {
  let server: AlibabaApiServer;
  let actiontrail: ActionTrailSimulator;
  const range = { StartTime: iso(NOW - 2 * 3_600_000), EndTime: iso(NOW - 3_600_000) };

  beforeEach(async () => {
    ({ server, actiontrail } = await startActionTrailSimulator({ credentials: [keys], now: () => NOW, enforceRateLimit: 1000 }));
    actiontrail.addEvents(generateActionTrailEvents({ count: 230, from: NOW / 1000 - 7200, to: NOW / 1000 - 3600, seed: 11 }));
  });
  afterEach(() => server.close());

  it('verifies real signatures: a wrong secret, a changed query, a reused nonce and a stale date are refused', async () => {
    expect((await call(server, range, { secret: 'wrong' })).body.Code).toBe('SignatureDoesNotMatch');
    expect((await call(server, range, { tamper: (url) => url.searchParams.set('MaxResults', '50') })).body.Code).toBe('SignatureDoesNotMatch');
    await call(server, range, { nonce: 'fixed-nonce' });
    expect(await call(server, range, { nonce: 'fixed-nonce' })).toMatchObject({ status: 400, body: { Code: 'SignatureNonceUsed' } });
    expect((await call(server, range, { now: NOW - 20 * 60_000 })).body.Code).toBe('InvalidTimeStamp.Expired');
    expect((await call(server, range, { action: 'DeleteTrail' })).body).toMatchObject({ Code: 'InvalidAction.NotFound' });
  });

  it('pages by NextToken, newest first, MaxResults at most 50, and rejects a token of another query', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const { body } = await call(server, { ...range, MaxResults: '50', ...(token ? { NextToken: token } : {}) });
      expect(body.Events.length).toBeLessThanOrEqual(50);
      seen.push(...body.Events.map((event: { eventId: string }) => event.eventId));
      token = body.NextToken || undefined;
      if (token) expect(Buffer.from(token, 'base64').toString()).toMatch(/^\{"eventId":/);
    } while (token);
    expect(seen).toHaveLength(230);
    expect(new Set(seen).size).toBe(230);
    const first = await call(server, { ...range, MaxResults: '50' });
    expect((await call(server, { ...range, MaxResults: '20', NextToken: first.body.NextToken })).body.Code).toBe('InvalidParameter');
    expect((await call(server, { ...range, MaxResults: '51' })).body).toMatchObject({ Code: 'InvalidParameter', Message: expect.stringMatching(/1 to 50/) });
  });

  it('reads FORWARD oldest first and filters by LookupAttribute', async () => {
    const forward = await call(server, { ...range, MaxResults: '50', Direction: 'FORWARD' });
    const times = forward.body.Events.map((event: { eventTime: string }) => event.eventTime);
    expect([...times].sort()).toEqual(times);
    const writes = await call(server, { ...range, MaxResults: '50', 'LookupAttribute.1.Key': 'EventRW', 'LookupAttribute.1.Value': 'Write' });
    expect(writes.body.Events.every((event: { eventRW: string }) => event.eventRW === 'Write')).toBe(true);
    const three = Object.fromEntries([1, 2, 3].flatMap((n) => [[`LookupAttribute.${n}.Key`, 'EventRW'], [`LookupAttribute.${n}.Value`, 'Write']]));
    expect((await call(server, { ...range, ...three })).body.Message).toMatch(/At most 2/);
  });

  it('enforces the window: both ends together, the format, 30 days at most, 90 days back at most', async () => {
    expect((await call(server, { StartTime: range.StartTime })).body.Message).toMatch(/together/);
    expect((await call(server, { StartTime: '2026-11-21 10:00:00', EndTime: range.EndTime })).body.Message).toMatch(/yyyy-MM-ddTHH:mm:ssZ/);
    expect((await call(server, { StartTime: iso(NOW - 31 * 86_400_000), EndTime: iso(NOW) })).body.Message).toMatch(/30 days/);
    expect((await call(server, { StartTime: iso(NOW - 91 * 86_400_000), EndTime: iso(NOW - 89 * 86_400_000) })).body.Message).toMatch(/90 days/);
    expect((await call(server, { StartTime: range.EndTime, EndTime: range.StartTime })).body.Message).toMatch(/not be later/);
  });
});

describe('the ActionTrail simulator rate limit', () => {
  it('answers Throttling.User (HTTP 400) beyond 2 requests in a second per AccessKey', async () => {
    const { server } = await startActionTrailSimulator({ credentials: [keys], now: () => NOW, enforceRateLimit: true });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(await call(server, {}));
    expect(statuses.map(({ status, body }) => `${status} ${body.Code ?? 'ok'}`)).toEqual(['200 ok', '200 ok', '400 Throttling.User', '400 Throttling.User']);
    expect(server.rateStats()).toEqual([{ api: LOOKUP_EVENTS.action, host: '', principal: keys.accessKeyId, requests: 4, maxPerSecond: 4, throttled: 2 }]);
    await server.close();
  });
});
