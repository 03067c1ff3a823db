/**
 * A local stand-in for Amazon SQS (standard queues) that speaks what
 * `@aws-sdk/client-sqs` v3 sends: the AWS JSON 1.0 protocol, POST / with
 * `X-Amz-Target: AmazonSQS.<Operation>`, answered in JSON; errors carry the
 * shape in `__type` and the Query-compatible code in `x-amzn-query-error`, as
 * the SQS developer guide ("Interpreting Amazon SQS JSON API responses") shows.
 * It checks a SigV4 Authorization header is present, records every call and
 * can fail calls or batch entries. Queue semantics live in `sqs-queue.ts`.
 *
 * Time comes from `now()` (default Date.now), so delays and visibility run on
 * real time in a scenario or on a test's clock; long polls always wait real
 * time (at most WaitTimeSeconds), re-checking every few milliseconds.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ACCOUNT_ID, checkBody, checkRange, MAX_MESSAGE_BYTES, SQS_ERRORS, SqsError, SqsQueue, type MessageState, type SqsErrorCode, type StoredMessage } from './sqs-queue';

export { SqsError, type SqsErrorCode, type StoredMessage } from './sqs-queue';

const TARGET_PREFIX = 'AmazonSQS.';
const JSON_10 = 'application/x-amz-json-1.0';
const MAX_BATCH_ENTRIES = 10;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
/** How often a long poll looks again when nothing was sent (delays and visibility ending). */
const LONG_POLL_RECHECK_MS = 10;

/** One request as the server saw it. */
export interface SqsCall {
  seq: number;
  operation: string;
  queue?: string;
  input: Record<string, unknown>;
  status: number;
  /** The shape name of a whole-call error. */
  error?: string;
  /** ReceiveMessage: the ids received. */
  received?: string[];
  /** The caller went away before the answer (e.g. an aborted long poll). */
  abandoned?: boolean;
}

export interface SqsMessageView extends StoredMessage {
  state: MessageState;
}

