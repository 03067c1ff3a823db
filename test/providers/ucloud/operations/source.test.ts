import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../../shared/lib/clock';
import { MalformedResponseError, ProviderError } from '../../../../shared/lib/errors';
import { silentLog } from '../../../../shared/lib/logger';
import { mapPage } from '../../../../shared/core/map-page';
import { runSource } from '../../../../shared/core/pipeline';
import type { TimeWindow } from '../../../../shared/core/ports/source';
import { parseConfig } from '../../../../shared/config/load';
import { FileCursorStore } from '../../../../shared/cursor/file-store';
import type { SourceInstanceConfig } from '../../../../shared/providers/definition';
import { ucloudOperationsDefinition } from '../../../../shared/providers/ucloud/operations/definition';
import type { UCloudOperationsOptions } from '../../../../shared/providers/ucloud/operations/options';
import { UCloudOperationsSource } from '../../../../shared/providers/ucloud/operations/source';
import { decodeLines } from '../../../../shared/sinks/encode';
import { FileSink } from '../../../../shared/sinks/file-sink';
import type { UCloudApiServer } from '../../../../simulators/ucloud/server';
import { generateOperationEvents, startUCloudOperationsSimulator, type OperationsSimulator } from '../../../../simulators/ucloud/operations/simulator';
import { FakeClock } from '../../../support/fake-clock';

const KEYS = { publicKey: 'fakePublicKeyForTests@example.com0001', privateKey: 'fakePrivateKeyForTestsOnly0123456789' };
const NOW_MS = Date.UTC(2025, 0, 15, 12, 0, 0);
const NOW = NOW_MS / 1000;
const DAY = 86_400;

let nowMs = NOW_MS;
let server: UCloudApiServer;
let operations: OperationsSimulator;

beforeEach(async () => {
  nowMs = NOW_MS;
  ({ server, operations } = await startUCloudOperationsSimulator({ credentials: [KEYS], now: () => nowMs, projects: ['org-team'] }));
});
afterEach(async () => {
  await server.close();
});

const registry = new Map([[ucloudOperationsDefinition.type, ucloudOperationsDefinition]]);

function instance(options: Partial<UCloudOperationsOptions> = {}, extra: Record<string, unknown> = {}) {
  return parseConfig({ sources: [{ id: 'ucloud-test', type: 'ucloud-operations', endpoint: server.url, options, ...extra }] }, registry)
    .sources[0]! as SourceInstanceConfig<UCloudOperationsOptions>;
}

const source = (options: Partial<UCloudOperationsOptions> = {}) =>
  new UCloudOperationsSource({ instance: instance(options), credentials: KEYS, clock: systemClock, log: silentLog, requestsPerSecond: 1000 });

const pageContext = { sourceId: 'ucloud-test', ingested: '2025-01-15T12:00:00.000Z' };

/** Every page of a window through the source, mapped as the core maps them. */
async function pull(src: UCloudOperationsSource, window: TimeWindow) {
  const pages: { token?: string; ids: string[]; actions: string[] }[] = [];
  let token: string | undefined;
  do {
    const page = await src.fetchPage({ window, pageToken: token });
    const { documents } = mapPage(src, page.records, window, { ...pageContext, requestId: page.requestId, occurrences: page.occurrences });
    pages.push({ token, ids: documents.map((d) => d.event.id), actions: documents.map((d) => d.event.action!) });
    token = page.nextPageToken;
  } while (token);
  return pages;
}

