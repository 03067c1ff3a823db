import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { inspect } from 'node:util';
import { MalformedResponseError, ProviderError } from '../../../../shared/lib/errors';
import { mapPage } from '../../../../shared/core/map-page';
import type { Page } from '../../../../shared/core/ports/source';
import { formatBeijingTime } from '../../../../shared/providers/tencent/ssl/beijing-time';
import { sslDefinition } from '../../../../shared/providers/tencent/ssl/definition';
import { SslSource } from '../../../../shared/providers/tencent/ssl/source';
import { SSL_LIMITS } from '../../../../shared/providers/tencent/ssl/limits';
import type { TencentApiServer } from '../../../../simulators/tencent/api-server';
import { generateSslEvents, startSslSimulator, type SslSimulator, type SslSimulatorOptions } from '../../../../simulators/tencent/ssl/simulator';
import type { FakeClock } from '../../../support/fake-clock';
import { CREDENTIALS, NOW, burst, capturingLog, fakeClock, logRecord, multiset, pageWindow, sslInstance } from './support';

const ACTION = 'DescribeCertificateOperateLogs';
const window = { start: NOW - 86_400, end: NOW - 600 };

let clock: FakeClock;
let server: TencentApiServer;
let ssl: SslSimulator;
let log: ReturnType<typeof capturingLog>;

async function start(options: SslSimulatorOptions & { enforceRateLimit?: boolean } = {}) {
  await server?.close();
  ({ server, ssl } = await startSslSimulator({ credentials: [CREDENTIALS], now: () => clock.now(), ...options }));
}

const source = (input: Record<string, unknown> = {}) =>
  new SslSource({ instance: sslInstance({ endpoint: server.url, ...input }), credentials: CREDENTIALS, clock, log });

/** Replace the simulated action with a canned answer. */
const answer = (handler: (params: Record<string, unknown>) => Record<string, unknown>) =>
  server.register(ACTION, { version: '2019-12-05', handler: ({ params }) => handler(params) });

beforeEach(async () => {
  clock = fakeClock();
  log = capturingLog();
  await start({ enforceRateLimit: true });
});
afterEach(async () => {
  vi.unstubAllGlobals();
  await server.close();
});

describe('SslSource requests', () => {
  it('asks for 1000 records between Beijing-time bounds, with no region', async () => {
    await source().fetchPage({ window });
    const [request] = server.requestsFor(ACTION);
    expect(request).toMatchObject({ version: '2019-12-05', region: undefined, outcome: 'Success' });
    expect(request!.params).toEqual({
      Offset: 0,
      Limit: 1000,
      StartTime: formatBeijingTime(window.start),
      EndTime: formatBeijingTime(window.end),
    });
    expect((request!.params as any).StartTime).toBe('2025-01-14 20:00:00');
    expect((request!.params as any).EndTime).toBe('2025-01-15 19:50:00');
  });

  it('covers the window whether EndTime is inclusive or not: a record at its end is left to the next window', async () => {
    ssl.addEvents([logRecord(window.start, { CertId: 'first' }), logRecord(window.end - 1, { CertId: 'last' }), logRecord(window.end, { CertId: 'next' })]);
    const s = source();
    const { records } = await s.fetchPage({ window });
    expect(records.map((r) => r.CertId)).toEqual(['next', 'last', 'first']);
    const mapped = mapPage(s, records, window, { sourceId: 'ssl-test', ingested: new Date(clock.now()).toISOString() });
    expect(mapped).toMatchObject({ aheadRecords: 1, lateRecords: 0, mappingErrors: 0 });
    expect(mapped.documents.map((d) => d.cloudtap.resource)).toEqual([
      { type: 'ssl-certificate', ids: ['last'] },
      { type: 'ssl-certificate', ids: ['first'] },
    ]);
    const next = await s.fetchPage({ window: { start: window.end, end: window.end + 600 } });
    expect(next.records.map((r) => r.CertId)).toEqual(['next']);
  });

  it('signs for service ssl at https://ssl.tencentcloudapi.com by default, or the configured site', async () => {
    const seen: { url: string; headers: Record<string, string> }[] = [];
    vi.stubGlobal('fetch', async (url: URL, init: RequestInit) => {
      seen.push({ url: String(url), headers: init.headers as Record<string, string> });
      return new Response(JSON.stringify({ Response: { AllTotal: 0, TotalCount: 0, OperateLogs: null, RequestId: 'r-1' } }));
    });
    const instance = (input: Record<string, unknown>) => sslInstance(input);
    await new SslSource({ instance: instance({}), credentials: CREDENTIALS, clock, log }).fetchPage({ window });
    await new SslSource({
      instance: instance({ endpoint: 'https://ssl.intl.tencentcloudapi.com', options: { language: 'en-US' } }),
      credentials: CREDENTIALS,
      clock,
      log,
    }).fetchPage({ window });
    expect(seen.map((s) => s.url)).toEqual(['https://ssl.tencentcloudapi.com/', 'https://ssl.intl.tencentcloudapi.com/']);
    for (const { headers } of seen) {
      expect(headers.Authorization).toMatch(/Credential=AKIDfakeSslSecretIdForTests\/\d{4}-\d{2}-\d{2}\/ssl\/tc3_request/);
      expect(headers['X-TC-Region']).toBeUndefined();
      expect(headers['X-TC-Version']).toBe('2019-12-05');
    }
    expect(seen[0]!.headers['X-TC-Language']).toBeUndefined();
    expect(seen[1]!.headers['X-TC-Language']).toBe('en-US');
  });

  it('holds to 10 requests per second (the simulator enforces it)', async () => {
    ssl.addEvents(Array.from({ length: 25 }, (_, i) => burst(window.start + 100 * i, 1000, `s${i}-`)).flat());
    const { records } = await pageWindow(source(), window);
    expect(records).toHaveLength(25_000);
    const requests = server.requestsFor(ACTION);
    expect(requests.every((r) => r.outcome === 'Success')).toBe(true);
    for (let i = 1; i < requests.length; i++) expect(requests[i]!.time - requests[i - 1]!.time).toBeGreaterThanOrEqual(100);
  });
});

