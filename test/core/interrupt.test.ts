import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load';
import { runSource } from '../../shared/core/pipeline';
import type { Page, PageRequest, Source } from '../../shared/core/ports/source';
import { FileCursorStore } from '../../shared/cursor/file-store';
import { systemClock } from '../../shared/lib/clock';
import { silentLog } from '../../shared/lib/logger';
import { registry } from '../../shared/providers/registry';
import { decodeLines } from '../../shared/sinks/encode';
import { FileSink } from '../../shared/sinks/file-sink';
import type { TencentApiServer } from '../../simulators/tencent/api-server';
import { generateCloudAuditEvents, startCloudAuditSimulator } from '../../simulators/tencent/cloudaudit/simulator';

const keys = { secretId: 'AKIDinterruptTestFakeId', secretKey: 'interruptTestFakeSecretKey' };
const EVENTS = 1500;

/** One fetchPage call: when it started relative to the interruption, and how it ended. */
interface Call {
  request: PageRequest;
  startedAfterAbort: boolean;
  outcome?: 'page' | 'rejected';
}

describe('a pull interrupted through its signal', () => {
  let server: TencentApiServer;
  let directory: string;
  const now = Math.floor(Date.now() / 1000);

  beforeEach(async () => {
    // 150 ms a page: the run lasts seconds, so the interruption lands while pages are in flight.
    const started = await startCloudAuditSimulator({ credentials: [keys], latencyMs: () => 150 });
    server = started.server;
    started.cloudaudit.addEvents(generateCloudAuditEvents({ count: EVENTS, from: now - 3 * 86_400, to: now - 3600, seed: 11 }));
    directory = await mkdtemp(join(tmpdir(), 'cloudtap-interrupt-'));
  });
  afterEach(async () => {
    await server.close();
    await rm(directory, { recursive: true, force: true });
  });

  function wiring() {
    const [instance] = parseConfig(
      { sources: [{ id: 'audit', type: 'tencent-cloudaudit', region: 'ap-guangzhou', endpoint: server.url, start: '3d' }] },
      registry,
    ).sources;
    const real = registry.get('tencent-cloudaudit')!.create({ instance: instance!, credentials: keys, clock: systemClock, log: silentLog });
    const store = new FileCursorStore({ directory: join(directory, 'state') });
    const output = join(directory, 'events.ndjson');
    return { real, store, sink: new FileSink({ path: output }), output };
  }

  /** The real source, its calls recorded. */
  function recorded(real: Source, signal: AbortSignal): { source: Source; calls: Call[] } {
    const calls: Call[] = [];
    const source = Object.create(real) as Source;
    source.fetchPage = (request: PageRequest): Promise<Page<unknown>> => {
      const call: Call = { request, startedAfterAbort: signal.aborted };
      calls.push(call);
      return real.fetchPage(request).then(
        (page) => ((call.outcome = 'page'), page),
        (error: unknown) => {
          call.outcome = 'rejected';
          throw error;
        },
      );
    };
    return { source, calls };
  }

  it('requests no page after the signal, aborts the ones in flight, delivers and checkpoints what came, releases the lease; the next run pulls the rest once', async () => {
    const { real, store, sink, output } = wiring();
    const controller = new AbortController();
    const { source, calls } = recorded(real, controller.signal);
    let inFlightAtAbort: Call[] = [];
    const base = { sourceId: 'audit', owner: 'run-1', lagSeconds: 600, start: { lookbackSeconds: 3 * 86_400 }, deadline: Date.now() + 600_000, store, sink };

    const summary = await runSource({
      ...base,
      source,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.pages === 3 && !controller.signal.aborted) {
          inFlightAtAbort = calls.filter((call) => call.outcome === undefined);
          controller.abort();
        }
      },
    });

    expect(summary.stoppedBy).toBe('interrupted');
    expect(summary.pages).toBeGreaterThanOrEqual(3);
    expect(calls.filter((call) => call.startedAfterAbort)).toEqual([]);
    // Every request still on its way when the signal came was aborted; none is left pending.
    expect(calls.every((call) => call.outcome !== undefined)).toBe(true);
    expect(inFlightAtAbort.length).toBeGreaterThan(0);
    for (const call of inFlightAtAbort) expect(call.request.signal?.aborted).toBe(true);
    // Fetched pages were delivered and checkpointed: the file holds exactly what the summary says.
    const delivered = () => readFile(output, 'utf8').then((text) => decodeLines(text).filter((document) => document.event.kind !== 'alert'));
    expect(await delivered()).toHaveLength(summary.delivered);
    expect(summary.delivered).toBeLessThan(EVENTS);
    const state = JSON.parse(await readFile(join(directory, 'state', 'audit.json'), 'utf8'));
    expect(state.lease).toBeUndefined();
    expect(state.cursor).toEqual(summary.cursor);
    expect(await readdir(join(directory, 'state'))).toEqual(['audit.json']);

    const rest = await runSource({ ...base, source: real, owner: 'run-2' });
    expect(rest.stoppedBy).toBe('caught-up');
    const ids = (await delivered()).map((document) => document.event.id);
    expect(ids).toHaveLength(EVENTS);
    expect(new Set(ids).size).toBe(EVENTS);
    expect(summary.delivered + rest.delivered).toBe(EVENTS);
  });

  it('a signal aborted before the pull starts requests nothing and still releases the lease', async () => {
    const { real, store, sink } = wiring();
    const controller = new AbortController();
    controller.abort();
    const { source, calls } = recorded(real, controller.signal);
    const summary = await runSource({
      sourceId: 'audit',
      source,
      owner: 'run-1',
      lagSeconds: 600,
      start: { lookbackSeconds: 3 * 86_400 },
      deadline: Date.now() + 600_000,
      store,
      sink,
      signal: controller.signal,
    });
    expect(summary).toMatchObject({ stoppedBy: 'interrupted', pages: 0, delivered: 0 });
    expect(calls).toEqual([]);
    expect(server.requestsFor('DescribeEvents')).toEqual([]);
    expect(JSON.parse(await readFile(join(directory, 'state', 'audit.json'), 'utf8')).lease).toBeUndefined();
  });
});
