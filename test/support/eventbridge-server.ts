/**
 * A local stand-in for Amazon EventBridge that speaks what
 * `@aws-sdk/client-eventbridge` v3 sends: AWS JSON 1.1, POST / with
 * `X-Amz-Target: AWSEvents.PutEvents`. It checks a SigV4 Authorization header
 * is present, enforces PutEvents' limits (1-10 entries, 256 KB counted the way
 * EventBridge counts an entry, Detail a JSON object), records what it accepted,
 * and can fail whole calls or single entries (`FailedEntryCount`).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';

const TARGET = 'AWSEvents.PutEvents';
const JSON_11 = 'application/x-amz-json-1.1';
export const MAX_ENTRY_BYTES = 256 * 1024;

export type CallErrorCode = 'InternalException' | 'ThrottlingException' | 'ConnectionReset';
export type EntryErrorCode = 'InternalFailure' | 'ThrottlingException';

const STATUS: Record<string, number> = {
  InternalException: 500,
  ThrottlingException: 400,
  ValidationException: 400,
  UnknownOperationException: 400,
  SerializationException: 400,
  MissingAuthenticationTokenException: 403,
};

export interface EventEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: number;
}

/** An entry EventBridge accepted, with its Detail parsed. */
export interface AcceptedEvent {
  eventId: string;
  bus: string;
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  /** Entry size as EventBridge counts it. */
  bytes: number;
}

export interface EventBridgeCall {
  seq: number;
  operation: string;
  authorization: string;
  entries: EventEntry[];
  status: number;
  error?: string;
  /** Indexes of entries answered with an ErrorCode. */
  failed: number[];
}

export interface EventBridgeServer {
  endpoint: string;
  /** A real SDK client aimed here (fake keys, us-east-1, SDK retries off). */
  client: EventBridgeClient;
  createBus(name: string): void;
  events: AcceptedEvent[];
  calls: EventBridgeCall[];
  faults: {
    failCalls(count: number, code?: CallErrorCode): void;
    /** Fail every entry whose Detail matches, `times` times each (Infinity for always). */
    failEntries(match: (detail: string) => boolean, options?: { code?: EntryErrorCode; times?: number }): void;
    reset(): void;
  };
  stop(): Promise<void>;
}

class Reject extends Error {
  constructor(readonly type: string, message: string) {
    super(message);
  }
}

/** Entry size per "Calculating Amazon EventBridge PutEvents event entry size". */
export function entrySize(entry: EventEntry): number {
  let size = entry.Time !== undefined ? 14 : 0;
  for (const part of [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])]) {
    if (part !== undefined) size += Buffer.byteLength(part, 'utf8');
  }
  return size;
}

export async function startEventBridgeServer(options: { buses?: string[] } = {}): Promise<EventBridgeServer> {
  const buses = new Set(['default', ...(options.buses ?? [])]);
  const events: AcceptedEvent[] = [];
  const calls: EventBridgeCall[] = [];
  let callFaults: CallErrorCode[] = [];
  let entryRules: { match: (d: string) => boolean; code: EntryErrorCode; left: number }[] = [];

  function entryFault(detail: string): EntryErrorCode | undefined {
    const rule = entryRules.find((r) => r.left > 0 && r.match(detail));
    if (!rule) return undefined;
    rule.left -= 1;
    return rule.code;
  }

  function putEvents(body: { Entries?: unknown }, call: EventBridgeCall) {
    if (!Array.isArray(body.Entries) || body.Entries.length < 1 || body.Entries.length > 10) {
      throw new Reject('ValidationException', '1 validation error detected: Value at \'entries\' failed to satisfy constraint: Member must have length less than or equal to 10');
    }
    call.entries = body.Entries as EventEntry[];
    const total = call.entries.reduce((n, e) => n + entrySize(e), 0);
    if (total > MAX_ENTRY_BYTES) throw new Reject('ValidationException', `Total size of the entries in the request is over the limit (${total} bytes)`);
    const fault = callFaults.shift();
    if (fault === 'ConnectionReset') return 'reset' as const;
    if (fault) throw new Reject(fault, fault === 'ThrottlingException' ? 'Rate exceeded' : 'injected InternalException');
    const results = call.entries.map((entry, i) => {
      const fail = (ErrorCode: string, ErrorMessage: string) => {
        call.failed.push(i);
        return { ErrorCode, ErrorMessage };
      };
      const bus = entry.EventBusName ?? 'default';
      if (!entry.Source || !entry.DetailType || entry.Detail === undefined) return fail('InvalidArgument', 'Parameters Source, DetailType and Detail are required');
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail);
      } catch {
        return fail('MalformedDetail', 'Detail is malformed.');
      }
      if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return fail('MalformedDetail', 'Detail is malformed.');
      if (!buses.has(bus)) return fail('ResourceNotFoundException', `Event bus ${bus} does not exist.`);
      const code = entryFault(entry.Detail);
      if (code) return fail(code, `injected ${code}`);
      const eventId = randomUUID();
      events.push({ eventId, bus, source: entry.Source, detailType: entry.DetailType, detail: detail as Record<string, unknown>, bytes: entrySize(entry) });
      return { EventId: eventId };
    });
    return { FailedEntryCount: call.failed.length, Entries: results };
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const call: EventBridgeCall = {
      seq: calls.length + 1,
      operation: target.replace('AWSEvents.', ''),
      authorization: String(req.headers.authorization ?? ''),
      entries: [],
      status: 200,
      failed: [],
    };
    calls.push(call);
    const answer = (status: number, payload: unknown, errorType?: string) => {
      call.status = status;
      const headers: Record<string, string> = { 'content-type': JSON_11, 'x-amzn-requestid': randomUUID() };
      if (errorType) headers['x-amzn-errortype'] = errorType;
      res.writeHead(status, headers).end(JSON.stringify(payload));
    };
    try {
      if (!/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/events\/aws4_request/.test(call.authorization)) {
        throw new Reject('MissingAuthenticationTokenException', 'Missing Authentication Token');
      }
      if (req.method !== 'POST' || req.url !== '/' || req.headers['content-type'] !== JSON_11) {
        throw new Reject('SerializationException', `expected POST / with ${JSON_11}`);
      }
      if (target !== TARGET) throw new Reject('UnknownOperationException', `unsupported: ${target}`);
      let body: { Entries?: unknown };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries?: unknown };
      } catch {
        throw new Reject('SerializationException', 'body is not JSON');
      }
      const result = putEvents(body, call);
      if (result === 'reset') {
        call.error = 'ConnectionReset';
        return void req.socket.destroy();
      }
      answer(200, result);
    } catch (error) {
      if (!(error instanceof Reject)) throw error;
      call.error = error.type;
      answer(STATUS[error.type] ?? 400, { __type: error.type, message: error.message }, error.type);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new EventBridgeClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCALEVENTS', secretAccessKey: 'local-events-secret-do-not-leak' },
    maxAttempts: 1,
  });
  return {
    endpoint,
    client,
    createBus: (name) => void buses.add(name),
    events,
    calls,
    faults: {
      failCalls: (count, code = 'InternalException') => void callFaults.push(...Array<CallErrorCode>(count).fill(code)),
      failEntries: (match, { code = 'InternalFailure', times = 1 } = {}) => void entryRules.push({ match, code, left: times }),
      reset: () => {
        callFaults = [];
        entryRules = [];
      },
    },
    stop: async () => {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
