/**
 * Bad paging: a NextToken that repeats, a provider that ignores the page it is
 * asked for, pages larger than asked, a page that says there is more but gives
 * no way to get it, and a page token in the cursor that is not one. Windows of
 * 120 records span three pages of 50; the run pages one window at a time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MalformedResponseError, type SourceRunError } from '../../shared/lib/errors';
import type { Infrastructure } from '../scenarios/harness';
import { badInputApi as cloudAudit } from '../providers/tencent/cloudaudit/bad-inputs';
import { badInputApi as dbss } from '../providers/huawei/dbss/bad-inputs';
import { badInputApi as ucloud } from '../providers/ucloud/operations/bad-inputs';
import {
  APIS,
  MINUTE,
  NOW,
  ONE_LANE,
  START,
  deliveredRaw,
  expectEachDeliveredOnce,
  failureOf,
  openCase,
  presetCursor,
  requestId,
  startInfrastructure,
  storedCursor,
  type Api,
  type Case,
} from './support';
import { onRequest, rewriteJson } from './tampering-proxy';

type Json = Record<string, any>;

let infra: Infrastructure;
beforeAll(async () => {
  infra = await startInfrastructure();
});
afterAll(() => infra.stop());

const THREE_PAGES = { events: 120 };

/**
 * The run stopped at the `n`th request, naming it, after delivering the pages
 * before it once; the cursor resumes after the last delivered page, and a
 * clean run then delivers every record once.
 */
async function expectStoppedAt(c: Case, n: number, error: unknown, what: RegExp): Promise<void> {
  const cause = (error as SourceRunError).cause as MalformedResponseError;
  expect(cause).toBeInstanceOf(MalformedResponseError);
  expect(cause.message).toMatch(what);
  expect(cause.requestId).toBe(requestId(c, n));
  expect(c.scenario.compare().duplicated, 'nothing delivered twice').toBe(0);
  const run = c.scenario.runs.at(-1)!;
  const delivered = run.fetches.slice(0, n - 1);
  const cursor = await storedCursor(c);
  if (n === 1) expect(cursor, 'no page was acknowledged').toBeUndefined();
  else expect(cursor?.windows?.[0]?.pageToken, 'resumes after the last delivered page').toBe(delivered.at(-1)!.nextPageToken);
  c.proxy.clear();
  // The next scheduled run (a minute on: the API's per-second limit counts the last run's requests otherwise).
  c.scenario.advance(MINUTE);
  await c.scenario.runOk(ONE_LANE);
  // Nothing but the simulator's records: none of a refused page's records went out.
  expectEachDeliveredOnce(c);
}

describe.each([cloudAudit, ucloud])('$type', (api) => {
  it('BI-13 a NextToken that repeats: the run stops naming the request, the pages before stay delivered once, the cursor holds', async () => {
    const c = await openCase(infra, api, THREE_PAGES);
    let first: unknown;
    // Every answer from the second on hands back the token it was asked with.
    c.proxy.use(rewriteJson((body, n) => (n === 1 ? ((first = (body.Response ?? body).NextToken), undefined) : withNextToken(body, first))));
    const outcome = await c.scenario.run(ONE_LANE);
    failureOf(c, outcome);
    expect(c.sim.requestCount(), 'no third request').toBe(2);
    await expectStoppedAt(c, 2, outcome.error, /paging in a loop/);
    await c.scenario.close();
  });
});

const withNextToken = (body: Json, token: unknown): Json => (body.Response ? { Response: { ...body.Response, NextToken: token } } : { ...body, NextToken: token });

