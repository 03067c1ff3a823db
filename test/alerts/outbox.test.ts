import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbOutbox, OUTBOX_INDEX_PK, outboxPk } from '../../shared/alerts/outbox-dynamodb';
import { createFileOutbox, createMemoryOutbox } from '../../shared/alerts/outbox-local';
import type { AlertOutbox, DeferredAlert } from '../../shared/alerts/types';
import { startDynamoDb, type TestDynamoDb } from '../support/dynamodb';
import { alertFor, realisticDocuments } from './fixtures';

const T0 = Date.UTC(2025, 0, 1);
const WEEK_MS = 7 * 86_400_000;
let db: TestDynamoDb;
let dir: string;
let tables = 0;
const documents = realisticDocuments('tencent-cloudaudit', 5);
const entry = (i: number, deferredAt = T0 + i): DeferredAlert => ({
  alert: alertFor(documents[i]!),
  pending: ['sns', 'eventbridge'],
  deferredAt,
  attempts: 1,
  lastError: 'sns: InternalErrorException: injected',
});

beforeAll(async () => {
  db = await startDynamoDb();
  dir = await mkdtemp(join(tmpdir(), 'cloudtap-outbox-'));
});
afterAll(async () => {
  await db.stop();
  await rm(dir, { recursive: true, force: true });
});

const outboxes: [string, () => Promise<AlertOutbox>][] = [
  [
    'dynamodb',
    async () => {
      const tableName = `outbox-${++tables}`;
      await db.createTable(tableName);
      return new DynamoDbOutbox({ tableName, client: db.client });
    },
  ],
  ['memory', async () => createMemoryOutbox()],
  ['file', async () => createFileOutbox(join(dir, `state-${++tables}`))],
];

describe.each(outboxes)('%s outbox', (_name, make) => {
  it('keeps a deferred alert (without event.original) until it is completed', async () => {
    const outbox = await make();
    await outbox.put(entry(0), T0);
    await outbox.put({ ...entry(0), pending: ['other'] }, T0 + 5); // idempotent: the held entry wins
    const held = await outbox.get(entry(0).alert.id);
    expect(held?.pending).toEqual(['sns', 'eventbridge']);
    expect(held?.alert.event.event.original).toBe('');
    expect(held?.alert.message).toEqual(entry(0).alert.message);
    expect(held?.alert.event.event.id).toBe(documents[0]!.event.id);

    const { entries } = await outbox.take('run-1', T0 + 10, 60_000, 10);
    expect(entries.map((e) => e.alert.id)).toEqual([entry(0).alert.id]);
    await outbox.complete(entry(0).alert.id);
    expect(await outbox.get(entry(0).alert.id)).toBeUndefined();
    expect((await outbox.take('run-2', T0 + 20, 60_000, 10)).entries).toEqual([]);
  });

  it('leases entries: a second run taking at the same time gets none, and gets them once the lease ends', async () => {
    const outbox = await make();
    for (const i of [2, 0, 1]) await outbox.put(entry(i), T0);
    const first = await outbox.take('run-1', T0 + 1_000, 60_000, 10);
    expect(first.entries.map((e) => e.alert.id)).toEqual([0, 1, 2].map((i) => entry(i).alert.id)); // oldest first
    expect((await outbox.take('run-2', T0 + 2_000, 60_000, 10)).entries).toEqual([]);
    // run-1 published to eventbridge only: it releases the rest.
    await outbox.release('run-1', { ...first.entries[0]!, pending: ['sns'], attempts: 2, lastError: 'sns: Throttled' });
    const second = await outbox.take('run-2', T0 + 3_000, 60_000, 10);
    expect(second.entries.map((e) => [e.alert.id, e.pending, e.attempts])).toEqual([[entry(0).alert.id, ['sns'], 2]]);
    // run-1 died holding the others: they come back after its lease.
    const third = await outbox.take('run-3', T0 + 62_000, 60_000, 10);
    expect(third.entries.map((e) => e.alert.id).sort()).toEqual([entry(1).alert.id, entry(2).alert.id].sort());
    // A release by a run whose lease was taken over changes nothing.
    await outbox.release('run-1', { ...first.entries[1]!, pending: [] });
    expect((await outbox.get(entry(1).alert.id))?.pending).toEqual(['sns', 'eventbridge']);
  });

  it('drops an entry a week after it was deferred and reports it', async () => {
    const outbox = await make();
    await outbox.put(entry(0), T0);
    await outbox.put(entry(1), T0 + WEEK_MS);
    const { entries, expired } = await outbox.take('run-1', T0 + WEEK_MS + 2_000, 60_000, 10);
    expect(expired).toEqual([entry(0).alert.id]);
    expect(entries.map((e) => e.alert.id)).toEqual([entry(1).alert.id]);
    expect(await outbox.get(entry(0).alert.id)).toBeUndefined();
  });

  it('takes at most `limit` entries a time', async () => {
    const outbox = await make();
    for (let i = 0; i < 5; i++) await outbox.put(entry(i), T0);
    expect((await outbox.take('run-1', T0, 60_000, 2)).entries).toHaveLength(2);
  });
});

describe('DynamoDB outbox items', () => {
  it('writes the entry with a week TTL in epoch seconds and indexes it; completing removes both', async () => {
    const tableName = 'outbox-items';
    await db.createTable(tableName);
    const outbox = new DynamoDbOutbox({ tableName, client: db.client });
    const e = entry(0);
    await outbox.put(e, T0);
    const get = async (pk: string) =>
      (await db.client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: pk } }, ConsistentRead: true }))).Item;
    const item = await get(outboxPk(e.alert.id));
    expect(item).toMatchObject({ kind: { S: 'alert-outbox' }, alertId: { S: e.alert.id }, expiresAt: { N: String(T0 / 1000 + 7 * 86_400) } });
    expect(item?.alert?.S).not.toContain(JSON.stringify(documents[0]!.event.original).slice(1, 40));
    expect((await get(OUTBOX_INDEX_PK))?.ids?.SS).toEqual([e.alert.id]);
    await outbox.complete(e.alert.id);
    expect(await get(outboxPk(e.alert.id))).toBeUndefined();
    expect((await get(OUTBOX_INDEX_PK))?.ids).toBeUndefined();
  });

  it('forgets an index entry whose item is gone (deleted by TTL)', async () => {
    const tableName = 'outbox-orphan';
    await db.createTable(tableName);
    const outbox = new DynamoDbOutbox({ tableName, client: db.client });
    await outbox.put(entry(0), T0);
    await outbox.put(entry(1), T0);
    const { DeleteItemCommand } = await import('@aws-sdk/client-dynamodb');
    await db.client.send(new DeleteItemCommand({ TableName: tableName, Key: { pk: { S: outboxPk(entry(0).alert.id) } } }));
    const { entries } = await outbox.take('run-1', T0 + 1, 60_000, 10);
    expect(entries.map((e) => e.alert.id)).toEqual([entry(1).alert.id]);
    const index = await db.client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: OUTBOX_INDEX_PK } }, ConsistentRead: true }));
    expect(index.Item?.ids?.SS).toEqual([entry(1).alert.id]);
  });
});
