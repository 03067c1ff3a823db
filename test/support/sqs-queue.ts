/**
 * What one standard Amazon SQS queue does, apart from the wire: delays,
 * visibility timeouts, receipt handles, receive counts and redrive to a
 * dead-letter queue. `test/support/sqs-server.ts` puts it on the wire.
 *
 * Limits are the SQS API reference's: DelaySeconds 0–900, VisibilityTimeout
 * 0–43,200, ReceiveMessageWaitTimeSeconds 0–20, MaximumMessageSize up to
 * 1 MiB, maxReceiveCount 1–1,000. Not modelled: retention (messages never
 * expire), FIFO queues, message attributes, the 120,000 in-flight quota.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';

export const ACCOUNT_ID = '123456789012';
export const REGION = 'us-east-1';
export const MAX_MESSAGE_BYTES = 1_048_576;

/**
 * An error SQS answers, by the SDK's shape name. `query` is the AWS Query code
 * SQS sends in `x-amzn-query-error` (from the SDK's model); the common errors
 * (InvalidParameterValue, MissingParameter, ...) have no shape, so they carry
 * their common-error name as both (assumed: the docs show only a modelled one).
 */
export const SQS_ERRORS = {
  QueueDoesNotExist: { query: 'AWS.SimpleQueueService.NonExistentQueue', status: 400 },
  QueueNameExists: { query: 'QueueAlreadyExists', status: 400 },
  InvalidAttributeName: { query: 'InvalidAttributeName', status: 400 },
  InvalidAttributeValue: { query: 'InvalidAttributeValue', status: 400 },
  ReceiptHandleIsInvalid: { query: 'ReceiptHandleIsInvalid', status: 404 },
  MessageNotInflight: { query: 'AWS.SimpleQueueService.MessageNotInflight', status: 400 },
  EmptyBatchRequest: { query: 'AWS.SimpleQueueService.EmptyBatchRequest', status: 400 },
  TooManyEntriesInBatchRequest: { query: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', status: 400 },
  BatchEntryIdsNotDistinct: { query: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', status: 400 },
  InvalidBatchEntryId: { query: 'AWS.SimpleQueueService.InvalidBatchEntryId', status: 400 },
  BatchRequestTooLong: { query: 'AWS.SimpleQueueService.BatchRequestTooLong', status: 400 },
  InvalidMessageContents: { query: 'InvalidMessageContents', status: 400 },
  RequestThrottled: { query: 'RequestThrottled', status: 403 },
  // Common errors (SQS API reference, Common Errors).
  InvalidParameterValue: { query: 'InvalidParameterValue', status: 400 },
  MissingParameter: { query: 'MissingParameter', status: 400 },
  InvalidAction: { query: 'InvalidAction', status: 400 },
  MissingAuthenticationToken: { query: 'MissingAuthenticationToken', status: 403 },
  InternalFailure: { query: 'InternalFailure', status: 500 },
} as const;
export type SqsErrorCode = keyof typeof SQS_ERRORS;

export class SqsError extends Error {
  constructor(
    readonly code: SqsErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface StoredMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  sentAt: number;
  /** When it is next visible: after its delay, or when its visibility timeout ends. */
  availableAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** The most recent receipt handle; older ones no longer delete it. */
  receiptHandle?: string;
  /** Arrival order, for a stable receive order. */
  seq: number;
}

export type MessageState = 'delayed' | 'visible' | 'inFlight';

const DEFAULT_ATTRIBUTES: Record<string, string> = {
  DelaySeconds: '0',
  VisibilityTimeout: '30',
  ReceiveMessageWaitTimeSeconds: '0',
  MaximumMessageSize: String(MAX_MESSAGE_BYTES),
  MessageRetentionPeriod: '345600',
};
const SETTABLE = new Set([...Object.keys(DEFAULT_ATTRIBUTES), 'RedrivePolicy', 'KmsMasterKeyId', 'SqsManagedSseEnabled', 'Policy']);
const RANGES: Record<string, [number, number]> = {
  DelaySeconds: [0, 900],
  VisibilityTimeout: [0, 43_200],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  MaximumMessageSize: [1_024, MAX_MESSAGE_BYTES],
  MessageRetentionPeriod: [60, 1_209_600],
};

export const md5Hex = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/** An integer in [min, max], else the SQS error naming the parameter. */
export function checkRange(name: string, value: unknown, [min, max]: [number, number], code: SqsErrorCode = 'InvalidParameterValue'): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new SqsError(code, `Value ${String(value)} for parameter ${name} is invalid. Reason: must be an integer between ${min} and ${max}.`);
  }
  return value;
}

// The characters SendMessage accepts: #x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD | #x10000–#x10FFFF.
const INVALID_CHARACTER = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** SendMessage's checks on a body; the error names the rule it broke. */
export function checkBody(body: unknown, maximumBytes: number): string {
  if (body === undefined) throw new SqsError('MissingParameter', 'The request must contain the parameter MessageBody.');
  if (typeof body !== 'string' || body.length === 0) throw new SqsError('InvalidParameterValue', 'Value for parameter MessageBody is invalid. Reason: Empty message.');
  if (INVALID_CHARACTER.test(body)) throw new SqsError('InvalidMessageContents', 'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF');
  const bytes = Buffer.byteLength(body);
  if (bytes > maximumBytes) throw new SqsError('InvalidParameterValue', `One or more parameters are invalid. Reason: Message must be shorter than ${maximumBytes} bytes.`);
  return body;
}

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

export class SqsQueue {
  readonly messages: StoredMessage[] = [];
  readonly attributes: Record<string, string>;
  readonly createdAt: number;
  private seq = 0;
  private listeners = new Set<() => void>();

  constructor(
    readonly name: string,
    readonly url: string,
    attributes: Record<string, string>,
    private readonly now: () => number,
  ) {
    this.attributes = { ...DEFAULT_ATTRIBUTES, ...SqsQueue.checkAttributes(attributes) };
    this.createdAt = now();
  }

  get arn(): string {
    return `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${this.name}`;
  }

  /** CreateQueue's attribute checks (names, ranges, the redrive policy's shape). */
  static checkAttributes(attributes: Record<string, string>): Record<string, string> {
    for (const [name, value] of Object.entries(attributes)) {
      if (!SETTABLE.has(name)) throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
      const range = RANGES[name];
      if (range) checkRange(name, /^\d+$/.test(value) ? Number(value) : value, range, 'InvalidAttributeValue');
      if (name === 'RedrivePolicy') parseRedrivePolicy(value);
    }
    return attributes;
  }

  get redrivePolicy(): RedrivePolicy | undefined {
    const raw = this.attributes.RedrivePolicy;
    return raw ? parseRedrivePolicy(raw) : undefined;
  }

  stateOf(message: StoredMessage, now = this.now()): MessageState {
    if (message.availableAt <= now) return 'visible';
    return message.receiveCount === 0 ? 'delayed' : 'inFlight';
  }

  /** Enqueue; `delaySeconds` undefined takes the queue's DelaySeconds. */
  send(body: string, delaySeconds?: number, carried?: Pick<StoredMessage, 'messageId' | 'sentAt'>): StoredMessage {
    const now = this.now();
    const delay = delaySeconds ?? Number(this.attributes.DelaySeconds);
    const message: StoredMessage = {
      messageId: carried?.messageId ?? randomUUID(),
      body,
      md5OfBody: md5Hex(body),
      sentAt: carried?.sentAt ?? now,
      availableAt: now + delay * 1000,
      receiveCount: 0,
      seq: this.seq++,
    };
    this.messages.push(message);
    for (const listener of this.listeners) listener();
    return message;
  }

  /**
   * Up to `max` visible messages, each made invisible for `visibilitySeconds`
   * with a fresh receipt handle. A message already received maxReceiveCount
   * times moves to `deadLetter` instead, as SQS does when its receive count
   * would exceed the policy's.
   */
  receive(max: number, visibilitySeconds: number | undefined, deadLetter: (arn: string) => SqsQueue | undefined): StoredMessage[] {
    const now = this.now();
    const policy = this.redrivePolicy;
    const visible = this.messages.filter((m) => m.availableAt <= now).sort((a, b) => a.availableAt - b.availableAt || a.seq - b.seq);
    const received: StoredMessage[] = [];
    for (const message of visible) {
      if (received.length >= max) break;
      if (policy && message.receiveCount >= policy.maxReceiveCount) {
        const target = deadLetter(policy.deadLetterTargetArn);
        if (target) {
          this.remove(message);
          // The receive count starts again in the dead-letter queue (assumed; the docs keep only the enqueue time).
          target.send(message.body, 0, message);
          continue;
        }
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.receiptHandle = randomBytes(24).toString('base64url') + '.' + message.messageId;
      message.availableAt = now + (visibilitySeconds ?? Number(this.attributes.VisibilityTimeout)) * 1000;
      received.push(message);
    }
    return received;
  }

  /** The message this handle was issued for, if it is still here; `current` is false for an outdated handle. */
  byHandle(handle: string): { message: StoredMessage; current: boolean } | undefined {
    const messageId = handle.slice(handle.indexOf('.') + 1);
    const message = this.messages.find((m) => m.messageId === messageId);
    return message && { message, current: message.receiptHandle === handle };
  }

  remove(message: StoredMessage): void {
    const index = this.messages.indexOf(message);
    if (index >= 0) this.messages.splice(index, 1);
  }

  counts(now = this.now()): Record<MessageState, number> {
    const counts = { delayed: 0, visible: 0, inFlight: 0 };
    for (const message of this.messages) counts[this.stateOf(message, now)] += 1;
    return counts;
  }

  /** Call `listener` on every send until the returned function is called. */
  onSend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function parseRedrivePolicy(raw: string): RedrivePolicy {
  let policy: { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
  try {
    policy = JSON.parse(raw) as typeof policy;
  } catch {
    throw new SqsError('InvalidAttributeValue', 'Value for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map.');
  }
  if (typeof policy.deadLetterTargetArn !== 'string') {
    throw new SqsError('InvalidAttributeValue', 'Value for parameter RedrivePolicy is invalid. Reason: Redrive policy does not contain deadLetterTargetArn.');
  }
  const count = typeof policy.maxReceiveCount === 'string' ? Number(policy.maxReceiveCount) : policy.maxReceiveCount;
  checkRange('RedrivePolicy.maxReceiveCount', count, [1, 1000], 'InvalidAttributeValue');
  return { deadLetterTargetArn: policy.deadLetterTargetArn, maxReceiveCount: count as number };
}
