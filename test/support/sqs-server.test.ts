import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSqsServer, type SqsServer } from './sqs-server';

let server: SqsServer;
let client: SQSClient;
let nowMs: number;
let url: string;

const T0 = Date.UTC(2026, 0, 1);
const receive = (extra: Partial<ConstructorParameters<typeof ReceiveMessageCommand>[0]> = {}) =>
  client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'], ...extra }));
const bodies = (out: { Messages?: { Body?: string }[] }) => (out.Messages ?? []).map((m) => m.Body).sort();
const caught = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e as Error & { Code?: string; $metadata: { httpStatusCode?: number } });

beforeEach(async () => {
  nowMs = T0;
  server = await startSqsServer({ now: () => nowMs });
  client = server.client;
  url = (await client.send(new CreateQueueCommand({ QueueName: 'work', Attributes: { VisibilityTimeout: '60' } }))).QueueUrl!;
});
afterEach(() => server.stop());

describe('SQS server over the real client', () => {
  it('sends over AWS JSON 1.0 and finds queues by name', async () => {
    expect((await client.send(new GetQueueUrlCommand({ QueueName: 'work' }))).QueueUrl).toBe(url);
    const error = await caught(client.send(new GetQueueUrlCommand({ QueueName: 'missing' })));
    expect(error).toBeInstanceOf(QueueDoesNotExist);
    expect(error?.Code).toBe('AWS.SimpleQueueService.NonExistentQueue');
    expect(server.calls[0]?.operation).toBe('CreateQueue');
  });

  it('honours DelaySeconds per message and the queue default', async () => {
    const delayed = server.createQueue('delayed', { DelaySeconds: '30' }).url;
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'now' }));
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'in-90s', DelaySeconds: 90 }));
    await client.send(new SendMessageCommand({ QueueUrl: delayed, MessageBody: 'queue-default' }));
    const attributes = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
    expect(attributes.Attributes).toMatchObject({ ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesDelayed: '1' });

    const first = await receive();
    expect(bodies(first)).toEqual(['now']);
    await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.Messages![0]!.ReceiptHandle }));
    expect(bodies(await client.send(new ReceiveMessageCommand({ QueueUrl: delayed })))).toEqual([]);
    nowMs = T0 + 89_999;
    expect(bodies(await receive())).toEqual([]);
    nowMs = T0 + 90_000;
    expect(bodies(await receive())).toEqual(['in-90s']);
    expect(bodies(await client.send(new ReceiveMessageCommand({ QueueUrl: delayed })))).toEqual(['queue-default']);
  });

  it('refuses a delay beyond 900 seconds', async () => {
    const error = await caught(client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', DelaySeconds: 901 })));
    expect(error?.name).toBe('InvalidParameterValue');
    expect(error?.$metadata.httpStatusCode).toBe(400);
  });

  it('hides a received message for the visibility timeout, then redelivers it with a new handle and count', async () => {
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'job' }));
    const first = (await receive()).Messages![0]!;
    expect(first.Attributes).toMatchObject({ ApproximateReceiveCount: '1', SentTimestamp: String(T0), ApproximateFirstReceiveTimestamp: String(T0) });
    const counts = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
    );
    expect(counts.Attributes).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '1', ApproximateNumberOfMessagesDelayed: '0' });
    nowMs = T0 + 59_999;
    expect(bodies(await receive())).toEqual([]);
    nowMs = T0 + 60_000;
    const second = (await receive()).Messages![0]!;
    expect(second.Attributes).toMatchObject({ ApproximateReceiveCount: '2', ApproximateFirstReceiveTimestamp: String(T0) });
    expect(second.ReceiptHandle).not.toBe(first.ReceiptHandle);

    // The outdated handle succeeds but deletes nothing; the current one deletes.
    await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.ReceiptHandle }));
    expect(server.messages('work')).toHaveLength(1);
    await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: second.ReceiptHandle }));
    expect(server.messages('work')).toHaveLength(0);
  });

  it('takes a per-call VisibilityTimeout and ChangeMessageVisibility', async () => {
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'job' }));
    const message = (await receive({ VisibilityTimeout: 5 })).Messages![0]!;
    await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 }));
    expect(bodies(await receive())).toEqual(['job']);
    const notInFlight = await caught(client.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 10 })));
    expect(notInFlight?.name).toBe('MessageNotInflight');
    const invalid = await caught(client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'garbage' })));
    expect(invalid?.name).toBe('ReceiptHandleIsInvalid');
    expect(invalid?.$metadata.httpStatusCode).toBe(404);
  });

  it('moves a message to the dead-letter queue once it was received maxReceiveCount times', async () => {
    const dlq = server.createQueue('work-dlq');
    const source = server.createQueue('redriven', {
      VisibilityTimeout: '10',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    }).url;
    const { MessageId } = await client.send(new SendMessageCommand({ QueueUrl: source, MessageBody: 'poison' }));
    for (let attempt = 1; attempt <= 2; attempt++) {
      expect(bodies(await client.send(new ReceiveMessageCommand({ QueueUrl: source })))).toEqual(['poison']);
      nowMs += 10_000;
    }
    expect(bodies(await client.send(new ReceiveMessageCommand({ QueueUrl: source })))).toEqual([]);
    const dead = await client.send(new ReceiveMessageCommand({ QueueUrl: dlq.url, MessageSystemAttributeNames: ['SentTimestamp'] }));
    expect(dead.Messages?.map((m) => [m.MessageId, m.Body, m.Attributes?.SentTimestamp])).toEqual([[MessageId, 'poison', String(T0)]]);
  });

  it('refuses a redrive policy to a queue that does not exist', async () => {
    const error = await caught(
      client.send(new CreateQueueCommand({ QueueName: 'x', Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:123456789012:nope', maxReceiveCount: 1 }) } })),
    );
    expect(error?.name).toBe('InvalidParameterValue');
  });

  it('answers batch errors as SQS does', async () => {
    const entries = (n: number, id = (i: number) => `e${i}`) => Array.from({ length: n }, (_, i) => ({ Id: id(i), MessageBody: `m${i}` }));
    const tooMany = await caught(client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries(11) })));
    expect(tooMany?.name).toBe('TooManyEntriesInBatchRequest');
    expect(tooMany?.Code).toBe('AWS.SimpleQueueService.TooManyEntriesInBatchRequest');
    const duplicate = await caught(client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries(2, () => 'same') })));
    expect(duplicate?.name).toBe('BatchEntryIdsNotDistinct');
    const badId = await caught(client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries(1, () => 'has space') })));
    expect(badId?.name).toBe('InvalidBatchEntryId');
    const empty = await caught(client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] })));
    expect(empty?.name).toBe('EmptyBatchRequest');
    expect(server.messages('work')).toHaveLength(0);
  });

  it('reports per-entry failures and sends the rest', async () => {
    server.faults.failSendEntries((body) => body === 'm1');
    const out = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', MessageBody: 'm0', DelaySeconds: 5 },
          { Id: 'b', MessageBody: 'm1' },
          { Id: 'c', MessageBody: 'm2', DelaySeconds: 1000 },
        ],
      }),
    );
    expect(out.Successful?.map((s) => s.Id)).toEqual(['a']);
    expect(out.Failed?.map((f) => [f.Id, f.Code, f.SenderFault])).toEqual([
      ['b', 'InternalFailure', false],
      ['c', 'InvalidParameterValue', true],
    ]);
    expect(server.messages('work').map((m) => [m.body, m.state])).toEqual([['m0', 'delayed']]);
  });

  it('deletes in batches, reporting an invalid handle per entry', async () => {
    await client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'a', MessageBody: 'one' }, { Id: 'b', MessageBody: 'two' }] }));
    const messages = (await receive()).Messages!;
    const out = await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [...messages.map((m, i) => ({ Id: `ok${i}`, ReceiptHandle: m.ReceiptHandle })), { Id: 'bad', ReceiptHandle: 'nonsense' }],
      }),
    );
    expect(out.Successful?.map((s) => s.Id)).toEqual(['ok0', 'ok1']);
    expect(out.Failed?.map((f) => [f.Id, f.Code])).toEqual([['bad', 'ReceiptHandleIsInvalid']]);
    expect(server.messages('work')).toHaveLength(0);
  });

  it('long-polls until a message arrives', async () => {
    const polling = receive({ WaitTimeSeconds: 20 });
    await new Promise((r) => setTimeout(r, 20));
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'late' }));
    expect(bodies(await polling)).toEqual(['late']);
  });

  it('refuses out-of-range receive parameters and unsigned calls', async () => {
    expect((await caught(receive({ MaxNumberOfMessages: 11 })))?.name).toBe('InvalidParameterValue');
    expect((await caught(receive({ WaitTimeSeconds: 21 })))?.name).toBe('InvalidParameterValue');
    const unsigned = await fetch(server.endpoint, { method: 'POST', headers: { 'x-amz-target': 'AmazonSQS.ListQueues', 'content-type': 'application/x-amz-json-1.0' }, body: '{}' });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-amzn-query-error')).toBe('MissingAuthenticationToken;Sender');
  });
});
