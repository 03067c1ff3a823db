import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Log } from '../../shared/lib/logger';
import { sweepCursorTable } from '../../shared/runtime/dispatch-sweep';
import type { DispatchEntry } from '../../shared/runtime/invocation';
import { startDynamoDb, type TestDynamoDb } from '../support/dynamodb';
import { dispatchEntry } from './dispatch-fixtures';
import { withTransactions, type TransactingDynamoDb } from './dispatch-transactions';

/**
 * The dispatcher's sweep of the cursor table over DynamoDB's wire protocol
 * (dynalite, with TransactWriteItems in front of it): stalled instances
 * counted per type across every page of the Scan, and legacy cursor items
 * moved to their typed keys only when no run holds them.
 */
const NOW = Date.parse('2026-12-07T21:05:00Z');
const MINUTE = 60_000;

let db: TestDynamoDb;
let dynamo: TransactingDynamoDb;
let doc: DynamoDBDocumentClient;
let tableName: string;
let tables = 0;
let lines: { level: string; message: string; extra?: Record<string, unknown> }[];
const log: Log = {
  debug: (message, extra) => lines.push({ level: 'debug', message, extra }),
  info: (message, extra) => lines.push({ level: 'info', message, extra }),
  warn: (message, extra) => lines.push({ level: 'warn', message, extra }),
  error: (message, extra) => lines.push({ level: 'error', message, extra }),
};

beforeAll(async () => {
  db = await startDynamoDb();
  dynamo = await withTransactions(db.endpoint);
  doc = DynamoDBDocumentClient.from(db.client);
});
afterAll(async () => {
  await dynamo.stop();
  await db.stop();
});
beforeEach(async () => {
  tableName = `cursors-${++tables}`;
  await db.createTable(tableName);
  lines = [];
});

const put = (item: Record<string, unknown>) => doc.send(new PutCommand({ TableName: tableName, Item: item }));
const get = async (pk: string) => (await doc.send(new GetCommand({ TableName: tableName, Key: { pk }, ConsistentRead: true }))).Item;
const sweep = (entries: DispatchEntry[]) => sweepCursorTable({ dynamo: dynamo.client, tableName, entries, nowMs: NOW, log });

describe('stalled instances', () => {
  it('counts, per type, instances without a success for max(3 periods, 15 min) + lag, across every page of the Scan', async () => {
    // 300 items of 4 KB are more than the 1 MB one Scan page reads.
    const padding = 'x'.repeat(4096);
    const entries: DispatchEntry[] = [];
    const expectedStalled: string[] = [];
    for (let index = 0; index < 300; index++) {
      const id = `audit-${String(index).padStart(3, '0')}`;
      entries.push(dispatchEntry(id, 'rate(5 minutes)', { lagSeconds: 600 }));
      // Allowed: max(3 × 300 s, 900 s) + 600 s = 1,500 s. Every third instance last succeeded 1,501 s ago.
      const stalled = index % 3 === 0;
      if (stalled) expectedStalled.push(id);
      await put({ pk: `source#tencent-cloudaudit#${id}`, kind: 'source', sourceId: id, lastSuccessAt: NOW - (stalled ? 1_501_000 : 1_500_000), padding });
    }
    // rate(1 hour), no lag: 3 hours allowed.
    entries.push(dispatchEntry('dbss-hourly', 'rate(1 hour)', { type: 'huawei-dbss', lagSeconds: 0 }));
    await put({ pk: 'source#huawei-dbss#dbss-hourly', kind: 'source', sourceId: 'dbss-hourly', lastSuccessAt: NOW - 3 * 3_600_000 + 1000 });
    // Ran but never succeeded: stalled. Never ran (no item): not stalled, reported apart.
    entries.push(dispatchEntry('dbss-failing', 'rate(5 minutes)', { type: 'huawei-dbss' }));
    await put({ pk: 'source#huawei-dbss#dbss-failing', kind: 'source', sourceId: 'dbss-failing', lastRunAt: NOW - MINUTE, lastError: 'boom' });
    entries.push(dispatchEntry('dbss-new', 'rate(5 minutes)', { type: 'huawei-dbss' }));
    // Items that are not a configured instance's cursor are left alone.
    await put({ pk: 'source#huawei-dbss#removed-long-ago', kind: 'source', sourceId: 'removed-long-ago' });
    await put({ pk: 'alert#abc', kind: 'alert' });

    const result = await sweep(entries);

    expect(result.stalled.get('tencent-cloudaudit')).toEqual(expectedStalled);
    expect(result.stalled.get('tencent-cloudaudit')).toHaveLength(100);
    expect(result.stalled.get('huawei-dbss')).toEqual(['dbss-failing']);
    expect(result.neverRun.get('huawei-dbss')).toEqual(['dbss-new']);
    expect(result.neverRun.get('tencent-cloudaudit')).toEqual([]);
    expect(result.blocked.size).toBe(0);
  });

  it('uses the gap between a cron schedule\'s next firings as its period', async () => {
    // Hourly: 3 h + 10 min lag allowed; every 10 minutes: 3 × 10 min + 10 min.
    const entries = [dispatchEntry('hourly', 'cron(0 * * * ? *)'), dispatchEntry('ten', 'cron(0/10 * * * ? *)')];
    await put({ pk: 'source#tencent-cloudaudit#hourly', lastSuccessAt: NOW - 3 * 3_600_000 });
    await put({ pk: 'source#tencent-cloudaudit#ten', lastSuccessAt: NOW - 41 * MINUTE });
    expect((await sweep(entries)).stalled.get('tencent-cloudaudit')).toEqual(['ten']);
  });
});