export interface SqsServer {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** A real SDK client aimed here (fake static keys, us-east-1, SDK retries off so callers' retries are visible). */
  client: SQSClient;
  /** Creates a standard queue (as CreateQueue would) and returns its URL and ARN. */
  createQueue(name: string, attributes?: Record<string, string>): { url: string; arn: string };
  /** The queue's messages now, with their state. */
  messages(name: string): SqsMessageView[];
  counts(name: string): Record<MessageState, number>;
  calls: SqsCall[];
  faults: {
    /** Fail the next `count` calls (of `operation`, or any) with `code` (default InternalFailure, HTTP 500). */
    failCalls(count: number, options?: { code?: SqsErrorCode; operation?: string }): void;
    /** Fail SendMessageBatch entries whose body matches, `times` times in all (Infinity for always), with a server-side fault. */
    failSendEntries(match: (body: string) => boolean, times?: number): void;
    reset(): void;
  };
  stop(): Promise<void>;
}

type Input = Record<string, unknown>;

export async function startSqsServer(options: { now?: () => number } = {}): Promise<SqsServer> {
  const now = options.now ?? Date.now;
  const queues = new Map<string, SqsQueue>();
  const calls: SqsCall[] = [];
  let callFaults: { code: SqsErrorCode; operation?: string }[] = [];
  let entryFaults: { match: (body: string) => boolean; left: number }[] = [];
  let endpoint = '';

  const queueNamed = (name: string) => {
    const queue = queues.get(name);
    if (!queue) throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
    return queue;
  };
  // A queue URL's last path segment is its name (https://sqs.<region>.amazonaws.com/<account>/<name>).
  const queueOf = (input: Input, call: SqsCall) => {
    if (typeof input.QueueUrl !== 'string') throw new SqsError('MissingParameter', 'The request must contain the parameter QueueUrl.');
    call.queue = input.QueueUrl.split('/').pop() ?? '';
    return queueNamed(call.queue);
  };
  const byArn = (arn: string) => [...queues.values()].find((q) => q.arn === arn);

  function createQueue(name: string, attributes: Record<string, string> = {}) {
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw new SqsError('InvalidParameterValue', `Value ${name} for parameter QueueName is invalid. Reason: Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length.`);
    const existing = queues.get(name);
    if (existing) {
      const differs = Object.entries(attributes).some(([k, v]) => existing.attributes[k] !== v);
      if (differs) throw new SqsError('QueueNameExists', `A queue already exists with the same name and a different value for attribute(s) ${Object.keys(attributes).join(', ')}`);
      return existing;
    }
    const queue = new SqsQueue(name, `${endpoint}/${ACCOUNT_ID}/${name}`, attributes, now);
    const target = queue.redrivePolicy?.deadLetterTargetArn;
    if (target && !byArn(target)) throw new SqsError('InvalidParameterValue', 'Value for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.');
    queues.set(name, queue);
    return queue;
  }

  function batchEntries(input: Input): Input[] {
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length === 0) throw new SqsError('EmptyBatchRequest', 'There should be at least one SendMessageBatchRequestEntry in the request.');
    if (entries.length > MAX_BATCH_ENTRIES) throw new SqsError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`);
    const ids = new Set<string>();
    for (const entry of entries as Input[]) {
      const id = entry?.Id;
      if (typeof id !== 'string' || !BATCH_ENTRY_ID.test(id)) throw new SqsError('InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.');
      if (ids.has(id)) throw new SqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
      ids.add(id);
    }
    return entries as Input[];
  }

  const failure = (id: unknown, error: unknown) => {
    if (!(error instanceof SqsError)) throw error;
    return { Id: id, SenderFault: SQS_ERRORS[error.code].status < 500, Code: SQS_ERRORS[error.code].query, Message: error.message };
  };

  const delayOf = (value: unknown) => (value === undefined ? undefined : checkRange('DelaySeconds', value, [0, 900]));

  function sendOne(queue: SqsQueue, input: Input) {
    const body = checkBody(input.MessageBody, Number(queue.attributes.MaximumMessageSize));
    const message = queue.send(body, delayOf(input.DelaySeconds));
    return { MessageId: message.messageId, MD5OfMessageBody: message.md5OfBody };
  }

  function attributesOf(message: StoredMessage, names: Set<string>) {
    const all = names.has('All');
    const available: Record<string, string | undefined> = {
      SenderId: 'AIDAEXAMPLESENDER',
      SentTimestamp: String(message.sentAt),
      ApproximateReceiveCount: String(message.receiveCount),
      ApproximateFirstReceiveTimestamp: message.firstReceivedAt === undefined ? undefined : String(message.firstReceivedAt),
    };
    const chosen = Object.entries(available).filter(([name, value]) => value !== undefined && (all || names.has(name)));
    return chosen.length > 0 ? Object.fromEntries(chosen) : undefined;
  }

  async function receiveMessage(input: Input, call: SqsCall, closed: () => boolean) {
    const queue = queueOf(input, call);
    const max = input.MaxNumberOfMessages === undefined ? 1 : checkRange('MaxNumberOfMessages', input.MaxNumberOfMessages, [1, 10]);
    const visibility = input.VisibilityTimeout === undefined ? undefined : checkRange('VisibilityTimeout', input.VisibilityTimeout, [0, 43_200]);
    const waitSeconds = input.WaitTimeSeconds === undefined ? Number(queue.attributes.ReceiveMessageWaitTimeSeconds) : checkRange('WaitTimeSeconds', input.WaitTimeSeconds, [0, 20]);
    const names = new Set([...((input.AttributeNames as string[] | undefined) ?? []), ...((input.MessageSystemAttributeNames as string[] | undefined) ?? [])]);
    const deadline = Date.now() + waitSeconds * 1000;
    let received: StoredMessage[] = [];
    for (;;) {
      // A poll the caller gave up on must not take messages nobody will see. (Until the
      // server sees the socket close it still can, as a real one can: abandoned polls
      // cost visibility timeouts.)
      if (closed()) return {};
      received = queue.receive(max, visibility, byArn);
      const left = deadline - Date.now();
      if (received.length > 0 || left <= 0) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, LONG_POLL_RECHECK_MS));
        const unsubscribe = queue.onSend(done);
        function done() {
          clearTimeout(timer);
          unsubscribe();
          resolve();
        }
      });
    }
    call.received = received.map((m) => m.messageId);
    if (received.length === 0) return {};
    return {
      Messages: received.map((m) => ({ MessageId: m.messageId, ReceiptHandle: m.receiptHandle, MD5OfBody: m.md5OfBody, Body: m.body, Attributes: attributesOf(m, names) })),
    };
  }

  /** The message a handle names; an outdated handle (the message received again since) is `stale`. */
  function handleOf(queue: SqsQueue, handle: unknown) {
    if (typeof handle !== 'string' || !handle.includes('.')) throw new SqsError('ReceiptHandleIsInvalid', `The input receipt handle "${String(handle)}" is not a valid receipt handle.`);
    return queue.byHandle(handle);
  }

  function deleteOne(queue: SqsQueue, handle: unknown) {
    const found = handleOf(queue, handle);
    // An outdated handle succeeds without deleting (SQS developer guide, on receipt handles).
    if (found?.current) queue.remove(found.message);
  }

  // An outdated handle is treated as not in flight (assumed: the docs say only that the latest handle deletes).
  function changeVisibility(queue: SqsQueue, handle: unknown, seconds: unknown) {
    const timeout = checkRange('VisibilityTimeout', seconds, [0, 43_200]);
    const found = handleOf(queue, handle);
    if (!found || !found.current || queue.stateOf(found.message) !== 'inFlight') {
      throw new SqsError('MessageNotInflight', 'The specified message isn\'t in flight.');
    }
    found.message.availableAt = now() + timeout * 1000;
  }

  function queueAttributes(queue: SqsQueue, requested: unknown) {
    const counts = queue.counts();
    const all: Record<string, string> = {
      ...queue.attributes,
      QueueArn: queue.arn,
      CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
      ApproximateNumberOfMessages: String(counts.visible),
      ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
      ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    };
    const names = Array.isArray(requested) ? (requested as string[]) : [];
    if (names.includes('All')) return { Attributes: all };
    const unknown = names.find((n) => !(n in all) && n !== 'RedrivePolicy');
    if (unknown) throw new SqsError('InvalidAttributeName', `Unknown Attribute ${unknown}.`);
    const chosen = names.filter((n) => n in all).map((n) => [n, all[n]!]);
    return chosen.length > 0 ? { Attributes: Object.fromEntries(chosen) } : {};
  }

  const operations: Record<string, (input: Input, call: SqsCall, closed: () => boolean) => unknown> = {
    CreateQueue: (input) => {
      if (typeof input.QueueName !== 'string') throw new SqsError('MissingParameter', 'The request must contain the parameter QueueName.');
      return { QueueUrl: createQueue(input.QueueName, (input.Attributes as Record<string, string> | undefined) ?? {}).url };
    },
    GetQueueUrl: (input) => ({ QueueUrl: queueNamed(String(input.QueueName ?? '')).url }),
    SendMessage: (input, call) => sendOne(queueOf(input, call), input),
    SendMessageBatch: (input, call) => {
      const queue = queueOf(input, call);
      const entries = batchEntries(input);
      const total = entries.reduce((n, e) => n + (typeof e.MessageBody === 'string' ? Buffer.byteLength(e.MessageBody) : 0), 0);
      if (total > MAX_MESSAGE_BYTES) throw new SqsError('BatchRequestTooLong', `Batch requests cannot be longer than ${MAX_MESSAGE_BYTES} bytes. You have sent ${total} bytes.`);
      const Successful: unknown[] = [];
      const Failed: unknown[] = [];
      for (const entry of entries) {
        const rule = entryFaults.find((r) => r.left > 0 && typeof entry.MessageBody === 'string' && r.match(entry.MessageBody));
        try {
          if (rule) {
            rule.left -= 1;
            throw new SqsError('InternalFailure', 'injected InternalFailure');
          }
          Successful.push({ Id: entry.Id, ...sendOne(queue, entry) });
        } catch (error) {
          Failed.push(failure(entry.Id, error));
        }
      }
      return { Successful, Failed };
    },
    ReceiveMessage: (input, call, closed) => receiveMessage(input, call, closed),
    DeleteMessage: (input, call) => {
      deleteOne(queueOf(input, call), input.ReceiptHandle);
      return {};
    },
    DeleteMessageBatch: (input, call) => {
      const queue = queueOf(input, call);
      const Successful: unknown[] = [];
      const Failed: unknown[] = [];
      for (const entry of batchEntries(input)) {
        try {
          deleteOne(queue, entry.ReceiptHandle);
          Successful.push({ Id: entry.Id });
        } catch (error) {
          Failed.push(failure(entry.Id, error));
        }
      }
      return { Successful, Failed };
    },
    ChangeMessageVisibility: (input, call) => {
      changeVisibility(queueOf(input, call), input.ReceiptHandle, input.VisibilityTimeout);
      return {};
    },
    GetQueueAttributes: (input, call) => queueAttributes(queueOf(input, call), input.AttributeNames),
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    let closed = false;
    res.on('close', () => (closed = true));
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const call: SqsCall = { seq: calls.length + 1, operation: target.replace(TARGET_PREFIX, ''), input: {}, status: 200 };
    calls.push(call);
    const headers = { 'content-type': JSON_10, 'x-amzn-requestid': randomUUID() };
    try {
      const auth = String(req.headers.authorization ?? '');
      if (!/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/sqs\/aws4_request/.test(auth)) {
        throw new SqsError('MissingAuthenticationToken', 'Missing or malformed AWS4-HMAC-SHA256 Authorization header');
      }
      if (req.method !== 'POST' || req.url !== '/' || req.headers['content-type'] !== JSON_10) {
        throw new SqsError('InvalidAction', `expected POST / with ${JSON_10}`);
      }
      const operation = operations[call.operation];
      if (!target.startsWith(TARGET_PREFIX) || !operation) throw new SqsError('InvalidAction', `The action ${call.operation} is not valid for this endpoint.`);
      try {
        call.input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Input;
      } catch {
        throw new SqsError('InvalidParameterValue', 'The request body is not JSON.');
      }
      const faultIndex = callFaults.findIndex((f) => !f.operation || f.operation === call.operation);
      if (faultIndex >= 0) {
        const [fault] = callFaults.splice(faultIndex, 1);
        throw new SqsError(fault!.code, `injected ${fault!.code}`);
      }
      const output = await operation(call.input, call, () => closed);
      if (closed) call.abandoned = true;
      else res.writeHead(200, headers).end(JSON.stringify(output));
    } catch (error) {
      if (!(error instanceof SqsError)) throw error;
      const { status, query } = SQS_ERRORS[error.code];
      call.status = status;
      call.error = error.code;
      const fault = status < 500 ? 'Sender' : 'Receiver';
      res.writeHead(status, { ...headers, 'x-amzn-query-error': `${query};${fault}` });
      res.end(JSON.stringify({ __type: `com.amazonaws.sqs#${error.code}`, message: error.message }));
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCALSQS', secretAccessKey: 'local-sqs-secret' },
    maxAttempts: 1,
  });

  return {
    endpoint,
    client,
    createQueue: (name, attributes) => {
      const queue = createQueue(name, attributes);
      return { url: queue.url, arn: queue.arn };
    },
    messages: (name) => {
      const queue = queueNamed(name);
      const at = now();
      return queue.messages.map((m) => ({ ...m, state: queue.stateOf(m, at) }));
    },
    counts: (name) => queueNamed(name).counts(),
    calls,
    faults: {
      failCalls: (count, { code = 'InternalFailure', operation } = {}) => {
        for (let i = 0; i < count; i++) callFaults.push({ code, operation });
      },
      failSendEntries: (match, times = 1) => {
        entryFaults.push({ match, left: times });
      },
      reset: () => {
        callFaults = [];
        entryFaults = [];
      },
    },
    stop: async () => {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
