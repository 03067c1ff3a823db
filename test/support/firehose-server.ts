/**
 * A local stand-in for Amazon Data Firehose that speaks the wire API the AWS
 * SDK v3 client sends (AWS JSON 1.1 over POST /), enforces PutRecordBatch's
 * limits and can inject the faults the real service produces.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import type { EcsDocument } from '../../shared/ecs/document';
import { decodeLines, MAX_CALL_BYTES, MAX_RECORD_BYTES, MAX_RECORDS_PER_CALL } from '../../shared/sinks/encode';
import { mulberry32 as seeded } from '../../simulators/common/random';

export const DEFAULT_STREAM = 'cloudtap-events';
const TARGET_PREFIX = 'Firehose_20150804.';
const JSON_11 = 'application/x-amz-json-1.1';

/** Per-record error codes PutRecordBatch reports in `RequestResponses`. */
export type RecordErrorCode = 'ServiceUnavailableException' | 'InternalFailure';
/** Whole-call failures; `ConnectionReset` drops the socket without an answer. */
export type CallErrorCode =
  | 'ServiceUnavailableException'
  | 'ThrottlingException'
  | 'InternalFailure'
  | 'InvalidArgumentException'
  | 'ResourceNotFoundException'
  | 'ConnectionReset';

// HTTP status per error, as in the Firehose API reference (and the AWS common errors for the rest).
const STATUS: Record<Exclude<CallErrorCode, 'ConnectionReset'> | 'UnknownOperationException' | 'MissingAuthenticationTokenException' | 'SerializationException', number> = {
  ServiceUnavailableException: 503,
  ThrottlingException: 400,
  InternalFailure: 500,
  InvalidArgumentException: 400,
  ResourceNotFoundException: 400,
  UnknownOperationException: 400,
  SerializationException: 400,
  MissingAuthenticationTokenException: 403,
};
type ErrorType = keyof typeof STATUS;

/** One request as the server saw it. */
export interface ReceivedCall {
  /** 1-based arrival number. */
  seq: number;
  operation: string;
  stream?: string;
  /** Record data as sent, base64-decoded. */
  records: Buffer[];
  status: number;
  /** `__type` of a whole-call error, or `ConnectionReset`. */
  error?: string;
  /** Indexes of records answered with an ErrorCode. */
  failed: number[];
}

export interface FirehoseFaults {
  /** Fail the next `count` calls as a whole (default ServiceUnavailableException, 503). */
  failCalls(count: number, code?: CallErrorCode): void;
  /**
   * Throttle the next `count` calls. Firehose signals throughput exceeded as
   * ServiceUnavailableException (503, "Slow down."); ThrottlingException (400) is the AWS-wide variant.
   */
  throttle(count?: number, code?: 'ServiceUnavailableException' | 'ThrottlingException'): void;
  /** Fail the records at these indexes of the next call that reaches record processing. */
  failNextCall(indexes: number[], code?: RecordErrorCode): void;
  /** Fail every record whose data matches, `times` times each (default once; Infinity for always). */
  failRecords(match: (data: Buffer) => boolean, options?: { code?: RecordErrorCode; times?: number }): void;
  /** Fail each record with probability `rate`, from a seeded generator (reproducible). */
  randomFailures(rate: number, seed?: number, code?: RecordErrorCode): void;
  /** Delay every answer by `ms`. */
  latency(ms: number): void;
  /** Remove all faults. */
  reset(): void;
}

export interface FirehoseServer {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** A real SDK client aimed at this server (fake static credentials, us-east-1, SDK retries off). */
  client: FirehoseClient;
  /** Acknowledged records per delivery stream, in arrival order. */
  streams: Map<string, Buffer[]>;
  createStream(name: string): void;
  faults: FirehoseFaults;
  calls: ReceivedCall[];
  acknowledgedRecords(stream?: string): Buffer[];
  /** Acknowledged records split back into documents (NDJSON lines), in order. */
  acknowledgedDocuments(stream?: string): EcsDocument[];
  stop(): Promise<void>;
}

/** Records of a data blob: the `event.id` of each NDJSON line in it. */
export const eventIdsIn = (data: Buffer): string[] => decodeLines(data).map((d) => d.event.id);

class Reject extends Error {
  constructor(readonly type: ErrorType, message: string) {
    super(message);
  }
}

