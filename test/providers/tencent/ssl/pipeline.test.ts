import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SourceRunError } from '../../../../shared/lib/errors';
import { runSource } from '../../../../shared/core/pipeline';
import type { RunOptions } from '../../../../shared/core/run-options';
import { FileCursorStore } from '../../../../shared/cursor/file-store';
import { sslDefinition } from '../../../../shared/providers/tencent/ssl/definition';
import { decodeLines } from '../../../../shared/sinks/encode';
import { FileSink } from '../../../../shared/sinks/file-sink';
import type { Sink } from '../../../../shared/core/ports/sink';
import type { TencentApiServer } from '../../../../simulators/tencent/api-server';
import { generateSslEvents, sslRecordTime, startSslSimulator, type SslSimulator } from '../../../../simulators/tencent/ssl/simulator';
import type { FakeClock } from '../../../support/fake-clock';
import { CREDENTIALS, NOW, capturingLog, fakeClock, logRecord, multiset, sslInstance } from './support';

const DAY = 86_400;

let dir: string;
let clock: FakeClock;
let server: TencentApiServer;
let ssl: SslSimulator;
let log: ReturnType<typeof capturingLog>;
let runs = 0;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudtap-ssl-'));
  clock = fakeClock();
  log = capturingLog();
  ({ server, ssl } = await startSslSimulator({ credentials: [CREDENTIALS], now: () => clock.now() }));
});
afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const output = () => join(dir, 'events.ndjson');
const delivered = async () => decodeLines(await readFile(output(), 'utf8').catch(() => ''));

/** One scheduled run, as `cloudtap run` does it: file cursor store, NDJSON file sink. */
async function run(sink: Sink = new FileSink({ path: output() })) {
  const instance = sslInstance({ endpoint: server.url, start: '2d' });
  const options: RunOptions = {
    sourceId: instance.id,
    source: sslDefinition.create({ instance, credentials: CREDENTIALS, clock, log }),
    store: new FileCursorStore({ directory: join(dir, 'state'), clock }),
    sink,
    owner: `run-${++runs}`,
    lagSeconds: instance.lagSeconds,
    start: instance.start,
    deadline: clock.now() + 15 * 60_000,
    clock,
    log,
  };
  try {
    return await runSource(options);
  } finally {
    await sink.close?.();
  }
}

describe('tencent-ssl end to end (runSource, FileCursorStore, FileSink, simulator)', () => {
  it('delivers every record once, identical records included, and resumes where it stopped', async () => {
    const from = NOW - 2 * DAY;
    const horizon = NOW - 300; // now - lag (the default 5m)
    const generated = generateSslEvents({ count: 4000, from, to: horizon - 1, seed: 11, identicalPairs: 30 }).map((e) => e.record);
    // Busy seconds with identical records in them, one of them at the first window's end.
    const busy = [from + 40_000, from + DAY - 1, from + DAY + 5].flatMap((t) => [
      ...Array.from({ length: 250 }, (_, i) => logRecord(t, { CertId: `busy${i % 90}` })),
      logRecord(t, { SubAccountUin: '--', Type: 'issued' }),
    ]);
    const records = [...generated, ...busy];
    ssl.addEvents(records);

    const first = await run();
    expect(first).toMatchObject({ stoppedBy: 'caught-up', mappingErrors: 0, delivered: records.length });
    let docs = await delivered();
    expect(multiset(docs.map((d) => JSON.parse(d.event.original)))).toEqual(multiset(records));
    expect(new Set(docs.map((d) => d.event.id)).size).toBe(records.length);
    expect(docs.every((d) => d.event.kind === 'event' && d.event.dataset === 'cloudtap.tencent_ssl')).toBe(true);
    expect(first.pages).toBeGreaterThan(4);

    // Nothing new: nothing delivered. New records after the horizon: only those.
    clock.advance(10 * 60_000);
    const second = await run();
    expect(second).toMatchObject({ delivered: 0, stoppedBy: 'caught-up' });
    const reached = second.cursor!.windowStart;
    expect(reached).toBeGreaterThanOrEqual(NOW + 600 - 300);
    const later = generateSslEvents({ count: 40, from: reached, to: reached + 200, seed: 12 }).map((e) => e.record);
    ssl.addEvents(later);
    clock.advance(10 * 60_000);
    expect(await run()).toMatchObject({ delivered: 40 });
    docs = await delivered();
    expect(docs).toHaveLength(records.length + 40);
    expect(new Set(docs.map((d) => d.event.id)).size).toBe(docs.length);
  });

  it('resumes mid-window from the persisted page token after a failed delivery, losing and repeating nothing', async () => {
    const from = NOW - 2 * DAY;
    const records = generateSslEvents({ count: 5000, from, to: from + DAY - 1, seed: 13, identicalPairs: 20 }).map((e) => e.record);
    ssl.addEvents(records);

    const fileSink = new FileSink({ path: output() });
    let deliveries = 0;
    const failing: Sink = {
      name: 'failing',
      deliver: async (documents) => {
        if (++deliveries === 3) throw new Error('sink unavailable');
        return fileSink.deliver(documents);
      },
    };
    await expect(run(failing)).rejects.toBeInstanceOf(SourceRunError);
    const state = await readFile(join(dir, 'state', 'ssl-test.json'), 'utf8');
    // The keyset token of the window it stopped in: the second to continue from, offset 0.
    expect(state).toMatch(/"pageToken":\s*"\d+:0:\d+"/);
    const before = (await delivered()).length;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(records.length);

    expect(await run()).toMatchObject({ stoppedBy: 'caught-up' });
    const docs = await delivered();
    expect(multiset(docs.map((d) => JSON.parse(d.event.original)))).toEqual(multiset(records));
    expect(new Set(docs.map((d) => d.event.id)).size).toBe(records.length);
  });

  it('never writes the secret key into records, state or logs', async () => {
    ssl.addEvents(generateSslEvents({ count: 50, from: NOW - DAY, to: NOW - 600, seed: 14 }));
    await run();
    const files = [await readFile(output(), 'utf8'), await readFile(join(dir, 'state', 'ssl-test.json'), 'utf8'), JSON.stringify(log.lines)];
    for (const text of files) expect(text).not.toContain(CREDENTIALS.secretKey);
    expect(sslRecordTime(ssl.records[0]!)).toBeGreaterThan(0);
  });
});