describe('SslSource paging', () => {
  it('pages thousands of records, each exactly once, never splitting a second across pages', async () => {
    const events = generateSslEvents({ count: 3000, from: window.start, to: window.end - 1, seed: 1, identicalPairs: 40 });
    // Clusters of one second, some identical, placed across likely page boundaries.
    const clusters = [0.2, 0.5, 0.8].flatMap((f, i) => {
      const t = Math.floor(window.start + f * 86_000);
      return [...burst(t, 150, `c${i}`), logRecord(t), logRecord(t), logRecord(t)];
    });
    ssl.addEvents([...events, ...clusters]);
    const paged = await pageWindow(source(), window);
    const expected = [...events.map((e) => e.record), ...clusters];
    expect(multiset(paged.records)).toEqual(multiset(expected));
    expect(paged.pages.length).toBeGreaterThan(3);
    expect(paged.tokens.every((token) => /^\d+:0:\d+$/.test(token))).toBe(true);
    const pageOf = new Map<string, number>();
    paged.pages.forEach((page, index) => {
      for (const record of page) {
        expect(pageOf.get(record.CreatedOn!) ?? index, `second ${record.CreatedOn} spans pages`).toBe(index);
        pageOf.set(record.CreatedOn!, index);
      }
    });
  });

  it('pages a single second holding more than a page by offset within it', async () => {
    const t = window.start + 5000;
    ssl.addEvents([...burst(t, 2300), logRecord(t - 1, { CertId: 'older' }), logRecord(t + 1, { CertId: 'newer' })]);
    const paged = await pageWindow(source(), window);
    expect(paged.records).toHaveLength(2302);
    expect(new Set(paged.records.map((r) => r.CertId)).size).toBe(2302);
    // The first page is `newer` plus 999 of t: t is dropped and re-read whole, then by offset inside it
    // (those tokens also carry the counts of t read so far, for identical records: see the next test).
    expect(paged.tokens.map((token) => token.split(':').slice(0, 3).join(':'))).toEqual([`${t}:0:1`, `${t}:1000:1001`, `${t}:2000:2001`]);
  });

  it('gives identical records of a second holding more than a page distinct ids, the same ones when a page is pulled again', async () => {
    const t = window.start + 5000;
    // 2300 records of one second: 1000 identical ones, then 1300 in 13 contents of 100 identical records each.
    const same = Array.from({ length: 1000 }, () => logRecord(t));
    const groups = Array.from({ length: 1300 }, (_, i) => logRecord(t, { CertId: `group${i % 13}` }));
    ssl.addEvents([...same, ...groups, logRecord(t + 1, { CertId: 'newer' })]);
    const s = source();
    const ids: string[] = [];
    const idsOfPage = ({ records, occurrences }: Page<unknown>, src = s) =>
      mapPage(src, records, window, { sourceId: 'ssl-test', ingested: new Date(clock.now()).toISOString(), occurrences }).documents.map((d) => d.event.id);
    const tokens: (string | undefined)[] = [undefined];
    for (;;) {
      const page = await s.fetchPage({ window, pageToken: tokens.at(-1) });
      ids.push(...idsOfPage(page));
      if (page.nextPageToken === undefined) break;
      tokens.push(page.nextPageToken);
    }
    expect(tokens).toHaveLength(4);
    expect(ids).toHaveLength(2301);
    expect(new Set(ids).size).toBe(2301);

    // Pages: `newer` alone (t is left whole to the next page), then 1000, 1000 and 300 of t.
    // A fresh source (a new process) pulling the third page again from its token assigns the very same ids.
    const fresh = source();
    const replay = await fresh.fetchPage({ window, pageToken: tokens[2] });
    expect(replay.records).toHaveLength(1000);
    expect(idsOfPage(replay, fresh)).toEqual(ids.slice(1001, 2001));
  });

  it('keeps every record exactly once when records arrive inside the window while it is paged (one above the cursor, later than any lag, is not read; one below is)', async () => {
    const initial = generateSslEvents({ count: 2500, from: window.start, to: window.end - 1, seed: 2 }).map((e) => e.record);
    ssl.addEvents(initial);
    const arrivals = [logRecord(window.end - 2, { CertId: 'aboveCursor' }), logRecord(window.start + 1, { CertId: 'belowCursor' })];
    const paged = await pageWindow(source(), window, (page) => {
      if (page === 0) ssl.addEvents(arrivals);
    });
    expect(multiset(paged.records)).toEqual(multiset([...initial, arrivals[1]!]));
  });

  it('stays complete when the API orders records of one second differently on every request', async () => {
    await start({ unstableTies: true });
    const t = window.start + 7000;
    const records = [...generateSslEvents({ count: 2000, from: window.start, to: window.end - 1, seed: 3 }).map((e) => e.record), ...burst(t, 400)];
    ssl.addEvents(records);
    expect(multiset((await pageWindow(source(), window)).records)).toEqual(multiset(records));
  });

  it('falls back to plain offsets when the API does not list newest first, and says so once', async () => {
    await start({ order: 'insertion' });
    const records = generateSslEvents({ count: 2500, from: window.start, to: window.end - 1, seed: 4 })
      .map((e) => e.record)
      .sort((a, b) => a.CertId.localeCompare(b.CertId)); // inserted out of time order
    ssl.addEvents(records);
    const paged = await pageWindow(source(), window);
    expect(multiset(paged.records)).toEqual(multiset(records));
    expect(paged.tokens.length).toBeGreaterThanOrEqual(2);
    expect(paged.tokens.every((token) => /^offset:\d+$/.test(token))).toBe(true);
    expect(log.lines.filter(([level]) => level === 'warn')).toHaveLength(1);
  });

  it('stays complete if EndTime turns out exclusive, by noticing and paging the rest by offset', async () => {
    await start({ endTimeExclusive: true });
    const t = window.start + 9000;
    const records = [
      ...generateSslEvents({ count: 2500, from: window.start, to: window.end - 1, seed: 6, identicalPairs: 10 }).map((e) => e.record),
      ...burst(t, 200),
      logRecord(window.end - 1, { CertId: 'lastSecond' }),
    ];
    ssl.addEvents(records);
    const paged = await pageWindow(source(), window);
    expect(multiset(paged.records)).toEqual(multiset(records));
    expect(paged.tokens.at(-1)).toMatch(/^offset:\d+$/);
    expect(log.lines.filter(([level]) => level === 'warn')).toHaveLength(1);
  });

  it('reads null OperateLogs as an empty, final page', async () => {
    expect(await source().fetchPage({ window })).toEqual({ records: [], occurrences: [], requestId: expect.any(String), retries: { total: 0, throttled: 0 } });
  });

  it('stops at AllTotal even when pages stay full', async () => {
    const page = Array.from({ length: 1000 }, (_, i) => logRecord(window.end - 1 - i));
    answer(() => ({ AllTotal: 1000, TotalCount: 1000, OperateLogs: page }));
    expect((await source().fetchPage({ window })).nextPageToken).toBeUndefined();
  });

  it('goes on after a short page while AllTotal counts more, and ends on an empty one', async () => {
    // A server that caps pages at 100, below the documented 1000.
    await start({ maxLimit: 100 });
    ssl.addEvents(generateSslEvents({ count: 450, from: window.start, to: window.end - 1, seed: 5 }));
    const paged = await pageWindow(source(), window);
    expect(multiset(paged.records)).toEqual(multiset(ssl.records));
    expect(paged.pages.length).toBeGreaterThanOrEqual(5);

    answer(() => ({ AllTotal: 5, TotalCount: 0, OperateLogs: [] }));
    expect(await source().fetchPage({ window })).toEqual({ records: [], occurrences: [], requestId: expect.any(String), retries: { total: 0, throttled: 0 } });
  });

  it('without AllTotal, goes on after a full page and ends on a short one', async () => {
    const full = Array.from({ length: 1000 }, (_, i) => logRecord(window.end - 1 - i));
    answer(() => ({ OperateLogs: full }));
    expect((await source().fetchPage({ window })).nextPageToken).toBe(`${window.end - 1000}:0:999`);
    answer(() => ({ OperateLogs: full.slice(0, 999) }));
    expect((await source().fetchPage({ window })).nextPageToken).toBeUndefined();
  });
});

