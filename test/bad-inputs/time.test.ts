/**
 * Bad times: milliseconds where seconds are documented, dates far in the
 * future, records dated outside the window that asked for them, a cursor
 * that fell out of the provider's retention, a range the provider refuses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError, type SourceRunError } from '../../shared/lib/errors';
import { earliestStart } from '../../shared/core/windows';
import type { Infrastructure } from '../scenarios/harness';
import { badInputApi as cloudAudit } from '../providers/tencent/cloudaudit/bad-inputs';
import { badInputApi as dbss } from '../providers/huawei/dbss/bad-inputs';
import { badInputApi as ucloud } from '../providers/ucloud/operations/bad-inputs';
import {
  APIS,
  DAY,
  MINUTE,
  NOW,
  ONE_LANE,
  START,
  deliveredRaw,
  expectEachDeliveredOnce,
  failureOf,
  openCase,
  pipelineErrors,
  presetCursor,
  requestId,
  startInfrastructure,
  storedCursor,
  type Case,
} from './support';
import { onRequest, rewriteJson } from './tampering-proxy';

type Json = Record<string, any>;

let infra: Infrastructure;
beforeAll(async () => {
  infra = await startInfrastructure();
});
afterAll(() => infra.stop());

const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();

/** Add `records(page)` to the first page the run fetches. */
function injectIntoFirstPage(c: Case, records: (page: Json[]) => Json[]): void {
  c.proxy.use(onRequest(1, rewriteJson((body) => c.api.withRecords(body, [...c.api.records(body), ...records(c.api.records(body))]))));
}

describe.each([cloudAudit, ucloud, dbss])('$type', (api) => {
  it('BI-24 epoch milliseconds where seconds are documented: read as milliseconds, every record delivered with its true time', async () => {
    const c = await openCase(infra, api);
    c.proxy.use(rewriteJson((body) => api.withRecords(body, api.records(body).map((record) => ({ ...record, [api.timeField]: c.sim.eventTime(record) * 1000 })))));
    const run = await c.scenario.runOk(ONE_LANE);
    const delivered = c.scenario.delivered();
    expect(delivered).toHaveLength(10);
    for (const document of delivered) {
      expect(document.event.kind).toBe('event');
      expect(document['@timestamp']).toBe(iso(JSON.parse(document.event.original)[api.timeField] / 1000));
    }
    expect({ ahead: run.summary.aheadRecords, mappingErrors: run.summary.mappingErrors }).toEqual({ ahead: 0, mappingErrors: 0 });
    await c.scenario.close();
  });
});

/** 2999-01-01T00:00:00Z: no window will reach it for 974 years. */
const YEAR_2999 = Date.UTC(2999, 0, 1) / 1000;

