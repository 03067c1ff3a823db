import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusCommand } from '../../cli/commands/status';
import { systemClock, type Clock } from '../../shared/lib/clock';
import { ConfigError } from '../../shared/lib/errors';
import { DynamoDbCursorStore } from '../../shared/cursor/dynamodb-store';
import { FileCursorStore } from '../../shared/cursor/file-store';
import type { CursorStore } from '../../shared/core/ports/cursor-store';
import { buildStatusReport, formatStatusReport, humanDuration } from '../../shared/ops/status-report';
import { startCloudFormationServer, type CloudFormationServer } from '../support/cloudformation-server';
import { startDynamoDb, type TestDynamoDb } from '../support/dynamodb';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const clock: Clock = { now: () => NOW, sleep: systemClock.sleep };
const HOUR = 3600_000;

async function writeConfig(dir: string): Promise<string> {
  const path = join(dir, 'cloudtap.yaml');
  await writeFile(
    path,
    [
      'sources:',
      '  - { id: audit-main, type: tencent-cloudaudit, region: ap-guangzhou }',
      '  - { id: ssl-certs, type: tencent-ssl }',
      '  - { id: ops-never, type: tencent-cloudaudit, region: ap-shanghai }',
      'local:',
      `  stateDir: ${join(dir, 'state')}`,
      `  output: ${join(dir, 'events.ndjson')}`,
    ].join('\n'),
  );
  return path;
}

/** Two runs' worth of state: audit-main healthy 15 min behind with an open window, ssl-certs failing. */
async function seed(store: CursorStore): Promise<void> {
  const ok = await store.acquire('audit-main', 'run-1', 60_000);
  await store.checkpoint(ok.lease, { windowStart: NOW / 1000 - 900, windows: [{ start: NOW / 1000 - 900, end: NOW / 1000 - 600, pageToken: '7' }] }, 60_000);
  await store.release(ok.lease, { at: NOW - 5 * 60_000 });
  const failed = await store.acquire('ssl-certs', 'run-2', 60_000);
  await store.checkpoint(failed.lease, { windowStart: NOW / 1000 - 2 * 86_400 }, 60_000);
  await store.release(failed.lease, { at: NOW - 2 * 86_400_000 });
  const again = await store.acquire('ssl-certs', 'run-3', 60_000);
  await store.release(again.lease, { at: NOW - HOUR, error: 'source ssl-certs: AuthFailure.SignatureFailure' });
}

function expectReport(text: string, where: RegExp): void {
  expect(text).toMatch(where);
  expect(text).toContain('✓ audit-main (tencent-cloudaudit)');
  expect(text).toContain('cursor:       2026-03-01T11:45:00.000Z, 1 open window(s)');
  expect(text).toContain('lag:          900 s (15m)');
  expect(text).toContain('last success: 2026-03-01T11:55:00.000Z (5m ago)');
  expect(text).toContain('✗ ssl-certs (tencent-ssl)');
  expect(text).toContain('last error:   source ssl-certs: AuthFailure.SignatureFailure');
  expect(text).toContain('last success: 2026-02-27T12:00:00.000Z (2d ago)');
  expect(text).toContain('lag:          172800 s (2d)');
  expect(text).toContain('· ops-never (tencent-cloudaudit)');
  expect(text).toMatch(/ops-never[^]*last run: {5}never[^]*cursor: {7}none yet/);
  expect(text).toContain('events (24h): n/a');
}