describe('SslSource errors', () => {
  it('rejects a response of the wrong shape, naming the source and the request id', async () => {
    answer(() => ({ AllTotal: 'many', OperateLogs: {} }));
    const error = await source().fetchPage({ window }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect((error as MalformedResponseError).message).toMatch(/^tencent-ssl returned a malformed response \(request [0-9a-f-]{36}\): .*AllTotal/);
  });

  it('passes a record it cannot date to the core instead of refusing the page', async () => {
    answer(() => ({ AllTotal: 2, OperateLogs: [logRecord(window.start + 5), { Action: 'garbled', CreatedOn: 'yesterday' }] }));
    const s = source();
    const { records } = await s.fetchPage({ window });
    expect(records).toHaveLength(2);
    expect(() => s.eventTime(records[1]!)).toThrow(/CreatedOn/);
  });

  it('retries throttling and surfaces documented errors as ProviderErrors', async () => {
    ssl.addEvents([logRecord(window.start + 5)]);
    server.faults.push({ kind: 'throttle', times: 2 });
    expect((await source().fetchPage({ window })).records).toHaveLength(1);
    server.faults.push({ kind: 'error', code: 'FailedOperation.AuthError', message: 'You do not have permission.', times: 5 });
    const error = await source().fetchPage({ window }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'FailedOperation.AuthError', retryable: false });
  });

  it('refuses a page token from another window', async () => {
    await expect(source().fetchPage({ window, pageToken: `${window.end + 1}:0` })).rejects.toThrow(/page token/);
  });

  it('never lets the secret key into errors, logs or the source object', async () => {
    server.faults.push({ kind: 'error', code: 'AuthFailure.SignatureFailure', message: `bad signature for ${CREDENTIALS.secretKey}`, times: 5 });
    const s = source();
    const error = await s.fetchPage({ window }).catch((e: unknown) => e);
    const everything = [String(error), JSON.stringify(error), inspect(error), inspect(s, { depth: 5 }), JSON.stringify(log.lines)].join('\n');
    expect(everything).not.toContain(CREDENTIALS.secretKey);
    expect(String(error)).toContain('[redacted]');
  });
});

describe('sslDefinition', () => {
  it('needs no region, fills its defaults, and rejects unknown options', () => {
    const instance = sslInstance();
    expect(instance).toMatchObject({ region: undefined, schedule: 'rate(5 minutes)', lagSeconds: 300, start: { lookbackSeconds: 86_400 }, options: {} });
    expect(() => sslInstance({ options: { region: 'ap-guangzhou' } })).toThrow(/options/);
    expect(() => sslInstance({ options: { language: 'fr-FR' } })).toThrow(/language/);
    const created = sslDefinition.create({ instance, credentials: CREDENTIALS, clock, log });
    expect(created).toMatchObject({ type: 'tencent-ssl', idFromContent: true, maxWindowSeconds: 86_400, retentionSeconds: SSL_LIMITS.retentionSeconds });
  });
});