describe.each(APIS)('$type', (api) => {
  it('BI-25 an event dated implausibly far ahead (the year 2999): delivered raw and flagged at the pull time, counted, never skipped', async () => {
    const c = await openCase(infra, api);
    let injected: Json | undefined;
    injectIntoFirstPage(c, ([good]) => [(injected = { ...api.distinct(good!, 'future'), [api.timeField]: api.formatTime(YEAR_2999) })]);
    const run = await c.scenario.runOk(ONE_LANE);
    const [flagged, ...others] = pipelineErrors(c.scenario.delivered());
    expect(others).toEqual([]);
    expect(JSON.parse(flagged!.event.original)).toEqual(injected);
    expect(flagged!['@timestamp']).toBe(iso(NOW));
    expect(flagged!.error?.message).toBe(`record could not be mapped: event time ${iso(YEAR_2999)} is more than a day after the record was pulled`);
    expect({ mappingErrors: run.summary.mappingErrors, ahead: run.summary.aheadRecords }).toEqual({ mappingErrors: 1, ahead: 0 });
    expectEachDeliveredOnce(c, 1);
    expect((await storedCursor(c))?.windowStart).toBe(run.summary.window!.end);
    await c.scenario.close();
  });

  it('BI-26 a record dated before the window that returned it: delivered once with its own id, counted as late, not repeated later', async () => {
    const c = await openCase(infra, api);
    // The provider dates it two hours before the window; it filters by a time of its own, so no other window returns it.
    const dated = START - 2 * 60 * MINUTE;
    let early: Json | undefined;
    injectIntoFirstPage(c, ([good]) => [(early = { ...api.distinct(good!, 'early'), [api.timeField]: api.formatTime(dated) })]);
    const first = await c.scenario.runOk(ONE_LANE);
    expect(first.summary.lateRecords).toBe(1);
    c.proxy.clear();
    c.scenario.advance(15 * MINUTE);
    await c.scenario.runOk(ONE_LANE);
    const copies = c.scenario.delivered().filter((document) => JSON.stringify(JSON.parse(document.event.original)) === JSON.stringify(early));
    expect(copies).toHaveLength(1);
    expect(copies[0]!['@timestamp']).toBe(iso(dated));
    expect(copies[0]!.event.kind).toBe('event');
    expectEachDeliveredOnce(c, 1);
    await c.scenario.close();
  });

  it('BI-27 a record dated at or after the end of the window that returned it: left to the window that covers it, delivered there once', async () => {
    const c = await openCase(infra, api);
    const windowEnd = NOW - c.scenario.lagSeconds;
    const dated = windowEnd + 60;
    // The simulator holds the record, dated past this run's window, and serves it to the window that covers it...
    c.sim.addEvents({ count: 1, from: dated, to: dated, seed: 99 });
    const record = c.sim.records().find((candidate) => c.sim.eventTime(candidate) === dated) as Json;
    // ...and the first answer carries it early, as an API whose end bound is loose would.
    injectIntoFirstPage(c, () => [record]);
    const first = await c.scenario.runOk(ONE_LANE);
    expect(first.summary.aheadRecords).toBe(1);
    expect(deliveredRaw(c)).not.toContainEqual(record);
    c.proxy.clear();
    c.scenario.advance(c.scenario.lagSeconds + 5 * MINUTE);
    await c.scenario.runOk(ONE_LANE);
    expectEachDeliveredOnce(c);
    await c.scenario.close();
  });

  it('BI-28 a cursor older than the provider keeps events: moved to the retention edge, the gap logged as an error, no request refused', async () => {
    const c = await openCase(infra, api);
    const source = c.scenario.createSource();
    const stale = NOW - source.retentionSeconds - 10 * DAY;
    await presetCursor(c, { windowStart: stale });
    const run = await c.scenario.runOk();
    const edge = earliestStart({ nowSeconds: NOW, lagSeconds: c.scenario.lagSeconds, maxWindowSeconds: source.maxWindowSeconds, retentionSeconds: source.retentionSeconds });
    expect(run.summary.skippedSeconds).toBe(edge - stale);
    const gap = c.scenario.log.lines.filter((line) => line.startsWith('error cursor fell behind the provider retention'));
    expect(gap).toHaveLength(1);
    expect(gap[0]).toContain(c.scenario.sourceId);
    expect(gap[0]).toContain(iso(stale));
    expect(gap[0]).toContain(iso(edge));
    expect(Math.min(...run.fetches.map((fetch) => fetch.window.start))).toBe(edge);
    expectEachDeliveredOnce(c);
    await c.scenario.close();
  });
});

describe.each([
  { api: cloudAudit, code: 'LimitExceeded.OverTime', message: 'StartTime cannot be more than 90 days before the current time.' },
  { api: ucloud, code: 230, message: 'Params [BeginTime] not available: only the logs from the past 365 days can be queried' },
  { api: dbss, code: 'DBSS.10000001', message: 'Enter a valid request message: start_time is out of range' },
])('$api.type', ({ api, code, message }) => {
  it('BI-29 the provider refuses the time range anyway (its retention is shorter than assumed): not retried, named, the cursor holds', async () => {
    const c = await openCase(infra, api);
    c.proxy.use(onRequest(1, (answer) => api.errorAnswer(answer, code, message)));
    const outcome = await c.scenario.run(ONE_LANE);
    expect(failureOf(c, outcome)).toContain(`error ${code} (request ${requestId(c, 1)})`);
    expect(((outcome.error as SourceRunError).cause as ProviderError).retryable).toBe(false);
    expect(c.sim.requestCount()).toBe(1);
    // The cursor does not skip ahead on its own: only the retention edge (BI-28) moves it, loudly.
    expect(await storedCursor(c)).toBeUndefined();
    await c.scenario.close();
  });
});