describe('cloudtap status', () => {
  let dir: string;
  let config: string;
  let dynamo: TestDynamoDb;
  let cfn: CloudFormationServer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cloudtap-status-'));
    config = await writeConfig(dir);
    [dynamo, cfn] = await Promise.all([startDynamoDb(), startCloudFormationServer()]);
  });
  afterAll(async () => {
    await Promise.all([dynamo.stop(), cfn.stop()]);
  });

  it('reports every configured source from the local file store', async () => {
    await seed(new FileCursorStore({ directory: join(dir, 'state'), clock }));
    let out = '';
    const code = await statusCommand({ configPath: config, clock, write: (text) => (out += text) });
    expectReport(out, /^cloudtap status — local state .*state — 2026-03-01T12:00:00.000Z/);
    expect(code).toBe(1); // ssl-certs' last run failed
  });

  it('reads the deployed table named by the stack outputs (DescribeStacks over awsQuery)', async () => {
    await dynamo.createTable('cloudtap-cursors-status');
    cfn.stacks.set('Cloudtap', { CursorTableName: 'cloudtap-cursors-status', DeliveryStreamName: 'cloudtap-events' });
    // Deployed, items are keyed by type (`source#<type>#<id>`): status must find them under the configured types.
    const typeOf = (id: string) => (id === 'ssl-certs' ? 'tencent-ssl' : 'tencent-cloudaudit');
    await seed(new DynamoDbCursorStore({ tableName: 'cloudtap-cursors-status', client: dynamo.client, clock, sourceType: typeOf }));
    let out = '';
    const code = await statusCommand({
      configPath: config,
      deployed: true,
      clock,
      cloudFormation: cfn.client,
      dynamoDb: dynamo.client,
      write: (text) => (out += text),
    });
    expectReport(out, /^cloudtap status — stack Cloudtap \(table cloudtap-cursors-status\)/);
    expect(code).toBe(1);
    expect(cfn.calls).toContain('DescribeStacks');

    let direct = '';
    await statusCommand({ configPath: config, table: 'cloudtap-cursors-status', clock, dynamoDb: dynamo.client, write: (text) => (direct += text) });
    expectReport(direct, /^cloudtap status — DynamoDB table cloudtap-cursors-status/);
  });

  it('names a stack that does not exist', async () => {
    const error = await statusCommand({ configPath: config, stack: 'Nope', clock, cloudFormation: cfn.client, dynamoDb: dynamo.client }).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error.message)).toContain('Stack with id Nope does not exist');
  });

  it('computes lag and health purely', () => {
    const rows = buildStatusReport(
      [{ id: 'a', type: 't', enabled: true } as never],
      new Map([['a', { cursor: { windowStart: NOW / 1000 - 90 }, lastRunAt: NOW, lastSuccessAt: NOW }]]),
      NOW,
    );
    expect(rows[0]).toMatchObject({ lagSeconds: 90, health: 'ok', openWindows: 0 });
    expect(humanDuration(93_784)).toBe('1d 2h 3m');
    expect(humanDuration(90)).toBe('1m 30s');
  });

  it('sums the events delivered by the runs of the last 24 hours, n/a when no run recorded a count', () => {
    const instances = [{ id: 'a', type: 't', enabled: true }, { id: 'b', type: 't', enabled: true }, { id: 'c', type: 't', enabled: true }] as never[];
    const rows = buildStatusReport(
      instances,
      new Map([
        ['a', { lastRunAt: NOW, recentRuns: [{ at: NOW - 25 * HOUR, delivered: 1000 }, { at: NOW - 23 * HOUR, delivered: 40 }, { at: NOW, delivered: 2 }] }],
        ['b', { lastRunAt: NOW - 30 * HOUR, recentRuns: [{ at: NOW - 30 * HOUR, delivered: 7 }] }],
        ['c', { lastRunAt: NOW }],
      ]),
      NOW,
    );
    expect(rows.map((row) => row.eventsLastDay)).toEqual([42, 0, undefined]);
    const text = formatStatusReport(rows, NOW, 'test');
    expect(text).toMatch(/✓ a [^]*events \(24h\): 42\n[^]*✓ b [^]*events \(24h\): 0\n[^]*✓ c [^]*events \(24h\): n\/a$/);
  });

  it('shows the last skipped run while no run has ended since, naming why', () => {
    const instances = [{ id: 'a', type: 't', enabled: true }, { id: 'b', type: 't', enabled: true }, { id: 'c', type: 't', enabled: true }] as never[];
    const rows = buildStatusReport(
      instances,
      new Map([
        ['a', { lastRunAt: NOW - HOUR, lastSuccessAt: NOW - HOUR, lastSkip: { at: NOW - 60_000, reason: 'lease-held' as const, heldBy: 'req-7' }, skippedRuns: 3 }],
        ['b', { lastRunAt: NOW, lastSuccessAt: NOW, lastSkip: { at: NOW - 60_000, reason: 'lease-held' as const }, skippedRuns: 3 }],
        ['c', { lastSkip: { at: NOW - 120_000, reason: 'expired' as const }, skippedRuns: 1 }],
      ]),
      NOW,
    );
    expect(rows.map((row) => row.lastSkip?.reason)).toEqual(['lease-held', undefined, 'expired']);
    expect(rows.map((row) => row.health)).toEqual(['ok', 'ok', 'never-run']);
    const text = formatStatusReport(rows, NOW, 'test');
    expect(text).toContain('last skipped: 2026-03-01T11:59:00.000Z (1m ago), another run held the lease (req-7) (3 skipped in all)');
    expect(text).toContain('last skipped: 2026-03-01T11:58:00.000Z (2m ago), its start came after its period had passed (1 skipped in all)');
    expect(text.match(/last skipped/g)).toHaveLength(2);
  });

  it('reads a skip the deployed store recorded', async () => {
    await dynamo.createTable('cloudtap-cursors-skips');
    const store = new DynamoDbCursorStore({ tableName: 'cloudtap-cursors-skips', client: dynamo.client, clock, sourceType: 'tencent-cloudaudit' });
    await store.recordSkip('audit-main', { at: NOW - 60_000, reason: 'lease-held', heldBy: 'req-1' });
    const state = await store.read('audit-main');
    const [row] = buildStatusReport([{ id: 'audit-main', type: 'tencent-cloudaudit', enabled: true } as never], new Map([['audit-main', state]]), NOW);
    expect(row).toMatchObject({ lastSkip: { at: NOW - 60_000, reason: 'lease-held', heldBy: 'req-1' }, skippedRuns: 1, health: 'never-run' });
  });
});
