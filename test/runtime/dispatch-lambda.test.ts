import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDispatchHandler } from '../../shared/runtime/dispatch-lambda';
import type { DispatchTable } from '../../shared/runtime/invocation';
import { startDynamoDb, type TestDynamoDb } from '../support/dynamodb';
import { lambdaContext } from '../support/source-handler';
import { dispatchEntry, unreachableSqs } from './dispatch-fixtures';

/** The dispatcher's Lambda entry: its environment read at cold start, the scheduled event's `time` naming the minute. */
const table: DispatchTable = { version: 1, stackName: 'cloudtap-test', entries: [dispatchEntry('audit-1', 'rate(1 minute)')] };
const QUEUES = JSON.stringify({ 'tencent-cloudaudit': 'https://sqs.us-east-1.amazonaws.com/123456789012/cloudtap-test-tencent-cloudaudit' });

let db: TestDynamoDb;
let sqs: SQSClient;

beforeAll(async () => {
  db = await startDynamoDb();
  await db.createTable('cursors');
  // SQS out of reach: the runs fail to send, and the handler says which.
  sqs = await unreachableSqs();
});
afterAll(async () => {
  sqs.destroy();
  await db.stop();
});
afterEach(() => vi.unstubAllEnvs());

describe('the dispatcher handler', () => {
  it('stops the cold start when the table name or a queue is missing', () => {
    vi.stubEnv('CLOUDTAP_QUEUES', QUEUES);
    vi.stubEnv('CLOUDTAP_TABLE_NAME', '');
    expect(() => createDispatchHandler({ table, sqs, dynamo: db.client })).toThrow('CLOUDTAP_TABLE_NAME is not set');
    vi.stubEnv('CLOUDTAP_TABLE_NAME', 'cursors');
    vi.stubEnv('CLOUDTAP_QUEUES', '{}');
    expect(() => createDispatchHandler({ table, sqs, dynamo: db.client })).toThrow('CLOUDTAP_QUEUES has no queue for source type "tencent-cloudaudit"');
  });

  it('dispatches the minute of the event\'s time, and refuses an event without one', async () => {
    vi.stubEnv('CLOUDTAP_TABLE_NAME', 'cursors');
    vi.stubEnv('CLOUDTAP_QUEUES', QUEUES);
    vi.stubEnv('CLOUDTAP_STACK_NAME', 'cloudtap-test');
    const handler = createDispatchHandler({ table, sqs, dynamo: db.client });
    const output = [vi.spyOn(process.stdout, 'write').mockImplementation(() => true), vi.spyOn(process.stderr, 'write').mockImplementation(() => true)];
    try {
      const report = await handler({ time: '2026-12-07T21:07:00Z' }, lambdaContext('req-1'));
      expect(report.minute).toBe(Date.parse('2026-12-07T21:07:00Z'));
      // The one instance on rate(1 minute) starts once in the minute, and the send failed: named, not dropped.
      expect(report.failed.map(({ sourceId }) => sourceId)).toEqual(['audit-1']);
      await expect(handler({}, lambdaContext('req-2'))).rejects.toThrow('expected a scheduled event with an ISO "time", got {}');
    } finally {
      for (const spy of output) spy.mockRestore();
    }
  });
});
