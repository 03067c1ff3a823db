import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Log } from '../../shared/lib/logger';
import { buildMessages } from '../../shared/runtime/dispatch-send';
import { readDispatchTable, readQueuesEnv } from '../../shared/runtime/dispatch-table';
import { Dispatcher } from '../../shared/runtime/dispatcher';
import type { DispatchTable } from '../../shared/runtime/invocation';
import { startDynamoDb, type TestDynamoDb } from '../support/dynamodb';
import { dispatchEntry, unreachableSqs } from './dispatch-fixtures';
import { withTransactions, type TransactingDynamoDb } from './dispatch-transactions';

const QUEUES = {
  'tencent-cloudaudit': 'https://sqs.us-east-1.amazonaws.com/123456789012/cloudtap-test-tencent-cloudaudit',
  'huawei-dbss': 'https://sqs.us-east-1.amazonaws.com/123456789012/cloudtap-test-huawei-dbss',
};

describe('the messages of a minute', () => {
  it('carries the PullMessage and a delay of the seconds until the start, 0 when due, at most 900', () => {
    const now = Date.parse('2026-12-07T21:05:00.400Z');
    const audit = dispatchEntry('audit-1', 'rate(5 minutes)');
    const dbss = dispatchEntry('dbss-1', 'cron(0 * * * ? *)', { type: 'huawei-dbss' });
    const messages = buildMessages(
      [
        { entry: audit, startMs: now - 400, periodSeconds: 300 },
        { entry: audit, startMs: now + 41_600, periodSeconds: 300 },
        { entry: dbss, startMs: now + 2_000_000, periodSeconds: 3600 },
      ],
      now,
      QUEUES,
    );
    expect(messages.map(({ sourceId, queueUrl, delaySeconds }) => ({ sourceId, queueUrl, delaySeconds }))).toEqual([
      { sourceId: 'audit-1', queueUrl: QUEUES['tencent-cloudaudit'], delaySeconds: 0 },
      { sourceId: 'audit-1', queueUrl: QUEUES['tencent-cloudaudit'], delaySeconds: 42 },
      { sourceId: 'dbss-1', queueUrl: QUEUES['huawei-dbss'], delaySeconds: 900 },
    ]);
    expect(JSON.parse(messages[1]!.body)).toEqual({
      source: audit.source,
      secretName: 'cloudtap-test/tencent-prod',
      dueAt: Date.parse('2026-12-07T21:05:42Z') / 1000,
      periodSeconds: 300,
    });
  });
});

describe('reading the bundled table and the queues', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cloudtap-dispatch-'));
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return pathToFileURL(path);
  };
  const table: DispatchTable = { version: 1, stackName: 'cloudtap-test', entries: [dispatchEntry('audit-1', 'rate(5 minutes)'), dispatchEntry('dbss-1', 'rate(1 hour)', { type: 'huawei-dbss' })] };

  it('reads a table the stack wrote', () => {
    expect(readDispatchTable(file('good.json', table))).toEqual(table);
  });

  it.each([
    ['missing.json', undefined, 'the dispatch table is missing from the bundle'],
    ['broken.json', '{"version": 1,', 'not valid JSON'],
    ['bad-schedule.json', { ...table, entries: [dispatchEntry('audit-1', 'rate(5 minute)')] }, 'entries[0].source.schedule: EventBridge wants the plural unit for 5: "rate(5 minutes)"'],
    ['twice.json', { ...table, entries: [dispatchEntry('audit-1', 'rate(5 minutes)'), dispatchEntry('audit-1', 'rate(1 hour)')] }, 'entries: "audit-1" appears twice'],
    ['no-secret.json', { ...table, entries: [{ source: dispatchEntry('audit-1', 'rate(5 minutes)').source }] }, 'entries[0].secretName: Invalid input: expected string, received undefined'],
  ])('refuses %s, naming the file and the problem', (name, content, problem) => {
    const url = content === undefined ? pathToFileURL(join(dir, name)) : file(name, content);
    expect(() => readDispatchTable(url)).toThrow(`invalid configuration in ${join(dir, name)}:\n  - ${problem}`);
  });

  it('refuses queues that miss a type of the table, or are not JSON', () => {
    expect(readQueuesEnv(JSON.stringify(QUEUES), table)).toEqual(QUEUES);
    expect(() => readQueuesEnv(JSON.stringify({ 'tencent-cloudaudit': QUEUES['tencent-cloudaudit'] }), table)).toThrow(
      'CLOUDTAP_QUEUES has no queue for source type "huawei-dbss", which the dispatch table names',
    );
    expect(() => readQueuesEnv(undefined, table)).toThrow('CLOUDTAP_QUEUES is not set to a JSON object of source type -> queue URL');
  });
});

