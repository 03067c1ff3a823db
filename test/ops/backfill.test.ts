import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillCommand } from '../../cli/commands/backfill';
import { parseTime, rangeResolutionKey } from '../../shared/ops/backfill-range';
import { loadConfigFile } from '../../shared/config/load';
import { systemClock, type Clock } from '../../shared/lib/clock';
import { silentLog } from '../../shared/lib/logger';
import { ConfigError } from '../../shared/lib/errors';
import { DynamoDbCursorStore } from '../../shared/cursor/dynamodb-store';
import { FileCursorStore } from '../../shared/cursor/file-store';
import type { EcsDocument } from '../../shared/ecs/document';
import { registry } from '../../shared/providers/registry';
import { decodeLines } from '../../shared/sinks/encode';
import { createLocalSink } from '../../shared/runtime/local-sink';
import type { Sink } from '../../shared/core/ports/sink';
import type { TencentApiServer } from '../../simulators/tencent/api-server';
import { generateCloudAuditEvents, startCloudAuditSimulator, type CloudAuditEventRecord } from '../../simulators/tencent/cloudaudit/simulator';

import { startCloudFormationServer } from '../support/cloudformation-server';
import { startDynamoDb } from '../support/dynamodb';
import { startFirehoseServer } from '../support/firehose-server';

const keys = { secretId: 'AKIDbackfillTestSecretId', secretKey: 'backfillTestFakeSecretKey' };
const env = { TENCENTCLOUD_SECRET_ID: keys.secretId, TENCENTCLOUD_SECRET_KEY: keys.secretKey };
const DAY = 86_400;

/** `dir/cloudtap.yaml`: one CloudAudit source on `endpoint`, state and events under `dir`. */
async function writeConfig(dir: string, endpoint: string): Promise<string> {
  const config = join(dir, 'cloudtap.yaml');
  await writeFile(
    config,
    [
      'sources:',
      `  - { id: audit-test, type: tencent-cloudaudit, region: ap-guangzhou, endpoint: "${endpoint}" }`,
      'local:',
      `  stateDir: ${join(dir, 'state')}`,
      `  output: ${join(dir, 'events.ndjson')}`,
    ].join('\n'),
  );
  return config;
}