export async function startFirehoseServer(options: { streams?: string[] } = {}): Promise<FirehoseServer> {
  const streams = new Map<string, Buffer[]>((options.streams ?? [DEFAULT_STREAM]).map((s) => [s, []]));
  const calls: ReceivedCall[] = [];
  let callFaults: CallErrorCode[] = [];
  let nextCallRecords: { indexes: Set<number>; code: RecordErrorCode }[] = [];
  let recordRules: { match: (data: Buffer) => boolean; code: RecordErrorCode; left: number }[] = [];
  let random: { rate: number; next: () => number; code: RecordErrorCode } | undefined;
  let delayMs = 0;

  const faults: FirehoseFaults = {
    failCalls: (count, code = 'ServiceUnavailableException') => {
      callFaults.push(...Array<CallErrorCode>(count).fill(code));
    },
    throttle: (count = 1, code = 'ServiceUnavailableException') => faults.failCalls(count, code),
    failNextCall: (indexes, code = 'ServiceUnavailableException') => {
      nextCallRecords.push({ indexes: new Set(indexes), code });
    },
    failRecords: (match, { code = 'ServiceUnavailableException', times = 1 } = {}) => {
      recordRules.push({ match, code, left: times });
    },
    randomFailures: (rate, seed = 1, code = 'ServiceUnavailableException') => {
      random = { rate, next: seeded(seed), code };
    },
    latency: (ms) => {
      delayMs = ms;
    },
    reset: () => {
      callFaults = [];
      nextCallRecords = [];
      recordRules = [];
      random = undefined;
      delayMs = 0;
    },
  };

  function recordFault(data: Buffer, index: number, perCall: { indexes: Set<number>; code: RecordErrorCode } | undefined) {
    const rule = recordRules.find((r) => r.left > 0 && r.match(data));
    if (rule) {
      rule.left -= 1;
      return rule.code;
    }
    if (perCall?.indexes.has(index)) return perCall.code;
    if (random && random.next() < random.rate) return random.code;
    return undefined;
  }

  function putRecordBatch(body: unknown, call: ReceivedCall) {
    const input = body as { DeliveryStreamName?: unknown; Records?: unknown };
    if (typeof input?.DeliveryStreamName !== 'string' || !Array.isArray(input.Records)) {
      throw new Reject('SerializationException', 'DeliveryStreamName and Records are required');
    }
    call.stream = input.DeliveryStreamName;
    call.records = input.Records.map((r: { Data?: unknown }) => Buffer.from(typeof r?.Data === 'string' ? r.Data : '', 'base64'));
    const acknowledged = streams.get(call.stream);
    if (!acknowledged) {
      throw new Reject('ResourceNotFoundException', `Firehose ${call.stream} under account 123456789012 not found.`);
    }
    const { records } = call;
    if (records.length === 0 || records.length > MAX_RECORDS_PER_CALL) {
      throw new Reject('InvalidArgumentException', `Records must hold 1 to ${MAX_RECORDS_PER_CALL} records, got ${records.length}`);
    }
    const tooBig = records.findIndex((r) => r.length > MAX_RECORD_BYTES);
    if (tooBig >= 0) {
      throw new Reject('InvalidArgumentException', `Record ${tooBig} is ${records[tooBig]!.length} bytes, over the 1000 KiB limit`);
    }
    const total = records.reduce((n, r) => n + r.length, 0);
    if (total > MAX_CALL_BYTES) throw new Reject('InvalidArgumentException', `Records size ${total} exceeds the 4 MiB limit`);

    const fault = callFaults.shift();
    if (fault === 'ConnectionReset') return 'reset' as const;
    if (fault) throw new Reject(fault, fault === 'ServiceUnavailableException' ? 'Slow down.' : `injected ${fault}`);

    const perCall = nextCallRecords.shift();
    const responses = records.map((data, i) => {
      const code = recordFault(data, i, perCall);
      if (code) {
        call.failed.push(i);
        return { ErrorCode: code, ErrorMessage: `injected ${code}` };
      }
      acknowledged.push(data);
      return { RecordId: randomBytes(42).toString('base64') };
    });
    return { FailedPutCount: call.failed.length, Encrypted: false, RequestResponses: responses };
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const call: ReceivedCall = { seq: calls.length + 1, operation: target.replace(TARGET_PREFIX, ''), records: [], status: 200, failed: [] };
    calls.push(call);
    const requestId = randomBytes(16).toString('hex');
    const answer = async (status: number, payload: unknown, errorType?: string) => {
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      call.status = status;
      const headers: Record<string, string> = { 'content-type': JSON_11, 'x-amzn-requestid': requestId };
      if (errorType) headers['x-amzn-errortype'] = `${errorType}:http://internal.amazon.com/coral/com.amazonaws.firehose/`;
      res.writeHead(status, headers).end(JSON.stringify(payload));
    };
    try {
      const auth = String(req.headers.authorization ?? '');
      if (!/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/firehose\/aws4_request/.test(auth)) {
        throw new Reject('MissingAuthenticationTokenException', 'Missing or malformed AWS4-HMAC-SHA256 Authorization header');
      }
      if (req.method !== 'POST' || req.url !== '/' || req.headers['content-type'] !== JSON_11) {
        throw new Reject('SerializationException', `expected POST / with ${JSON_11}`);
      }
      if (target !== `${TARGET_PREFIX}PutRecordBatch`) throw new Reject('UnknownOperationException', `unsupported: ${target}`);
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        throw new Reject('SerializationException', 'body is not JSON');
      }
      const result = putRecordBatch(body, call);
      if (result === 'reset') {
        call.error = 'ConnectionReset';
        req.socket.destroy();
        return;
      }
      await answer(200, result);
    } catch (error) {
      if (!(error instanceof Reject)) throw error;
      call.error = error.type;
      await answer(STATUS[error.type], { __type: error.type, message: error.message }, error.type);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new FirehoseClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCALFIREHOSE', secretAccessKey: 'local-firehose-secret' },
    // The sink under test owns retries; SDK retries would hide what the server saw.
    maxAttempts: 1,
  });

  const acknowledgedRecords = (stream = DEFAULT_STREAM) => streams.get(stream) ?? [];
  return {
    endpoint,
    client,
    streams,
    createStream: (name) => {
      if (!streams.has(name)) streams.set(name, []);
    },
    faults,
    calls,
    acknowledgedRecords,
    acknowledgedDocuments: (stream) => acknowledgedRecords(stream).flatMap((r) => decodeLines(r)),
    stop: async () => {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
