import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dedupPk } from '../../shared/alerts/dedup';
import { DynamoDbDedupStore } from '../../shared/alerts/dedup-dynamodb';
import { createFileDedupStore, createMemoryDedupStore } from '../../shared/alerts/dedup-local';
import type { DedupStore } from '../../shared/alerts/types';
import { startDynamoDb, type TestDynamoDb } from '../support/dynamodb';

const T0 = Date.UTC(2025, 0, 1);
const HOUR = 3600;
let db: TestDynamoDb;
let dir: string;
let tables = 0;

beforeAll(async () => {
  db = await startDynamoDb();
  dir = await mkdtemp(join(tmpdir(), 'cloudtap-dedup-'));
});
afterAll(async () => {
  await db.stop();
  await rm(dir, { recursive: true, force: true });
});

const stores: [string, () => Promise<DedupStore>][] = [
  [
    'dynamodb',
    async () => {
      const tableName = `cursors-${++tables}`;
      await db.createTable(tableName);
      return new DynamoDbDedupStore({ tableName, client: db.client });
    },
  ],
  ['memory', async () => createMemoryDedupStore()],
  ['file', async () => createFileDedupStore(join(dir, `state-${++tables}`))],
];

const claim = (store: DedupStore, alertId: string, now: number, key = 'user.name=alice', windowSeconds = HOUR) =>
  store.claim({ ruleId: 'rule-a', dedupKey: key, alertId, windowSeconds, now });

describe.each(stores)('%s dedup store', (_name, make) => {
  it('suppresses the same rule and key within the window and lets it fire again after', async () => {
    const store = await make();
    expect(await claim(store, 'a1', T0)).toBe('new');
    await store.markPublished('rule-a', 'user.name=alice', 'a1', T0);
    expect(await claim(store, 'a2', T0 + 59 * 60_000)).toBe('duplicate');
    expect(await claim(store, 'b1', T0 + 60_000, 'user.name=bob')).toBe('new');
    expect(await store.claim({ ruleId: 'rule-b', dedupKey: 'user.name=alice', alertId: 'c1', windowSeconds: HOUR, now: T0 })).toBe('new');
    // One second past the window's end (expiresAt is in whole seconds).
    expect(await claim(store, 'a3', T0 + HOUR * 1000 + 1_000)).toBe('new');
    expect(await claim(store, 'a4', T0 + HOUR * 1000 + 2_000)).toBe('duplicate');
  });

  it('lets an unfinished claim pass again for the same alert only, until it is published or deferred', async () => {
    const store = await make();
    expect(await claim(store, 'a1', T0)).toBe('new'); // a run claims, then crashes before publishing
    expect(await claim(store, 'a1', T0 + 300_000)).toBe('retry'); // its repeat may publish it
    expect(await claim(store, 'a2', T0 + 300_000 + 1)).toBe('duplicate');
    await store.markPublished('rule-a', 'user.name=alice', 'a1', T0 + 300_001);
    expect(await claim(store, 'a1', T0 + 400_000)).toBe('duplicate'); // published: a later repeat is a duplicate

    expect(await claim(store, 'd1', T0, 'deferred')).toBe('new');
    await store.markDeferred('rule-a', 'deferred', 'd1', T0 + 1);
    expect(await claim(store, 'd1', T0 + 60_000, 'deferred')).toBe('duplicate'); // the outbox has it
  });

  it('gives an abandoned claim to another alert of the key after two minutes, not before', async () => {
    const store = await make();
    expect(await claim(store, 'a1', T0)).toBe('new'); // crashed; its repeat raised a different alert id
    expect(await claim(store, 'a2', T0 + 119_000)).toBe('duplicate');
    expect(await claim(store, 'a2', T0 + 121_000)).toBe('new');
    expect(await claim(store, 'a1', T0 + 122_000)).toBe('duplicate'); // the old id lost the key
  });

  it('marks only its own claim', async () => {
    const store = await make();
    expect(await claim(store, 'a1', T0)).toBe('new');
    expect(await claim(store, 'a2', T0 + HOUR * 1000 + 5_000)).toBe('new'); // a1's window ended, a2 holds the key
    await store.markPublished('rule-a', 'user.name=alice', 'a1', T0 + HOUR * 1000 + 6_000); // late mark of the old alert
    expect(await claim(store, 'a2', T0 + HOUR * 1000 + 7_000)).toBe('retry'); // a2 is still unfinished
  });
});

describe('DynamoDB dedup item', () => {
  it('is keyed by rule and a hash of the key, with expiresAt in epoch seconds for TTL', async () => {
    const tableName = 'cursors-item';
    await db.createTable(tableName);
    const store = new DynamoDbDedupStore({ tableName, client: db.client });
    const key = `rule-a|user.name=${'x'.repeat(2_000)}`;
    await claim(store, 'a1', T0 + 500, key, 900);
    await store.markPublished('rule-a', key, 'a1', T0 + 700);
    const pk = dedupPk('rule-a', key);
    expect(pk).toMatch(/^alert#rule-a#[0-9a-f]{32}$/);
    const { Item } = await db.client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: pk } }, ConsistentRead: true }));
    expect(Item).toMatchObject({
      kind: { S: 'alert-dedup' },
      ruleId: { S: 'rule-a' },
      alertId: { S: 'a1' },
      expiresAt: { N: String(Math.ceil((T0 + 500) / 1000) + 900) },
      claimedAt: { N: String(T0 + 500) },
      publishedAt: { N: String(T0 + 700) },
    });
  });
});

describe('file dedup store', () => {
  it('keeps claims across store instances (separate CLI runs) and drops expired ones', async () => {
    const stateDir = join(dir, 'runs');
    expect(await claim(createFileDedupStore(stateDir), 'a1', T0)).toBe('new');
    expect(await claim(createFileDedupStore(stateDir), 'a2', T0 + 1_000)).toBe('duplicate');
    await claim(createFileDedupStore(stateDir), 'z1', T0 + HOUR * 3000, 'other');
    const state = JSON.parse(await readFile(join(stateDir, 'alert-dedup.json'), 'utf8')) as { claims: Record<string, unknown> };
    expect(Object.keys(state.claims)).toEqual([dedupPk('rule-a', 'other')]);
  });

  it('serializes concurrent claims: exactly one of 20 racing alerts takes the key', async () => {
    const stateDir = join(dir, 'race');
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => claim(createFileDedupStore(stateDir), `r${i}`, T0)));
    expect(outcomes.filter((o) => o === 'new')).toHaveLength(1);
  });
});
