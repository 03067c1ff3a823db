/**
 * A local stand-in for Amazon SNS that speaks what `@aws-sdk/client-sns` v3
 * sends (its runtime config uses the AWS Query protocol): POST / with a
 * form-encoded `Action=Publish&Version=2010-03-31&...` body, answered in XML.
 * It checks a SigV4 Authorization header is present, enforces Publish's
 * limits, records what it received and can fail calls the way SNS does.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SNSClient } from '@aws-sdk/client-sns';

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';
export const DEFAULT_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:cloudtap-alerts';
const MAX_MESSAGE_BYTES = 262_144;

/** Whole-call failures; `ConnectionReset` drops the socket without an answer. */
export type SnsErrorCode = 'InternalError' | 'Throttled' | 'AuthorizationError' | 'ConnectionReset';

const ERRORS: Record<string, { status: number; type: 'Sender' | 'Receiver' }> = {
  InternalError: { status: 500, type: 'Receiver' },
  Throttled: { status: 429, type: 'Sender' },
  AuthorizationError: { status: 403, type: 'Sender' },
  NotFound: { status: 404, type: 'Sender' },
  InvalidParameter: { status: 400, type: 'Sender' },
  InvalidAction: { status: 400, type: 'Sender' },
  MissingAuthenticationToken: { status: 403, type: 'Sender' },
};

export interface SnsMessageAttribute {
  DataType: string;
  StringValue?: string;
}

/** One accepted Publish. */
export interface PublishedMessage {
  messageId: string;
  topicArn: string;
  subject?: string;
  message: string;
  attributes: Record<string, SnsMessageAttribute>;
  groupId?: string;
  deduplicationId?: string;
}

/** One request as the server saw it. */
export interface SnsCall {
  seq: number;
  action: string;
  /** The form parameters as sent. */
  params: Record<string, string>;
  authorization: string;
  status: number;
  error?: string;
}

export interface SnsServer {
  endpoint: string;
  /** A real SDK client aimed here (fake keys, us-east-1, SDK retries off so callers' retries are visible). */
  client: SNSClient;
  createTopic(arn: string): void;
  published: PublishedMessage[];
  calls: SnsCall[];
  faults: {
    /** Fail the next `count` calls with `code` (default InternalError, HTTP 500). */
    failCalls(count: number, code?: SnsErrorCode): void;
    /** Fail every Publish whose message matches, `times` times (Infinity for always). */
    failMessages(match: (message: string) => boolean, options?: { code?: SnsErrorCode; times?: number }): void;
    reset(): void;
  };
  stop(): Promise<void>;
}

class Reject extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

const xmlEscape = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** `MessageAttributes.entry.N.Name` / `.Value.DataType` / `.Value.StringValue`, as the Query serializer flattens the map. */
function parseAttributes(params: Record<string, string>): Record<string, SnsMessageAttribute> {
  const out: Record<string, SnsMessageAttribute> = {};
  for (let n = 1; params[`MessageAttributes.entry.${n}.Name`] !== undefined; n++) {
    const prefix = `MessageAttributes.entry.${n}.Value.`;
    const dataType = params[`${prefix}DataType`];
    if (!dataType) throw new Reject('InvalidParameter', `The message attribute '${params[`MessageAttributes.entry.${n}.Name`]}' must contain non-empty message attribute type.`);
    const value = params[`${prefix}StringValue`];
    if (value === undefined || value === '') throw new Reject('InvalidParameter', `The message attribute '${params[`MessageAttributes.entry.${n}.Name`]}' must contain non-empty message attribute value.`);
    out[params[`MessageAttributes.entry.${n}.Name`]!] = { DataType: dataType, StringValue: value };
  }
  return out;
}