describe('cloudtap backfill (CloudAudit simulator, local file store)', () => {
  let server: TencentApiServer;
  let dir: string;
  let config: string;
  let records: CloudAuditEventRecord[];
  const now = Math.floor(Date.now() / 1000);
  const from = now - 5 * DAY;
  const to = now - 3 * DAY;
  const liveCursor = { windowStart: now - 3600 };
  const inRange = () => records.filter((r) => r.EventTime >= from && r.EventTime < to).map((r) => r.EventId).sort();
  const delivered = async () =>
    decodeLines(await readFile(join(dir, 'events.ndjson'), 'utf8').catch(() => ''))
      .filter((document) => document.event.kind !== 'alert')
      .map((document) => document.event.id as string);
  const base = () => ({ configPath: config, source: 'audit-test', env, log: silentLog, write: () => {} });

  beforeAll(async () => {
    const started = await startCloudAuditSimulator({ credentials: [keys] });
    server = started.server;
    records = generateCloudAuditEvents({ count: 600, from: now - 7 * DAY, to: now - 2 * DAY, seed: 11 }).map((e) => ('record' in e ? e.record : e));
    started.cloudaudit.addEvents(records);
    dir = await mkdtemp(join(tmpdir(), 'cloudtap-backfill-'));
    config = await writeConfig(dir, server.url);
    // The live cursor, as a scheduled run left it.
    const live = new FileCursorStore({ directory: join(dir, 'state') });
    const { lease } = await live.acquire('audit-test', 'live-run', 60_000);
    await live.checkpoint(lease, liveCursor, 60_000);
    await live.release(lease, { at: Date.now() });
  });
  afterAll(() => server.close());

  it('resumes after an interruption and delivers exactly the events in [from, to), never moving the live cursor', async () => {
    const liveBefore = await new FileCursorStore({ directory: join(dir, 'state') }).read('audit-test');
    expect(inRange().length).toBeGreaterThan(100);

    // First attempt: the destination fails after three pages.
    const loaded = await loadConfigFile(config, registry);
    const real = createLocalSink(loaded.local);
    let pages = 0;
    const flaky: Sink = {
      name: 'flaky',
      deliver: async (documents: EcsDocument[]) => {
        if (++pages > 3) throw new Error('destination down');
        return real.deliver(documents);
      },
    };
    const first = await backfillCommand({ ...base(), from: String(from), to: String(to), sink: flaky }).catch((e) => e);
    expect(first).toBeInstanceOf(Error);
    const partial = await delivered();
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(inRange().length);

    // Same command again: continues from its own cursor to the end of the range.
    const lines: string[] = [];
    const second = await backfillCommand({ ...base(), from: String(from), to: String(to), write: (text) => lines.push(text) });
    expect(second).toBe(0);
    expect(lines.join('')).toMatch(/✓ backfill of audit-test .* complete/);
    expect(lines.join('')).toMatch(/\[#+\.*\] 100% \d+ delivered, \d+ pages, ETA /);
    const all = await delivered();
    expect(new Set(all).size).toBe(all.length); // nothing twice
    expect([...all].sort()).toEqual(inRange());

    // The live cursor is exactly as it was; the backfill kept its own under state/backfill.
    expect(await new FileCursorStore({ directory: join(dir, 'state') }).read('audit-test')).toEqual(liveBefore);
    expect(liveBefore?.cursor).toEqual(liveCursor);
    const own = await new FileCursorStore({ directory: join(dir, 'state', 'backfill') }).read(`audit-test-${from}-${to}`);
    expect(own?.cursor?.windowStart).toBe(to);

    // A third run of a finished range pulls nothing.
    const third: string[] = [];
    expect(await backfillCommand({ ...base(), from: String(from), to: String(to), write: (text) => third.push(text) })).toBe(0);
    expect(third.join('')).toContain(`✓ backfill of audit-test ${new Date(from * 1000).toISOString()} – ${new Date(to * 1000).toISOString()} already complete, nothing to do`);
    expect(await delivered()).toHaveLength(all.length);
  });

  it('exits 3 (skipped), pulling nothing, while another run holds the range\'s lease', async () => {
    const [heldFrom, heldTo] = [now - 6 * DAY, now - 5 * DAY];
    const store = new FileCursorStore({ directory: join(dir, 'state', 'backfill') });
    const { lease } = await store.acquire(`audit-test-${heldFrom}-${heldTo}`, 'another-live-run', 60_000);
    const lines: string[] = [];
    const before = await delivered();
    try {
      expect(await backfillCommand({ ...base(), from: String(heldFrom), to: String(heldTo), write: (text) => lines.push(text) })).toBe(3);
    } finally {
      await store.release(lease, { at: Date.now() });
    }
    expect(lines.join('')).toContain('is already running elsewhere');
    expect(await delivered()).toEqual(before);
  });

  it('refuses a range older than the provider retention, and one reaching into now − lag', async () => {
    const old = await backfillCommand({ ...base(), from: '100d', to: '80d' }).catch((e) => e);
    expect(old).toBeInstanceOf(ConfigError);
    expect(old.message).toMatch(/outside tencent-cloudaudit's retention of 90 days/);
    const recent = await backfillCommand({ ...base(), from: '1h', to: String(now) }).catch((e) => e);
    expect(recent).toBeInstanceOf(ConfigError);
    expect(recent.message).toMatch(/later than now − lag/);
    const backwards = await backfillCommand({ ...base(), from: '2d', to: '3d' }).catch((e) => e);
    expect(backwards.message).toMatch(/--to must be later than --from/);
  });

  it('deployed: resolves table and delivery stream from the stack outputs, delivers through Firehose, leaves the live item alone', async () => {
    const [dynamo, cfn, firehose] = await Promise.all([startDynamoDb(), startCloudFormationServer(), startFirehoseServer({ streams: ['cloudtap-events'] })]);
    try {
      await dynamo.createTable('cloudtap-cursors');
      cfn.stacks.set('Cloudtap', { CursorTableName: 'cloudtap-cursors', DeliveryStreamName: 'cloudtap-events' });
      const live = new DynamoDbCursorStore({ tableName: 'cloudtap-cursors', client: dynamo.client, sourceType: 'tencent-cloudaudit' });
      const { lease } = await live.acquire('audit-test', 'live-run', 60_000);
      await live.checkpoint(lease, liveCursor, 60_000);
      await live.release(lease, { at: Date.now() });
      const before = await live.read('audit-test');

      const clients = { cloudFormation: cfn.client, dynamoDb: dynamo.client, firehose: firehose.client };
      const code = await backfillCommand({ ...base(), ...clients, deployed: true, from: String(from), to: String(to) });
      expect(code).toBe(0);
      const ids = firehose.acknowledgedDocuments('cloudtap-events').filter((d) => d.event.kind !== 'alert').map((d) => d.event.id as string);
      expect(ids.sort()).toEqual(inRange());
      expect(await live.read('audit-test')).toEqual(before);
      expect((await live.read(`audit-test~backfill~${from}-${to}`))?.cursor?.windowStart).toBe(to);
    } finally {
      await Promise.all([dynamo.stop(), cfn.stop(), firehose.stop()]);
    }
  });

  it('parses times as unix seconds, ISO 8601 or a duration ago', () => {
    expect(parseTime('1700000000', '--from', 0)).toBe(1_700_000_000);
    expect(parseTime('2026-03-01T00:00:00Z', '--from', 0)).toBe(Date.parse('2026-03-01T00:00:00Z') / 1000);
    expect(parseTime('7d', '--from', 1_000_000)).toBe(1_000_000 - 7 * DAY);
    expect(() => parseTime('yesterday', '--from', 0)).toThrow(ConfigError);
  });
});

describe('cloudtap backfill of a relative range (--from 7d --to 6d), re-run later', () => {
  let server: TencentApiServer;
  let records: CloudAuditEventRecord[];
  // Real time moved on by the test: "minutes later" without waiting for them. The simulator shares it (signatures are dated).
  let shiftMs = 0;
  const clock: Clock = { now: () => Date.now() + shiftMs, sleep: (ms, signal) => systemClock.sleep(ms, signal) };
  const MINUTE_MS = 60_000;

  beforeAll(async () => {
    const started = await startCloudAuditSimulator({ credentials: [keys], now: () => clock.now() });
    server = started.server;
    const now = Math.floor(clock.now() / 1000);
    records = generateCloudAuditEvents({ count: 900, from: now - 8 * DAY, to: now - 5 * DAY, seed: 23 }).map((e) => ('record' in e ? e.record : e));
    started.cloudaudit.addEvents(records);
  });
  afterAll(() => server.close());

  interface Outcome {
    source: string;
    from: string;
    to: string;
    resolvedAt: string;
    reused: boolean;
    complete: boolean;
    stoppedBy: string;
    pulled: number;
    delivered: number;
    pages: number;
  }

  /** A directory of its own (config, state, events file) and a way to run `backfill --from 7d --to 6d --json` in it. */
  async function workspace() {
    const dir = await mkdtemp(join(tmpdir(), 'cloudtap-backfill-relative-'));
    const config = await writeConfig(dir, server.url);
    const run = async (extra: { fresh?: boolean; sink?: Sink; budgetMs?: number } = {}) => {
      const stderr: string[] = [];
      const stdout: string[] = [];
      const code = await backfillCommand({
        configPath: config,
        source: 'audit-test',
        from: '7d',
        to: '6d',
        json: true,
        env,
        log: silentLog,
        clock,
        write: (text) => stderr.push(text),
        print: (text) => stdout.push(text),
        ...extra,
      });
      expect(stdout, 'one JSON line on stdout').toHaveLength(1);
      return { code, stderr: stderr.join(''), outcome: JSON.parse(stdout[0]!) as Outcome };
    };
    const delivered = async () =>
      decodeLines(await readFile(join(dir, 'events.ndjson'), 'utf8').catch(() => ''))
        .filter((document) => document.event.kind !== 'alert')
        .map((document) => document.event.id as string);
    return { dir, config, run, delivered };
  }

  /** The ids of the records in the range an outcome names. */
  const idsIn = (outcome: Outcome) => {
    const [from, to] = [Date.parse(outcome.from) / 1000, Date.parse(outcome.to) / 1000];
    return records.filter((r) => r.EventTime >= from && r.EventTime < to).map((r) => r.EventId).sort();
  };

  it('delivers the range once: the second run, minutes later, reuses the first resolution and finds it complete', async () => {
    const { dir, run, delivered } = await workspace();
    const first = await run();
    expect(first.code).toBe(0);
    expect(first.outcome).toMatchObject({ source: 'audit-test', reused: false, complete: true, stoppedBy: 'caught-up' });
    expect(Date.parse(first.outcome.resolvedAt)).toBeGreaterThan(Date.now() - MINUTE_MS);
    expect(Date.parse(first.outcome.to) - Date.parse(first.outcome.from)).toBe(DAY * 1000);
    expect(first.stderr).toContain(`backfill of audit-test: ${first.outcome.from} – ${first.outcome.to} ("--from 7d --to 6d" resolved now`);
    const once = await delivered();
    expect(idsIn(first.outcome).length).toBeGreaterThan(100);
    expect([...once].sort()).toEqual(idsIn(first.outcome));
    expect(first.outcome.delivered).toBe(once.length);

    shiftMs += 7 * MINUTE_MS;
    const second = await run();
    expect(second.code).toBe(0);
    expect(second.stderr).toContain(
      `using the range resolved on ${first.outcome.resolvedAt} for "--from 7d --to 6d": ${first.outcome.from} – ${first.outcome.to}; pass --fresh to resolve it again`,
    );
    expect(second.stderr).toContain(`✓ backfill of audit-test ${first.outcome.from} – ${first.outcome.to} already complete, nothing to do`);
    expect(second.outcome).toEqual({ ...first.outcome, reused: true, pulled: 0, delivered: 0, pages: 0 });
    expect(await delivered(), 'nothing delivered twice').toEqual(once);
    // The resolution is a record of its own beside the backfill's cursor.
    expect((await readdir(join(dir, 'state', 'backfill'))).filter((name) => name.endsWith('.range.json'))).toHaveLength(1);
  });

  it('--fresh resolves the range against now again, and later runs reuse that resolution', async () => {
    const { run, delivered } = await workspace();
    const first = await run();
    expect(first.code).toBe(0);

    shiftMs += 10 * MINUTE_MS;
    const fresh = await run({ fresh: true });
    expect(fresh.code).toBe(0);
    expect(fresh.outcome).toMatchObject({ reused: false, complete: true });
    expect(fresh.stderr).toContain('"--from 7d --to 6d" resolved now');
    // Ten minutes later, so a range ten minutes later: a new range, pulled in full.
    expect(Date.parse(fresh.outcome.from) - Date.parse(first.outcome.from)).toBeGreaterThanOrEqual(10 * MINUTE_MS);
    expect(Date.parse(fresh.outcome.resolvedAt)).toBeGreaterThan(Date.parse(first.outcome.resolvedAt));
    expect(fresh.outcome.delivered).toBe(idsIn(fresh.outcome).length);
    expect((await delivered()).length).toBe(first.outcome.delivered + fresh.outcome.delivered);

    shiftMs += 3 * MINUTE_MS;
    const again = await run();
    expect(again.outcome).toMatchObject({ reused: true, resolvedAt: fresh.outcome.resolvedAt, from: fresh.outcome.from, delivered: 0 });
    expect(again.stderr).toContain('already complete, nothing to do');
  });

  it('refuses a remembered range that fell out of the provider retention, saying which resolution it is and how to resolve anew', async () => {
    const { dir, run } = await workspace();
    // As if the command had first run 95 days ago (CloudAudit keeps 90 days).
    const resolvedAt = clock.now() - 95 * DAY * 1000;
    const then = Math.floor(resolvedAt / 1000);
    await new FileCursorStore({ directory: join(dir, 'state', 'backfill') }).rememberRange(rangeResolutionKey('audit-test', '7d', '6d'), {
      from: then - 7 * DAY,
      to: then - 6 * DAY,
      resolvedAt,
      fromText: '7d',
      toText: '6d',
    });
    const requests = server.requests.length;
    const refused = await run().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ConfigError);
    expect(server.requests.length, 'nothing asked of the provider').toBe(requests);
    expect((refused as Error).message).toContain("outside tencent-cloudaudit's retention of 90 days");
    expect((refused as Error).message).toContain(
      `the range resolved on ${new Date(resolvedAt).toISOString()} for "--from 7d --to 6d"; pass --fresh to resolve it again`,
    );
  });

  it('a relative backfill stopped by its time budget finishes the same range when the command is run again later', async () => {
    const { config, run, delivered } = await workspace();
    const real = createLocalSink((await loadConfigFile(config, registry)).local);
    let pages = 0;
    // After two pages the clock passes the budget's end (but not the lease's): the run stops cleanly at the next page.
    const budgetMs = 60_000;
    const jumping: Sink = {
      name: 'jumping',
      deliver: async (documents: EcsDocument[]) => {
        if (++pages === 2) shiftMs += budgetMs - 5_000;
        return real.deliver(documents);
      },
    };
    const stopped = await run({ sink: jumping, budgetMs });
    await real.close?.();
    expect(stopped.code).toBe(1);
    expect(stopped.outcome).toMatchObject({ reused: false, complete: false, stoppedBy: 'time-budget' });
    expect(stopped.stderr).toContain('run the same command again to continue');
    const partial = await delivered();
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(idsIn(stopped.outcome).length);

    shiftMs += 20 * MINUTE_MS;
    const finished = await run();
    expect(finished.code).toBe(0);
    expect(finished.outcome).toMatchObject({ reused: true, complete: true, from: stopped.outcome.from, to: stopped.outcome.to });
    const all = await delivered();
    expect(new Set(all).size, 'nothing twice').toBe(all.length);
    expect([...all].sort()).toEqual(idsIn(stopped.outcome));
  });
});

describe('cloudtap backfill into Security Lake', () => {
  it('refuses a deployed backfill before anything runs: one --stream cannot name the stream of each OCSF class', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cloudtap-backfill-lake-'));
    const config = join(dir, 'cloudtap.yaml');
    await writeFile(
      config,
      [
        'sources:',
        '  - { id: audit-test, type: tencent-cloudaudit, region: ap-guangzhou, endpoint: "http://127.0.0.1:9" }',
        'destination: { type: security-lake, bucket: aws-security-data-lake-eu-west-1-abc123 }',
      ].join('\n'),
    );
    const refused = await backfillCommand({ configPath: config, source: 'audit-test', from: '2d', to: '1d', table: 'cloudtap-cursors', stream: 'cloudtap-6003', env, log: silentLog, write: () => {} }).catch((e) => e);
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).message).toMatch(/^invalid configuration in destination:[\s\S]*a deployed backfill into Security Lake is not supported yet/);
  });
});
