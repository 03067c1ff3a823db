/**
 * DynamoDbPacer against dynalite: concurrent pacers sharing one rate-limit key,
 * each its own client and its own (skewed) clock, as separate Lambda
 * invocations would be. Grants are counted by the slot each was given, never
 * by wall-clock timing.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rateLimitKey } from '../../shared/core/ports/pacer';
import type { Clock } from '../../shared/lib/clock';
import { DynamoDbPacer } from '../../shared/cursor/dynamodb-pacer';
import { startDynamoDb, type TestDynamoDb } from '../support/dynamodb';
import { FakeClock } from '../support/fake-clock';

let db: TestDynamoDb;
let tables = 0;
const clients: DynamoDBClient[] = [];
beforeAll(async () => {
  db = await startDynamoDb();
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  await db?.stop();
});

async function freshTable(): Promise<string> {
  const name = `pace-${++tables}`;
  await db.createTable(name);
  return name;
}

/** A client of its own, as each invocation has. */
function client(): DynamoDBClient {
  const made = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  clients.push(made);
  return made;
}

/** `base`, off by `skewMs`: invocations' clocks never agree exactly. */
const skewed = (base: FakeClock, skewMs: number): Clock => ({ now: () => base.now() + skewMs, sleep: (ms, signal) => base.sleep(ms, signal) });

/** The most slots any 1-second window [t, t + 1000) holds, t ranging over the slots. */
function busiestSecond(slots: number[]): number {
  const sorted = [...slots].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (j < sorted.length && sorted[j]! < sorted[i]! + 1000) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

describe('DynamoDbPacer', () => {
  it('never grants more than the documented rate in any second to pacers sharing a key, whatever their clocks', async () => {
    const tableName = await freshTable();
    const base = new FakeClock(Date.UTC(2026, 0, 1));
    const key = rateLimitKey('tencent-cloudaudit', 'tencent-prod', 'cloudaudit.tencentcloudapi.com');
    // Six invocations, 20 requests per second documented (CloudAudit's limit), clocks up to 40 ms apart.
    const pacers = [0, 15, -20, 40, -5, 25].map(
      (skew) => new DynamoDbPacer({ tableName, key, requestsPerSecond: 20, client: client(), clock: skewed(base, skew) }),
    );
    const slots: number[] = [];
    // Rounds of concurrent reservations; between rounds time moves, sometimes past every slot
    // reserved (the slots restart at "now"), sometimes not (they queue behind the backlog).
    for (const advanceMs of [0, 300, 5_000, 50, 2_000, 0, 700]) {
      base.advance(advanceMs);
      const round = await Promise.all(pacers.flatMap((pacer) => Array.from({ length: 4 }, () => pacer.reserve())));
      slots.push(...round);
    }

    expect(slots).toHaveLength(6 * 4 * 7);
    expect(new Set(slots).size).toBe(slots.length);
    const sorted = [...slots].sort((a, b) => a - b);
    const step = pacers[0]!.stepMs;
    expect(step).toBe(56); // 20 per second less the 10 % headroom: 18 per second, 55.6 ms rounded up
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(step);
    expect(busiestSecond(slots)).toBeLessThanOrEqual(20);
    // The backlog did build up: some second is as full as the headroom allows.
    expect(busiestSecond(slots)).toBeGreaterThanOrEqual(17);

    const item = await db.client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: `pace#${key}` } } }));
    expect(item.Item).toMatchObject({ kind: { S: 'pace' }, nextAt: { N: expect.any(String) } });
  });

  it('does not let one key\'s backlog delay another key', async () => {
    const tableName = await freshTable();
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const busy = new DynamoDbPacer({ tableName, key: rateLimitKey('ucloud-operations', 'set-a', 'api.ucloud.cn'), requestsPerSecond: 5, client: client(), clock });
    const idle = new DynamoDbPacer({ tableName, key: rateLimitKey('ucloud-operations', 'set-b', 'api.ucloud.cn'), requestsPerSecond: 5, client: client(), clock });
    const backlog = await Promise.all(Array.from({ length: 10 }, () => busy.reserve()));
    expect(Math.max(...backlog)).toBeGreaterThan(clock.now() + 1_000);
    expect(await idle.reserve()).toBe(clock.now());
    expect(await idle.reserve()).toBe(clock.now() + idle.stepMs);
  });

  it('take waits on the clock until its slot, and gives up when aborted', async () => {
    const tableName = await freshTable();
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const pacer = new DynamoDbPacer({ tableName, key: 'huawei-dbss#set#dbss.cn-north-4.myhuaweicloud.com', requestsPerSecond: 5, client: client(), clock });
    await pacer.take(); // the first slot is now: no wait
    let granted = false;
    const second = pacer.take().then(() => (granted = true));
    // The reservation is a round trip to the table; only then does take sleep on the clock.
    while (!granted && !hasSleeper(clock)) await new Promise((resolve) => setImmediate(resolve));
    clock.advance(pacer.stepMs - 1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(granted).toBe(false);
    clock.advance(1);
    await second;
    expect(granted).toBe(true);

    const controller = new AbortController();
    controller.abort(new Error('run stopped'));
    await expect(pacer.take(controller.signal)).rejects.toThrow('run stopped');
  });

  it('gives up a slot its caller reaches late and takes the next, a few times at most', async () => {
    // Sent late, a request would follow the previous slot's by less than a step: with the slots of
    // other callers on time, one second could then hold more requests than the limit.
    const tableName = await freshTable();
    const base = new FakeClock(Date.UTC(2026, 0, 1), { autoAdvance: true });
    const start = base.now();
    let lateWakes = 1;
    // A busy event loop: a sleep that ends 100 ms after it should.
    const clock: Clock = { now: () => base.now(), sleep: (ms, signal) => base.sleep(ms + (lateWakes-- > 0 ? 100 : 0), signal) };
    const key = 'huawei-dbss#set#dbss.cn-north-4.myhuaweicloud.com';
    const nextAt = async () => Number((await db.client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: `pace#${key}` } } }))).Item!.nextAt!.N);
    const pacer = new DynamoDbPacer({ tableName, key, requestsPerSecond: 5, client: client(), clock });
    const step = pacer.stepMs;

    await pacer.take();
    // The first slot (now) was reached 100 ms late: given up; the request goes at the second, on time.
    expect(base.now()).toBe(start + step);
    expect(await nextAt()).toBe(start + 2 * step);

    // A caller late every time goes after giving up three slots.
    lateWakes = Number.POSITIVE_INFINITY;
    await pacer.take();
    expect(await nextAt()).toBe(start + 6 * step);
    expect(base.now()).toBe(start + 5 * step + 100);
  });

  it('refuses a rate that is not a positive number, naming the key', () => {
    expect(() => new DynamoDbPacer({ tableName: 't', key: 'k#s#x', requestsPerSecond: 0 })).toThrow(/pacer k#s#x: requestsPerSecond must be a positive number, got 0/);
  });
});

/** Whether anything sleeps on the fake clock (its sleepers are private; a zero advance wakes none early). */
function hasSleeper(clock: FakeClock): boolean {
  return (clock as unknown as { sleepers: unknown[] }).sleepers.length > 0;
}