describe('UCloudOperationsSource', () => {
  it('has the defaults and limits the definition documents', () => {
    const src = source();
    expect(src).toMatchObject({ type: 'ucloud-operations', maxWindowSeconds: DAY, retentionSeconds: 365 * DAY, idFromContent: true });
    expect(instance()).toMatchObject({ schedule: 'rate(5 minutes)', lagSeconds: 600, start: { lookbackSeconds: DAY }, options: { maxResults: 100 } });
    expect(() => instance({ maxResults: 101 })).toThrow(/maxResults/);
    expect(() => instance({ region: 'x' } as never)).toThrow(/region/);
  });

  it('sends the window as BeginTime..EndTime-1 with identical parameters on every page', async () => {
    const events = generateOperationEvents({ count: 30, from: NOW - 3000, to: NOW - 1, seed: 1 });
    operations.addEvents(events.map((e) => ({ ...e, projectId: 'org-team' })));
    const window = { start: NOW - 3600, end: NOW };
    const pages = await pull(source({ projectId: 'org-team', maxResults: 7 }), window);
    expect(pages.flatMap((p) => p.ids)).toHaveLength(30);
    const sent = server.requestsFor('GetUserOperationEvents').map((r) => r.params!);
    expect(sent).toHaveLength(5);
    const { NextToken: _first, ...firstParams } = sent[0]!;
    expect(firstParams).toEqual({
      Action: 'GetUserOperationEvents',
      BeginTime: String(NOW - 3600),
      EndTime: String(NOW - 1),
      MaxResults: '7',
      ProjectId: 'org-team',
    });
    for (const params of sent.slice(1)) {
      const { NextToken, ...rest } = params;
      expect(NextToken).toBeTruthy();
      expect(rest).toEqual(firstParams);
    }
  });

  it('passes the ResourceID filter', async () => {
    const events = generateOperationEvents({ count: 40, from: NOW - 3000, to: NOW - 1, seed: 2 });
    operations.addEvents(events);
    const target = events[5]!.record.RelatedResource[0]!.ResourceId;
    const pages = await pull(source({ resourceId: target }), { start: NOW - 3600, end: NOW });
    expect(server.requests[0]!.params!.ResourceID).toBe(target);
    expect(pages.flatMap((p) => p.ids).length).toBe(events.filter((e) => e.record.RelatedResource.some((r) => r.ResourceId === target)).length);
  });

  it('gives identical records distinct ids even when a page boundary splits them, and the same ids on a repeated page', async () => {
    const [base] = generateOperationEvents({ count: 1, from: NOW - 100, to: NOW - 100, seed: 3 });
    const twin = base!.record;
    const later = generateOperationEvents({ count: 3, from: NOW - 50, to: NOW - 40, seed: 4 });
    // Newest first: 3 later records, then 5 identical ones; pages of 2 split the identical run twice.
    operations.addEvents([...later, ...Array.from({ length: 5 }, () => structuredClone(twin))]);
    const src = source({ maxResults: 2 });
    const window = { start: NOW - 3600, end: NOW };
    const pages = await pull(src, window);
    const ids = pages.flatMap((p) => p.ids);
    expect(ids).toHaveLength(8);
    expect(new Set(ids).size).toBe(8);
    // A page fetched again from its stored token (a crash before checkpoint) yields the same ids.
    for (const page of pages.slice(1)) {
      const again = await src.fetchPage({ window, pageToken: page.token });
      expect(mapPage(src, again.records, window, { ...pageContext, occurrences: again.occurrences }).documents.map((d) => d.event.id)).toEqual(page.ids);
    }
    // And a new source (a new Lambda) resuming from a stored token does too.
    const fresh = source({ maxResults: 2 });
    const resumed = await fresh.fetchPage({ window, pageToken: pages[3]!.token });
    expect(mapPage(fresh, resumed.records, window, { ...pageContext, occurrences: resumed.occurrences }).documents.map((d) => d.event.id)).toEqual(pages[3]!.ids);
  });

  it('reports an unexpected shape, and a bad stored token, clearly', async () => {
    server.register('GetUserOperationEvents', { handler: () => ({ Events: 'none' }) });
    const error = await source().fetchPage({ window: { start: NOW - 60, end: NOW } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect((error as MalformedResponseError).message).toMatch(/Events/);
    expect((error as MalformedResponseError).requestId).toBe(server.requests[0]!.requestId);
    await expect(source().fetchPage({ window: { start: NOW - 60, end: NOW }, pageToken: 'garbage' })).rejects.toThrow(/reset the source's cursor/);
  });

  it('surfaces the simulator rules as non-retryable ProviderErrors', async () => {
    const error = await source().fetchPage({ window: { start: NOW - 366 * DAY, end: NOW - 365 * DAY } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: '230', retryable: false });
    expect(await source({ projectId: 'org-missing' }).fetchPage({ window: { start: NOW - 60, end: NOW } }).catch((e: unknown) => e)).toMatchObject({
      code: '292',
    });
  });
});

describe('end to end through runSource, FileCursorStore and FileSink', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cloudtap-ucloud-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers every record once with distinct ids, then nothing on the next run', async () => {
    const clock = new FakeClock(NOW_MS, { autoAdvance: true });
    server.setNow(() => clock.now());
    const events = generateOperationEvents({ count: 700, from: NOW - 2 * DAY, to: NOW - 700, seed: 5, identicalPairs: 20 });
    operations.addEvents(events);
    const inst = instance({ maxResults: 50 }, { start: '3d', lag: '10m' });
    const store = new FileCursorStore({ directory: join(dir, 'state'), clock });
    const sink = new FileSink({ path: join(dir, 'events.ndjson') });
    const run = (owner: string) =>
      runSource({
        sourceId: inst.id,
        source: ucloudOperationsDefinition.create({ instance: inst, credentials: KEYS, clock, log: silentLog }),
        store,
        sink,
        owner,
        lagSeconds: inst.lagSeconds,
        start: inst.start,
        deadline: clock.now() + 15 * 60_000,
        clock,
      });

    const first = await run('run-1');
    expect(first).toMatchObject({ stoppedBy: 'caught-up', pulled: events.length, delivered: events.length, mappingErrors: 0 });
    const documents = decodeLines(await readFile(join(dir, 'events.ndjson'), 'utf8'));
    expect(documents).toHaveLength(events.length);
    expect(new Set(documents.map((d) => d.event.id)).size).toBe(events.length);
    expect(documents.map((d) => d.event.original).sort()).toEqual(events.map((e) => JSON.stringify(e.record)).sort());

    clock.advance(5 * 60_000); // the next scheduled run
    const second = await run('run-2');
    expect(second).toMatchObject({ stoppedBy: 'caught-up', delivered: 0 });
    expect(decodeLines(await readFile(join(dir, 'events.ndjson'), 'utf8'))).toHaveLength(events.length);
    // Paced: no calendar second saw more than the source's 5 requests (the fake clock moves when the limiter waits).
    // One request per page: no retries, no duplicate fetches (pacing itself is tested on real time in client.test.ts).
    expect(server.requestsFor('GetUserOperationEvents')).toHaveLength(first.pages + second.pages);
  });
});
