import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Log } from '../../shared/lib/logger';
import { planStarts } from '../../shared/runtime/dispatch-plan';
import { Dispatcher } from '../../shared/runtime/dispatcher';
import type { DispatchTable, PullMessage } from '../../shared/runtime/invocation';
import { startDynamoDb, type TestDynamoDb } from '../support/dynamodb';
import { startSqsServer, type SqsServer } from '../support/sqs-server';
import { dispatchEntry } from './dispatch-fixtures';
import { withTransactions, type TransactingDynamoDb } from './dispatch-transactions';

/**
 * The dispatcher end to end over the wire: DynamoDB (dynalite) for the sweep,
 * the local SQS server (test/support/sqs-server.ts) for the messages, through
 * the real SDK clients, on a test clock the SQS server shares for its delays.
 */
const MINUTE = 60_000;
const FROM = Date.parse('2026-12-07T21:00:00Z');
const AUDIT_QUEUE = 'cloudtap-test-tencent-cloudaudit';
const DBSS_QUEUE = 'cloudtap-test-huawei-dbss';

let db: TestDynamoDb;
let dynamo: TransactingDynamoDb;
let sqs: SqsServer;
let now = FROM;
let queues: Record<string, string>;
let tables = 0;
let lines: { level: string; message: string; extra?: Record<string, unknown> }[];
const log = Object.fromEntries(['debug', 'info', 'warn', 'error'].map((level) => [level, (message: string, extra?: Record<string, unknown>) => lines.push({ level, message, extra })])) as unknown as Log;

const table: DispatchTable = {
  version: 1,
  stackName: 'cloudtap-test',
  entries: [
    ...Array.from({ length: 250 }, (_, index) => dispatchEntry(`audit-${String(index).padStart(4, '0')}`, 'rate(5 minutes)')),
    ...Array.from({ length: 50 }, (_, index) => dispatchEntry(`dbss-${String(index).padStart(4, '0')}`, 'cron(0/10 * * * ? *)', { type: 'huawei-dbss' })),
  ],
};

beforeAll(async () => {
  db = await startDynamoDb();
  dynamo = await withTransactions(db.endpoint);
  sqs = await startSqsServer({ now: () => now });
});
afterAll(async () => {
  await sqs.stop();
  await dynamo.stop();
  await db.stop();
});

let run = 0;
beforeEach(async () => {
  run++;
  lines = [];
  sqs.faults.reset();
  queues = { 'tencent-cloudaudit': sqs.createQueue(`${AUDIT_QUEUE}-${run}`).url, 'huawei-dbss': sqs.createQueue(`${DBSS_QUEUE}-${run}`).url };
  await db.createTable(`cursors-${++tables}`);
});

function dispatcher(): Dispatcher {
  return new Dispatcher({ table, queues, tableName: `cursors-${tables}`, sqs: sqs.client, dynamo: dynamo.client, log, clock: { now: () => now, sleep: async () => {} } });
}

const bodies = (queue: string): PullMessage[] => sqs.messages(`${queue}-${run}`).map((message) => JSON.parse(message.body) as PullMessage);

describe('the dispatcher over SQS', () => {
  it('minute after minute for an hour, queues every instance once per period, each message delayed until its start', async () => {
    const dispatch = dispatcher();
    for (let minute = FROM; minute < FROM + 60 * MINUTE; minute += MINUTE) {
      // EventBridge delivers the event a little after the minute starts.
      now = minute + 700;
      const report = await dispatch.dispatch(minute);
      expect(report.failed).toEqual([]);
    }
    const audit = bodies(AUDIT_QUEUE);
    const dbss = bodies(DBSS_QUEUE);
    expect(audit).toHaveLength(250 * 12);
    expect(dbss).toHaveLength(50 * 6);
    // Exactly the plan: one message per start, due at the start.
    const planned = planStarts(table.entries, FROM, FROM + 60 * MINUTE).map((start) => `${start.entry.source.id}@${start.startMs / 1000}`);
    expect([...audit, ...dbss].map((body) => `${body.source.id}@${body.dueAt}`).sort()).toEqual(planned.sort());
    // Each message becomes visible at its start, to the second (a start already past when sent is visible at once).
    for (const message of [...sqs.messages(`${AUDIT_QUEUE}-${run}`), ...sqs.messages(`${DBSS_QUEUE}-${run}`)]) {
      const { dueAt, periodSeconds, secretName } = JSON.parse(message.body) as PullMessage;
      expect(Math.abs(message.availableAt - Math.max(message.sentAt, dueAt * 1000))).toBeLessThanOrEqual(500);
      expect(secretName).toBe('cloudtap-test/tencent-prod');
      expect(periodSeconds).toBe(message.body.includes('"type":"huawei-dbss"') ? 600 : 300);
    }
    // At most 10 entries a call.
    const batches = sqs.calls.filter((call) => call.operation === 'SendMessageBatch');
    expect(Math.max(...batches.map((call) => (call.input.Entries as unknown[]).length))).toBeLessThanOrEqual(10);
  });

  it('sends an entry SQS refused once more, and reports by id one refused twice', async () => {
    now = FROM + 5 * MINUTE + 300;
    const minute = FROM + 5 * MINUTE;
    const due = planStarts(table.entries, minute, minute + MINUTE).map((start) => start.entry.source.id);
    const [once, always] = due as [string, string];
    sqs.faults.failSendEntries((body) => body.includes(`"id":"${once}"`), 1);
    sqs.faults.failSendEntries((body) => body.includes(`"id":"${always}"`), Number.POSITIVE_INFINITY);

    const report = await dispatcher().dispatch(minute);

    expect(report.failed.map(({ sourceId }) => sourceId)).toEqual([always]);
    const sent = [...bodies(AUDIT_QUEUE), ...bodies(DBSS_QUEUE)].map((body) => body.source.id).sort();
    expect(sent).toEqual(due.filter((id) => id !== always).sort());
    expect(lines.find((line) => line.level === 'error')).toMatchObject({ extra: { count: 1, failed: [expect.objectContaining({ sourceId: always })] } });
  });

  it('sends the entries of a call that failed whole once more', async () => {
    now = FROM + 10 * MINUTE + 300;
    const minute = FROM + 10 * MINUTE;
    sqs.faults.failCalls(2, { operation: 'SendMessageBatch' });

    const report = await dispatcher().dispatch(minute);

    expect(report.failed).toEqual([]);
    const sent = [...bodies(AUDIT_QUEUE), ...bodies(DBSS_QUEUE)].map((body) => body.source.id).sort();
    expect(sent).toEqual(planStarts(table.entries, minute, minute + MINUTE).map((start) => start.entry.source.id).sort());
    expect(sqs.calls.filter((call) => call.operation === 'SendMessageBatch' && call.status >= 500)).toHaveLength(2);
  });
});
