import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillCommand, parseTime } from '../../cli/commands/backfill';
import { loadConfigFile } from '../../shared/config/load';
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
    config = join(dir, 'cloudtap.yaml');
    await writeFile(
      config,
      [
        'sources:',
        `  - { id: audit-test, type: tencent-cloudaudit, region: ap-guangzhou, endpoint: "${server.url}" }`,
        'local:',
        `  stateDir: ${join(dir, 'state')}`,
        `  output: ${join(dir, 'events.ndjson')}`,
      ].join('\n'),
    );
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
    expect(third.join('')).toContain('complete: 0 pulled');
    expect(await delivered()).toHaveLength(all.length);
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
      const live = new DynamoDbCursorStore({ tableName: 'cloudtap-cursors', client: dynamo.client });
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
