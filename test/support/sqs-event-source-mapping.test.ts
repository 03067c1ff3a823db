import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEventSourceMapping, type EventSourceMapping, type EventSourceMappingOptions } from './event-source-mapping';
import { startSqsServer, type SqsServer } from './sqs-server';

const T0 = Date.UTC(2026, 0, 1);
let nowMs: number;
let server: SqsServer;
let queue: { url: string; arn: string };
let mapping: EventSourceMapping | undefined;

beforeEach(async () => {
  nowMs = T0;
  server = await startSqsServer({ now: () => nowMs });
  queue = server.createQueue('pull', { VisibilityTimeout: '90' });
});
afterEach(async () => {
  await mapping?.stop();
  mapping = undefined;
  await server.stop();
});

const send = async (...bodies: string[]) => {
  await server.client.send(new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: bodies.map((b, i) => ({ Id: `m${i}`, MessageBody: b })) }));
};
const start = (options: Partial<EventSourceMappingOptions> & Pick<EventSourceMappingOptions, 'handler'>) => {
  mapping = startEventSourceMapping({ client: server.client, queueUrl: queue.url, queueArn: queue.arn, timeoutMs: 5_000, waitTimeSeconds: 1, now: () => nowMs, ...options });
  return mapping;
};
const bodiesLeft = () => server.messages('pull').map((m) => m.body).sort();

describe('SQS event source mapping emulator', () => {
  it('delivers records shaped as Lambda does and deletes them on success', async () => {
    const events: SQSEvent[] = [];
    let remaining = -1;
    await send('a', 'b');
    const esm = start({
      batchSize: 10,
      functionName: 'cloudtap-pull',
      handler: async (event, context) => {
        events.push(event);
        remaining = context.getRemainingTimeInMillis();
        expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
      },
    });
    await esm.waitForInvocations(1);
    const records = events.flatMap((e) => e.Records);
    expect(records.map((r) => r.body).sort()).toEqual(['a', 'b']);
    expect(records[0]).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:pull',
      awsRegion: 'us-east-1',
      messageAttributes: {},
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(T0), ApproximateFirstReceiveTimestamp: String(T0) },
    });
    expect(records[0]!.receiptHandle).not.toBe('');
    expect(remaining).toBe(5_000);
    await esm.stop();
    expect(bodiesLeft()).toEqual([]);
    expect(esm.invocations[0]).toMatchObject({ outcome: 'success', start: T0, end: T0 });
  });

  it('never runs more invocations at once than MaximumConcurrency', async () => {
    const bodies = Array.from({ length: 10 }, (_, i) => `job-${i}`);
    await send(...bodies);
    await send(...bodies.map((b) => `${b}-again`));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let running = 0;
    let most = 0;
    const esm = start({
      batchSize: 1,
      maximumConcurrency: 3,
      pollers: 5,
      handler: async () => {
        running += 1;
        most = Math.max(most, running);
        await gate;
        running -= 1;
      },
    });
    while (esm.invocations.length < 3) await new Promise((r) => setTimeout(r, 5));
    // Give the pollers time to overshoot if they could.
    await new Promise((r) => setTimeout(r, 50));
    expect(esm.invocations.length).toBe(3);
    release();
    await esm.waitForInvocations(20);
    expect(most).toBe(3);
    expect(esm.maxConcurrent).toBe(3);
    expect(esm.invocations.every((i) => i.messageIds.length === 1)).toBe(true);
    expect(bodiesLeft()).toEqual([]);
  });

  it('leaves a failed batch to reappear after its visibility timeout', async () => {
    await send('flaky');
    let calls = 0;
    const counts: string[] = [];
    const esm = start({
      batchSize: 1,
      handler: async (event) => {
        calls += 1;
        counts.push(event.Records[0]!.attributes.ApproximateReceiveCount);
        if (calls === 1) throw new Error('provider down');
      },
    });
    await esm.waitForInvocations(1);
    expect(server.messages('pull').map((m) => m.state)).toEqual(['inFlight']);
    nowMs = T0 + 90_000;
    await esm.waitForInvocations(2);
    expect(counts).toEqual(['1', '2']);
    expect(esm.invocations.map((i) => i.outcome)).toEqual(['error', 'success']);
    expect((esm.invocations[0]!.error as Error).message).toBe('provider down');
    await esm.stop();
    expect(bodiesLeft()).toEqual([]);
  });

  it('deletes all but the batchItemFailures with ReportBatchItemFailures', async () => {
    await send('ok-1', 'bad', 'ok-2');
    const esm = start({
      batchSize: 10,
      reportBatchItemFailures: true,
      handler: async (event) => ({ batchItemFailures: event.Records.filter((r) => r.body === 'bad').map((r) => ({ itemIdentifier: r.messageId })) }),
    });
    await esm.waitForInvocations(1);
    await esm.stop();
    expect(esm.invocations[0]?.outcome).toBe('partial');
    expect(bodiesLeft()).toEqual(['bad']);
  });

  it('fails the whole batch on an itemIdentifier not in the batch', async () => {
    await send('one', 'two');
    const esm = start({ batchSize: 10, reportBatchItemFailures: true, handler: async () => ({ batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] }) });
    await esm.waitForInvocations(1);
    await esm.stop();
    expect(esm.invocations[0]?.failed).toHaveLength(2);
    expect(bodiesLeft()).toEqual(['one', 'two']);
  });

  it('ignores batchItemFailures without ReportBatchItemFailures', async () => {
    await send('one', 'two');
    const esm = start({ batchSize: 10, handler: async (event) => ({ batchItemFailures: [{ itemIdentifier: event.Records[0]!.messageId }] }) });
    await esm.waitForInvocations(1);
    await esm.stop();
    expect(bodiesLeft()).toEqual([]);
  });

  it('counts an invocation past the function timeout as failed and frees its slot', async () => {
    await server.client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'hangs' }));
    let resolveHung!: () => void;
    const esm = start({
      batchSize: 1,
      maximumConcurrency: 2,
      timeoutMs: 30,
      handler: (event) => (event.Records[0]!.body === 'hangs' ? new Promise<void>((resolve) => (resolveHung = resolve)) : Promise.resolve()),
    });
    await esm.waitForInvocations(1);
    expect(esm.invocations[0]).toMatchObject({ outcome: 'timeout' });
    expect(server.messages('pull').map((m) => [m.body, m.state])).toEqual([['hangs', 'inFlight']]);
    await server.client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'next' }));
    await esm.waitForInvocations(2);
    expect(esm.invocations[1]).toMatchObject({ outcome: 'success' });
    resolveHung();
  });

  it('stop() waits for running invocations', async () => {
    await send('slow');
    let finished = false;
    const esm = start({
      batchSize: 1,
      handler: async () => {
        await new Promise((r) => setTimeout(r, 30));
        finished = true;
      },
    });
    while (esm.invocations.length === 0) await new Promise((r) => setTimeout(r, 5));
    await esm.stop();
    expect(finished).toBe(true);
    expect(bodiesLeft()).toEqual([]);
  });

  it('refuses settings Lambda does not allow', () => {
    const base = { client: server.client, queueUrl: queue.url, queueArn: queue.arn, timeoutMs: 1000, handler: async () => {} };
    expect(() => startEventSourceMapping({ ...base, maximumConcurrency: 1 })).toThrow(/maximumConcurrency must be an integer 2–1000/);
    expect(() => startEventSourceMapping({ ...base, batchSize: 11 })).toThrow(/batchSize must be an integer 1–10/);
  });
});
