import { ConditionalCheckFailedException, GetItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaseHeldError } from '../../shared/lib/errors';
import { DynamoDbCursorStore, legacySourceKey, sourceKey } from '../../shared/cursor/dynamodb-store';
import { startDynamoDb, type TestDynamoDb } from '../support/dynamodb';
import { FakeClock } from '../support/fake-clock';
import { describeCursorStoreContract } from './store-contract';

let db: TestDynamoDb;
let tables = 0;
beforeAll(async () => {
  db = await startDynamoDb();
});
afterAll(async () => {
  await db?.stop();
});

/** A fresh table per test, so tests share one server but no state. */
async function makeStore() {
  const tableName = `cursors-${++tables}`;
  await db.createTable(tableName);
  const clock = new FakeClock();
  return { tableName, clock, store: new DynamoDbCursorStore({ tableName, client: db.client, clock, sourceType: 'tencent-cloudaudit' }), cleanup: async () => {} };
}

describeCursorStoreContract('DynamoDbCursorStore', makeStore);

describe('DynamoDbCursorStore item layout', () => {
  it('stores a source as pk "source#<type>#<id>" with a cursor map of numbers and a string token', async () => {
    const { store, tableName, clock } = await makeStore();
    const { lease } = await store.acquire('src-a', 'run-1', 60_000);
    await store.checkpoint(lease, { windowStart: 100, windows: [{ start: 100, end: 200, pageToken: '12345678901234567' }] }, 60_000);

    const leased = await db.client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'source#tencent-cloudaudit#src-a' } } }));
    expect(leased.Item).toMatchObject({
      kind: { S: 'source' },
      sourceId: { S: 'src-a' },
      cursor: {
        M: {
          windowStart: { N: '100' },
          windows: { L: [{ M: { start: { N: '100' }, end: { N: '200' }, pageToken: { S: '12345678901234567' } } }] },
        },
      },
      leaseOwner: { S: 'run-1' },
      leaseExpiresAt: { N: String(clock.now() + 60_000) },
      updatedAt: { N: String(clock.now()) },
    });

    await store.release(lease, { at: clock.now() });
    const released = await db.client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'source#tencent-cloudaudit#src-a' } } }));
    expect(released.Item).not.toHaveProperty('leaseOwner');
    expect(released.Item).not.toHaveProperty('leaseExpiresAt');
    expect(released.Item).toMatchObject({ lastRunAt: { N: String(clock.now()) }, lastSuccessAt: { N: String(clock.now()) } });
  });

  it('keys each id by the type the lookup gives; the previous layout\'s "source#<id>" is another item', async () => {
    expect(sourceKey('tencent-ssl', 'certs')).toBe('source#tencent-ssl#certs');
    expect(legacySourceKey('certs')).toBe('source#certs');
    const { tableName, clock } = await makeStore();
    const types: Record<string, string> = { certs: 'tencent-ssl', ops: 'ucloud-operations' };
    const byConfig = new DynamoDbCursorStore({ tableName, client: db.client, clock, sourceType: (id) => types[id]! });
    for (const id of ['certs', 'ops']) {
      const { lease } = await byConfig.acquire(id, 'run-1', 60_000);
      await byConfig.checkpoint(lease, { windowStart: 7 }, 60_000);
    }
    const keys = async () => {
      const out = await db.client.send(new ScanCommand({ TableName: tableName, ProjectionExpression: 'pk' }));
      return (out.Items ?? []).map((item) => item.pk!.S).sort();
    };
    expect(await keys()).toEqual(['source#tencent-ssl#certs', 'source#ucloud-operations#ops']);
    expect((await byConfig.read('certs'))?.cursor).toEqual({ windowStart: 7 });
    // A store of another type never sees that item: each type's items are its own.
    expect(await new DynamoDbCursorStore({ tableName, client: db.client, clock, sourceType: 'tencent-cloudaudit' }).read('certs')).toBeUndefined();
  });

  it('records a skip as the skip fields of the item, with one unconditional UpdateItem', async () => {
    const { store, tableName, clock } = await makeStore();
    await store.acquire('src-a', 'run-1', 60_000);
    const commands: string[] = [];
    const middleware = (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      commands.push(context.commandName ?? '?');
      return next(args);
    };
    db.client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'countCommands' });
    try {
      await store.recordSkip('src-a', { at: clock.now(), reason: 'lease-held', heldBy: 'run-1' });
    } finally {
      db.client.middlewareStack.remove('countCommands');
    }
    expect(commands).toEqual(['UpdateItemCommand']);
    const item = await db.client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'source#tencent-cloudaudit#src-a' } } }));
    expect(item.Item).toMatchObject({
      leaseOwner: { S: 'run-1' },
      lastSkippedAt: { N: String(clock.now()) },
      lastSkipReason: { S: 'lease-held' },
      lastSkipHeldBy: { S: 'run-1' },
      skippedRuns: { N: '1' },
    });
    await store.recordSkip('src-a', { at: clock.now(), reason: 'expired' });
    const again = await db.client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'source#tencent-cloudaudit#src-a' } } }));
    expect(again.Item).toMatchObject({ lastSkipReason: { S: 'expired' }, skippedRuns: { N: '2' } });
    expect(again.Item).not.toHaveProperty('lastSkipHeldBy');
  });

  it('refuses a cursor item it cannot read, naming the source, instead of restarting it', async () => {
    const { store, tableName } = await makeStore();
    await db.client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { pk: { S: 'source#tencent-cloudaudit#src-b' }, sourceId: { S: 'src-b' }, cursor: { M: { windowStart: { S: 'yesterday' } } } },
      }),
    );
    await expect(store.read('src-b')).rejects.toThrow(/cursor of source src-b .*is not valid \(windowStart: /);
  });

  it('stores a remembered range as its own item, pk "backfill-range#<key>", and refuses one it cannot read', async () => {
    const { store, tableName } = await makeStore();
    const resolution = { from: 1_735_120_800, to: 1_735_207_200, resolvedAt: 1_735_725_600_000, fromText: '7d', toText: '6d' };
    await store.rememberRange('src-a-0123456789abcdef', resolution);
    const item = await db.client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'backfill-range#src-a-0123456789abcdef' } } }));
    expect(item.Item).toEqual({
      pk: { S: 'backfill-range#src-a-0123456789abcdef' },
      kind: { S: 'backfill-range' },
      from: { N: '1735120800' },
      to: { N: '1735207200' },
      resolvedAt: { N: '1735725600000' },
      fromText: { S: '7d' },
      toText: { S: '6d' },
    });

    await db.client.send(
      new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'backfill-range#src-b-0123456789abcdef' }, from: { S: 'last week' } } }),
    );
    await expect(store.recallRange('src-b-0123456789abcdef')).rejects.toThrow(
      /DynamoDB item backfill-range#src-b-0123456789abcdef is not a backfill range/,
    );
  });

  it('leaves other item kinds in the same table alone', async () => {
    const { store, tableName } = await makeStore();
    await db.client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'alert#x' }, expiresAt: { N: '1' } } }));
    await store.acquire('src-a', 'run-1', 60_000);
    const other = await db.client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'alert#x' } } }));
    expect(other.Item).toEqual({ pk: { S: 'alert#x' }, expiresAt: { N: '1' } });
  });

  it('takes the holder from the failed write when the server returns it (ALL_OLD), without a read', async () => {
    const { store } = await makeStore();
    const commands: string[] = [];
    // Stand in for real DynamoDB, which dynalite is not here: fail UpdateItem carrying the old item.
    const middleware = (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      commands.push(context.commandName ?? '?');
      if (context.commandName !== 'UpdateItemCommand') return next(args);
      throw new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
        Item: { pk: { S: 'source#tencent-cloudaudit#src-a' }, leaseOwner: { S: 'other-run' }, leaseExpiresAt: { N: '1893456000000' } },
      });
    };
    db.client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'fakeAllOld' });
    try {
      const err = await store.acquire('src-a', 'run-1', 60_000).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LeaseHeldError);
      expect(err).toMatchObject({ holder: 'other-run', expiresAt: 1_893_456_000_000 });
      expect(commands).toEqual(['UpdateItemCommand']);
    } finally {
      db.client.middlewareStack.remove('fakeAllOld');
    }
  });
});