export async function startSnsServer(options: { topics?: string[] } = {}): Promise<SnsServer> {
  const topics = new Set(options.topics ?? [DEFAULT_TOPIC_ARN]);
  const published: PublishedMessage[] = [];
  const calls: SnsCall[] = [];
  let callFaults: SnsErrorCode[] = [];
  let messageRules: { match: (m: string) => boolean; code: SnsErrorCode; left: number }[] = [];

  function messageFault(message: string): SnsErrorCode | undefined {
    const rule = messageRules.find((r) => r.left > 0 && r.match(message));
    if (!rule) return undefined;
    rule.left -= 1;
    return rule.code;
  }

  function publish(params: Record<string, string>): string {
    const topicArn = params.TopicArn ?? '';
    const message = params.Message;
    if (message === undefined) throw new Reject('InvalidParameter', 'Invalid parameter: Message');
    if (!topics.has(topicArn)) throw new Reject('NotFound', 'Topic does not exist');
    const subject = params.Subject;
    if (subject !== undefined && (subject.length >= 100 || subject.trim() === '' || /[\u0000-\u001f\u007f]/.test(subject))) {
      throw new Reject('InvalidParameter', 'Invalid parameter: Subject');
    }
    const attributes = parseAttributes(params);
    const attributeBytes = Object.entries(attributes).reduce(
      (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v.DataType) + Buffer.byteLength(v.StringValue ?? ''),
      0,
    );
    if (Buffer.byteLength(message) + attributeBytes > MAX_MESSAGE_BYTES) {
      throw new Reject('InvalidParameter', 'Invalid parameter: Message too long');
    }
    const fifo = topicArn.endsWith('.fifo');
    if (fifo && !params.MessageGroupId) throw new Reject('InvalidParameter', 'Invalid parameter: The MessageGroupId parameter is required for FIFO topics');
    const fault = callFaults.shift() ?? messageFault(message);
    if (fault) throw new Reject(fault, fault === 'Throttled' ? 'Rate exceeded' : `injected ${fault}`);
    const messageId = randomUUID();
    published.push({
      messageId,
      topicArn,
      subject,
      message,
      attributes,
      ...(params.MessageGroupId ? { groupId: params.MessageGroupId } : {}),
      ...(params.MessageDeduplicationId ? { deduplicationId: params.MessageDeduplicationId } : {}),
    });
    return messageId;
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const call: SnsCall = { seq: calls.length + 1, action: params.Action ?? '', params, authorization: String(req.headers.authorization ?? ''), status: 200 };
    calls.push(call);
    const requestId = randomUUID();
    try {
      if (!/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/sns\/aws4_request/.test(call.authorization)) {
        throw new Reject('MissingAuthenticationToken', 'Request is missing Authentication Token');
      }
      if (req.method !== 'POST' || !String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
        throw new Reject('InvalidAction', 'expected a form-encoded POST');
      }
      if (params.Action !== 'Publish' || params.Version !== '2010-03-31') throw new Reject('InvalidAction', `unsupported: ${params.Action}`);
      const messageId = publish(params);
      res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }).end(
        `<PublishResponse xmlns="${XMLNS}"><PublishResult><MessageId>${messageId}</MessageId></PublishResult>` +
          `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`,
      );
    } catch (error) {
      if (!(error instanceof Reject)) throw error;
      call.error = error.code;
      if (error.code === 'ConnectionReset') return void req.socket.destroy();
      const { status, type } = ERRORS[error.code]!;
      call.status = status;
      res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }).end(
        `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${type}</Type><Code>${error.code}</Code>` +
          `<Message>${xmlEscape(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new SNSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCALSNS', secretAccessKey: 'local-sns-secret-do-not-leak' },
    maxAttempts: 1,
  });
  return {
    endpoint,
    client,
    createTopic: (arn) => void topics.add(arn),
    published,
    calls,
    faults: {
      failCalls: (count, code = 'InternalError') => void callFaults.push(...Array<SnsErrorCode>(count).fill(code)),
      failMessages: (match, { code = 'InternalError', times = 1 } = {}) => void messageRules.push({ match, code, left: times }),
      reset: () => {
        callFaults = [];
        messageRules = [];
      },
    },
    stop: async () => {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