describe.each(APIS)('$type', (api) => {
  it('BI-14 the provider ignores the page asked for and serves the first page again: refused before delivering it twice, cursor held', async () => {
    const c = await openCase(infra, api, THREE_PAGES);
    let firstPage: unknown[] = [];
    // Later answers keep their own request id, paging fields and totals, with the first page's records.
    c.proxy.use(rewriteJson((body, n) => (n === 1 ? ((firstPage = api.records(body)), undefined) : api.withRecords(body, firstPage))));
    const outcome = await c.scenario.run(ONE_LANE);
    failureOf(c, outcome);
    // Tencent SSL first takes the odd page for an API that pages differently, and asks by plain offset once more.
    const refusedAt = api.type === 'tencent-ssl' ? 3 : 2;
    await expectStoppedAt(c, refusedAt, outcome.error, /repeats the previous page record for record \(\d+ records\): the provider ignores the paging parameters/);
    await c.scenario.close();
  });

  it('BI-14 the same, after a restart: the resumed window refuses its last delivered page served again (its fingerprint is in the cursor)', async () => {
    const c = await openCase(infra, api, THREE_PAGES);
    let delivered: unknown[] = [];
    // Run 1 gets the first page, then every connection drops: it stops with that page checkpointed.
    c.proxy.use((answer, n) => (n === 1 ? rewriteJson((body) => ((delivered = api.records(body)), undefined))(answer, n) : 'reset'));
    failureOf(c, await c.scenario.run(ONE_LANE));
    expect((await storedCursor(c))?.windows?.[0]?.lastPage, 'the cursor keeps the delivered page\'s fingerprint').toMatch(/^[\w-]{43}$/);
    c.proxy.clear();
    // Run 2, a new process on the next schedule: the provider answers the next page with the one already delivered.
    c.proxy.use(rewriteJson((body) => api.withRecords(body, delivered)));
    c.scenario.advance(MINUTE);
    const resumed = await c.scenario.run(ONE_LANE);
    expect(String((resumed.error as Error)?.cause)).toMatch(/repeats the previous page record for record/);
    expect(c.scenario.compare().duplicated, 'nothing delivered twice').toBe(0);
    c.proxy.clear();
    c.scenario.advance(MINUTE);
    await c.scenario.runOk(ONE_LANE);
    expectEachDeliveredOnce(c);
    await c.scenario.close();
  });

  it('BI-15 more records on a page than asked for: token and keyset paging deliver them all once; DBSS page numbers refuse it', async () => {
    const c = await openCase(infra, api, THREE_PAGES);
    let extra: Json[] = [];
    // Ten more records on the first page, each a distinct twin placed right after its original (order kept).
    c.proxy.use(
      onRequest(
        1,
        rewriteJson((body) => {
          const records = api.records(body);
          extra = records.slice(0, 10).map((record, i) => api.distinct(record, `extra${i}`));
          return api.withRecords(body, records.flatMap((record, i) => (i < 10 ? [record, extra[i]!] : [record])));
        }),
      ),
    );
    const outcome = await c.scenario.run(ONE_LANE);
    if (api === dbss) {
      // page/size paging: page 2 would start at record 51 of a listing whose page 1 held 60, so page numbers mean nothing.
      failureOf(c, outcome);
      await expectStoppedAt(c, 1, outcome.error, /page 1 holds 60 records, more than size 50/);
    } else {
      expect(outcome.error).toBeUndefined();
      expectEachDeliveredOnce(c, extra.length);
      const delivered = new Set(deliveredRaw(c).map((record) => JSON.stringify(record)));
      expect(extra.every((record) => delivered.has(JSON.stringify(record)))).toBe(true);
    }
    await c.scenario.close();
  });
});

describe.each([
  {
    api: cloudAudit,
    claim: 'ListOver false without a NextToken',
    bend: (body: Json) => ({ Response: { ...body.Response, ListOver: false, NextToken: undefined } }),
    what: /ListOver is false but NextToken is missing/,
  },
  {
    api: dbss,
    claim: 'total_num counting more than the short page holds',
    bend: (body: Json) => ({ ...body, total_num: 100 }),
    what: /page 1 holds 10 of 50 records but total_num is 100/,
  },
])('$api.type', ({ api, claim, bend, what }) => {
  it(`BI-16 a page that says there is more but gives no way to it (${claim}): refused naming the request, not taken for the end`, async () => {
    const c = await openCase(infra, api);
    c.proxy.use(onRequest(1, rewriteJson(bend)));
    const outcome = await c.scenario.run(ONE_LANE);
    failureOf(c, outcome);
    await expectStoppedAt(c, 1, outcome.error, what);
    await c.scenario.close();
  });
});

describe.each(APIS)('$type', (api) => {
  it('BI-17 a page token in the stored cursor that the source did not write: refused before any request, the cursor left as it was', async () => {
    const c = await openCase(infra, api);
    const cursor = { windowStart: START, windows: [{ start: START, end: NOW - 20 * 60, pageToken: 'not-a-token' }] };
    await presetCursor(c, cursor);
    const outcome = await c.scenario.run(ONE_LANE);
    expect(failureOf(c, outcome)).toMatch(api.facts.unusableToken);
    expect(c.sim.requestCount(), 'no request made with a made-up position').toBe(0);
    expect(await storedCursor(c)).toEqual(cursor);
    expect(c.scenario.delivered()).toEqual([]);
    await c.scenario.close();
  });
});