describe('moving legacy cursor items to typed keys', () => {
  const cursor = { windowStart: 1_765_000_000, windows: [{ start: 1_765_000_000, end: 1_765_003_600, pageToken: 'page-7' }] };

  it('moves an idle legacy item whole, in one transaction, and drops an expired lease', async () => {
    await put({ pk: 'source#audit-1', kind: 'source', sourceId: 'audit-1', cursor, updatedAt: NOW - 5 * MINUTE, lastRunAt: NOW - 5 * MINUTE, lastSuccessAt: NOW - 5 * MINUTE, recentRuns: [{ at: NOW - 5 * MINUTE, delivered: 12 }] });
    await put({ pk: 'source#audit-2', kind: 'source', sourceId: 'audit-2', cursor, updatedAt: NOW - 50 * MINUTE, leaseOwner: 'crashed-run', leaseExpiresAt: NOW - 1 });

    const result = await sweep([dispatchEntry('audit-1', 'rate(5 minutes)'), dispatchEntry('audit-2', 'rate(5 minutes)')]);

    expect(result.migrated).toEqual(['audit-1', 'audit-2']);
    expect(result.blocked.size).toBe(0);
    expect(await get('source#audit-1')).toBeUndefined();
    expect(await get('source#tencent-cloudaudit#audit-1')).toEqual({
      pk: 'source#tencent-cloudaudit#audit-1',
      kind: 'source',
      sourceId: 'audit-1',
      cursor,
      updatedAt: NOW - 5 * MINUTE,
      lastRunAt: NOW - 5 * MINUTE,
      lastSuccessAt: NOW - 5 * MINUTE,
      recentRuns: [{ at: NOW - 5 * MINUTE, delivered: 12 }],
    });
    expect(await get('source#tencent-cloudaudit#audit-2')).toEqual({ pk: 'source#tencent-cloudaudit#audit-2', kind: 'source', sourceId: 'audit-2', cursor, updatedAt: NOW - 50 * MINUTE });
    // audit-2 never succeeded: stalled, not "never run".
    expect(result.stalled.get('tencent-cloudaudit')).toEqual(['audit-2']);
  });

  it('leaves an item whose lease is live where it is, and blocks the instance until a later sweep moves it', async () => {
    const leased = { pk: 'source#audit-1', kind: 'source', sourceId: 'audit-1', cursor, updatedAt: NOW - MINUTE, leaseOwner: 'old-layout-run', leaseExpiresAt: NOW + 10 * MINUTE };
    await put(leased);
    const entries = [dispatchEntry('audit-1', 'rate(5 minutes)')];

    const first = await sweep(entries);
    expect(first.blocked).toEqual(new Set(['audit-1']));
    expect(first.migrated).toEqual([]);
    expect(await get('source#audit-1')).toEqual(leased);
    expect(await get('source#tencent-cloudaudit#audit-1')).toBeUndefined();
    const warning = lines.find((line) => line.message.startsWith('could not move a cursor item'));
    expect(warning?.extra).toMatchObject({ sourceId: 'audit-1', reasons: ['None', 'ConditionalCheckFailed'] });

    // The old run ends: it releases the lease and records its run.
    const { leaseOwner: _owner, leaseExpiresAt: _expires, ...released } = leased;
    await put({ ...released, lastRunAt: NOW + MINUTE, lastSuccessAt: NOW + MINUTE });
    const later = await sweepCursorTable({ dynamo: dynamo.client, tableName, entries, nowMs: NOW + 5 * MINUTE, log });
    expect(later.blocked.size).toBe(0);
    expect(later.migrated).toEqual(['audit-1']);
    expect(await get('source#tencent-cloudaudit#audit-1')).toEqual({ ...released, pk: 'source#tencent-cloudaudit#audit-1', lastRunAt: NOW + MINUTE, lastSuccessAt: NOW + MINUTE });
  });

  it('keeps the typed item when both exist, touching neither', async () => {
    await put({ pk: 'source#audit-1', kind: 'source', sourceId: 'audit-1', cursor: { windowStart: 1 } });
    await put({ pk: 'source#tencent-cloudaudit#audit-1', kind: 'source', sourceId: 'audit-1', cursor, lastSuccessAt: NOW });

    const result = await sweep([dispatchEntry('audit-1', 'rate(5 minutes)')]);

    expect(result).toMatchObject({ migrated: [], blocked: new Set() });
    expect((await get('source#audit-1'))?.cursor).toEqual({ windowStart: 1 });
    expect((await get('source#tencent-cloudaudit#audit-1'))?.cursor).toEqual(cursor);
    expect(lines.some((line) => line.level === 'warn' && line.extra?.sourceId === 'audit-1')).toBe(true);
  });
});