/**
 * The dispatcher with SQS out of reach (a port nobody listens on): every
 * message fails, twice, and is reported by id; an instance whose cursor is
 * still under its legacy key is not even tried. Sending to a real SQS wire
 * server is the end-to-end test beside test/support/sqs-server.ts.
 */
describe('the dispatcher', () => {
  let db: TestDynamoDb;
  let dynamo: TransactingDynamoDb;
  let sqs: SQSClient;

  beforeAll(async () => {
    db = await startDynamoDb();
    dynamo = await withTransactions(db.endpoint);
    await db.createTable('cursors');
    sqs = await unreachableSqs();
  });
  afterAll(async () => {
    sqs.destroy();
    await dynamo.stop();
    await db.stop();
  });

  it('reports every message SQS never took, skips instances still under a legacy key, sweeps only every fifth minute after the first, and ignores a repeated event', async () => {
    const doc = DynamoDBDocumentClient.from(db.client);
    const minute = Date.parse('2026-12-07T21:05:00Z');
    // A run of the previous layout holds audit-legacy's item: it cannot move yet.
    await doc.send(new PutCommand({ TableName: 'cursors', Item: { pk: 'source#audit-legacy', kind: 'source', sourceId: 'audit-legacy', leaseOwner: 'old', leaseExpiresAt: minute + 3_600_000 } }));
    const table: DispatchTable = {
      version: 1,
      stackName: 'cloudtap-test',
      entries: ['audit-a', 'audit-b', 'audit-legacy'].map((id) => dispatchEntry(id, 'rate(1 minute)')).concat(dispatchEntry('dbss-a', 'rate(1 minute)', { type: 'huawei-dbss' })),
    };
    const lines: { level: string; message: string; extra?: Record<string, unknown> }[] = [];
    const log: Log = Object.fromEntries(['debug', 'info', 'warn', 'error'].map((level) => [level, (message: string, extra?: Record<string, unknown>) => lines.push({ level, message, extra })])) as unknown as Log;
    let now = minute + 200;
    const dispatcher = new Dispatcher({ table, queues: QUEUES, tableName: 'cursors', sqs, dynamo: dynamo.client, log, clock: { now: () => now, sleep: async () => {} }, namespace: 'cloudtap', serviceName: 'cloudtap' });

    const emf = await captureEmf(() => dispatcher.dispatch(minute + 1_000));
    const first = emf.result;
    expect(first.minute).toBe(minute);
    expect(first.blocked).toEqual(['audit-legacy']);
    expect(first.dispatched).toEqual({});
    expect(first.failed.map(({ sourceId }) => sourceId).sort()).toEqual(['audit-a', 'audit-b', 'dbss-a']);
    expect(first.sweep?.stalled.get('tencent-cloudaudit')).toEqual([]);
    expect(lines.find((line) => line.level === 'error')).toMatchObject({ message: 'SQS refused messages twice; these runs do not start this minute', extra: { count: 3 } });
    // One EMF object per type with {service, SourceType}, one for the stack.
    expect(emf.objects).toEqual([
      expect.objectContaining({ service: 'cloudtap', SourceType: 'tencent-cloudaudit', Dispatched: 0, DispatchFailed: 2, StalledInstances: 0 }),
      expect.objectContaining({ service: 'cloudtap', SourceType: 'huawei-dbss', Dispatched: 0, DispatchFailed: 1, StalledInstances: 0 }),
      expect.objectContaining({ service: 'cloudtap', DispatchDurationMs: expect.any(Number) }),
    ]);
    expect(emf.objects[0]._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'SourceType']]);

    // A minute later: no sweep, the legacy instance still held back.
    now = minute + 60_200;
    const { result: second } = await captureEmf(() => dispatcher.dispatch(minute + 60_000));
    expect(second.sweep).toBeUndefined();
    expect(second.blocked).toEqual(['audit-legacy']);
    expect(second.failed.map(({ sourceId }) => sourceId).sort()).toEqual(['audit-a', 'audit-b', 'dbss-a']);

    // The same scheduled event delivered again: nothing is sent a second time.
    const { result: again } = await captureEmf(() => dispatcher.dispatch(minute + 60_000));
    expect(again).toEqual({ minute: minute + 60_000, dispatched: {}, failed: [], blocked: ['audit-legacy'] });
    expect(lines.at(-1)).toMatchObject({ level: 'warn', message: 'this minute was dispatched already; a repeated event is ignored' });
  });
});

/** Run `work` with stdout captured; the EMF objects it printed. */
async function captureEmf<T>(work: () => Promise<T>): Promise<{ result: T; objects: any[] }> {
  const output: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array) => {
    output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write);
  try {
    const result = await work();
    const objects = output.join('').split('\n').filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line));
    return { result, objects };
  } finally {
    spy.mockRestore();
  }
}
