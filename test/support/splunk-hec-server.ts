/**
 * A local Splunk HTTP Event Collector: `/services/collector/event` and `/services/collector/ack`
 * as Splunk answers them (status, `{"text","code"}` bodies, ackIds per channel), checking every
 * event's envelope, and able to fail requests and drop or delay acknowledgements.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeHecEvents, type HecEvent } from '../../shared/sinks/encoders/splunk-hec';

export const FAKE_HEC_TOKEN = '00000000-fake-4hec-8tok-000000000000';

/** The sourcetype each source type must carry (the shipped Splunk app configures these). */
const SOURCETYPES: Record<string, string> = {
  'tencent-cloudaudit': 'tencentcloud:cloudaudit',
  'tencent-ssl': 'tencentcloud:ssl',
  'ucloud-operations': 'ucloud:operations',
  'huawei-dbss': 'huaweicloud:dbss',
};
const ENVELOPE = new Set(['time', 'host', 'source', 'sourcetype', 'index', 'event']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type HecFault = 503 | 429 | 500 | 'reset';

export interface HecServerOptions {
  token?: string;
  /** The token has indexer acknowledgement on (useACK): a channel is required and every accepted request gets an ackId. */
  useAck?: boolean;
  /** The one index the token may write to (its default); an event naming another is refused with code 7. */
  index?: string;
  /** `limits.conf [http_input] max_content_length`. */
  maxContentLength?: number;
}

export interface ReceivedHecRequest {
  seq: number;
  path: string;
  status: number;
  channel?: string;
  /** `event.id` of every event in the body. */
  ids: string[];
  bytes: number;
  ackId?: number;
  /** Splunk's `code` for a refused request, or `reset` (then `status` is 0: no answer). */
  code?: number | 'reset';
}

export interface HecAckPoll {
  channel?: string;
  asked: number[];
  answered: Record<string, boolean>;
}

export interface HecServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  token: string;
  requests: ReceivedHecRequest[];
  ackPolls: HecAckPoll[];
  /** Events Splunk indexed, in order. */
  indexed: HecEvent[];
  indexedIds(): string[];
  /** Envelope problems seen (a correct client causes none). */
  violations: string[];
  faults: {
    /** Answer the next `count` event posts with this status (503 "Server is busy", 429, 500) or drop the socket. */
    failRequests(count: number, fault?: HecFault): void;
    /** Answer the next `count` ack polls with this status. */
    failAckPolls(count: number, fault?: HecFault): void;
    /** The next `count` accepted requests are never acknowledged; `indexed: false` means their events were lost. */
    dropAcks(count: number, options?: { indexed?: boolean }): void;
    /** Each ackId turns true only on the `polls`-th poll asking for it. */
    delayAcks(polls: number): void;
    reset(): void;
  };
  stop(): Promise<void>;
}

interface AckState {
  polls: number;
  dropped: boolean;
}

export async function startSplunkHecServer(options: HecServerOptions = {}): Promise<HecServer> {
  const token = options.token ?? FAKE_HEC_TOKEN;
  const maxContentLength = options.maxContentLength ?? 1_000_000;
  const requests: ReceivedHecRequest[] = [];
  const ackPolls: HecAckPoll[] = [];
  const indexed: HecEvent[] = [];
  const violations: string[] = [];
  /** Per channel: the next ackId (they only grow) and the acks not yet reported true. */
  const channels = new Map<string, { next: number; acks: Map<number, AckState> }>();
  let postFaults: HecFault[] = [];
  let pollFaults: HecFault[] = [];
  let drops: { indexed: boolean }[] = [];
  let ackDelay = 1;

  const faults: HecServer['faults'] = {
    failRequests: (count, fault = 503) => void postFaults.push(...Array<HecFault>(count).fill(fault)),
    failAckPolls: (count, fault = 503) => void pollFaults.push(...Array<HecFault>(count).fill(fault)),
    dropAcks: (count, { indexed: kept = false } = {}) => void drops.push(...Array.from({ length: count }, () => ({ indexed: kept }))),
    delayAcks: (polls) => void (ackDelay = Math.max(1, polls)),
    reset: () => {
      postFaults = [];
      pollFaults = [];
      drops = [];
      ackDelay = 1;
    },
  };

  const send = (res: ServerResponse, status: number, body: unknown) =>
    void res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' }).end(JSON.stringify(body));
  const FAULT_BODY: Record<number, unknown> = {
    503: { text: 'Server is busy', code: 9 },
    500: { text: 'Internal server error', code: 8 },
    429: { text: 'Too many requests' },
  };

  /** The envelope problems of one event, as the encoder contract defines it. */
  function checkEvent(e: HecEvent, i: number): string[] {
    const problems: string[] = [];
    const raw = e as unknown as Record<string, unknown>;
    for (const key of Object.keys(raw)) if (!ENVELOPE.has(key)) problems.push(`event ${i}: unexpected key ${key}`);
    const doc = e.event;
    if (typeof doc !== 'object' || doc === null || typeof doc.event?.id !== 'string') return [...problems, `event ${i}: no ECS document with event.id`];
    const expectedTime = Date.parse(doc['@timestamp']) / 1000;
    if (e.time !== expectedTime) problems.push(`event ${i}: time ${e.time} is not @timestamp ${doc['@timestamp']}`);
    if (e.host !== (doc.cloud?.provider ?? doc.cloudtap.source_id)) problems.push(`event ${i}: host ${e.host}`);
    if (e.source !== `cloudtap:${doc.cloudtap.source_id}`) problems.push(`event ${i}: source ${e.source}`);
    const sourcetype = SOURCETYPES[doc.cloudtap.source_type] ?? `cloudtap:${doc.cloudtap.source_type}`;
    if (e.sourcetype !== sourcetype) problems.push(`event ${i}: sourcetype ${e.sourcetype}, expected ${sourcetype}`);
    return problems;
  }

  /** Authorization and channel checks shared by both endpoints; answers and returns false on failure. */
  function admit(req: IncomingMessage, res: ServerResponse, url: URL, record: { status: number; code?: number | 'reset'; channel?: string }): boolean {
    const refuse = (status: number, text: string, code: number) => {
      record.status = status;
      record.code = code;
      send(res, status, { text, code });
      return false;
    };
    const auth = req.headers.authorization;
    if (!auth) return refuse(401, 'Token is required', 2);
    const match = /^Splunk (\S+)$/.exec(auth);
    if (!match) return refuse(401, 'Invalid authorization', 3);
    if (match[1] !== token) return refuse(403, 'Invalid token', 4);
    const channel = (req.headers['x-splunk-request-channel'] as string | undefined) ?? url.searchParams.get('channel') ?? undefined;
    record.channel = channel;
    if (options.useAck && !channel) return refuse(400, 'Data channel is missing', 10);
    if (channel !== undefined && !UUID.test(channel)) return refuse(400, 'Invalid data channel', 11);
    return true;
  }

  function postEvents(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer) {
    const record: ReceivedHecRequest = { seq: requests.length + 1, path: url.pathname, status: 200, ids: [], bytes: body.length };
    requests.push(record);
    let events: HecEvent[] | undefined;
    try {
      events = decodeHecEvents(body);
      record.ids = events.map((e) => e.event?.event?.id);
    } catch {
      events = undefined;
    }
    const fault = postFaults.shift();
    if (fault === 'reset') {
      record.status = 0;
      record.code = 'reset';
      req.socket.destroy();
      return;
    }
    if (fault) {
      record.status = fault;
      record.code = (FAULT_BODY[fault] as { code?: number }).code;
      return send(res, fault, FAULT_BODY[fault]);
    }
    if (!admit(req, res, url, record)) return;
    if (body.length > maxContentLength) {
      record.status = 413;
      return send(res, 413, { text: `Content-Length of ${body.length} too large (maximum is ${maxContentLength})` });
    }
    if (!events) {
      record.status = 400;
      record.code = 6;
      return send(res, 400, { text: 'Invalid data format', code: 6, 'invalid-event-number': 0 });
    }
    if (events.length === 0) {
      record.status = 400;
      record.code = 5;
      return send(res, 400, { text: 'No data', code: 5 });
    }
    // HEC indexes the events before the first invalid one and refuses the rest. An index the
    // token may not write to is "Incorrect index" (code 7); a malformed envelope is code 6.
    const wrongIndex = (e: HecEvent) => (e.index ?? options.index) !== options.index;
    const invalid = events.findIndex((e, i) => wrongIndex(e) || checkEvent(e, i).length > 0);
    const accepted = invalid < 0 ? events : events.slice(0, invalid);
    const drop = invalid < 0 && options.useAck ? drops.shift() : undefined;
    if (!drop || drop.indexed) indexed.push(...accepted);
    if (invalid >= 0) {
      const code = wrongIndex(events[invalid]!) ? 7 : 6;
      if (code === 6) violations.push(...checkEvent(events[invalid]!, invalid));
      record.status = 400;
      record.code = code;
      return send(res, 400, { text: code === 7 ? 'Incorrect index' : 'Invalid data format', code, 'invalid-event-number': invalid });
    }
    if (!options.useAck) return send(res, 200, { text: 'Success', code: 0 });
    const channel = channels.get(record.channel!) ?? { next: 0, acks: new Map<number, AckState>() };
    channels.set(record.channel!, channel);
    record.ackId = channel.next++;
    channel.acks.set(record.ackId, { polls: 0, dropped: Boolean(drop) });
    send(res, 200, { text: 'Success', code: 0, ackId: record.ackId });
  }

  function pollAcks(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer) {
    const record: HecAckPoll & { status: number; code?: number | 'reset' } = { asked: [], answered: {}, status: 200 };
    const fault = pollFaults.shift();
    if (fault === 'reset') return void req.socket.destroy();
    if (fault) return send(res, fault, FAULT_BODY[fault]);
    if (!admit(req, res, url, record)) return;
    if (!options.useAck) return send(res, 400, { text: 'ACK is disabled', code: 14 });
    let asked: unknown;
    try {
      asked = (JSON.parse(body.toString('utf8')) as { acks?: unknown }).acks;
    } catch {
      asked = undefined;
    }
    if (!Array.isArray(asked) || !asked.every((id) => Number.isInteger(id))) return send(res, 400, { text: 'Invalid data format', code: 6 });
    const acks = channels.get(record.channel!)?.acks ?? new Map<number, AckState>();
    for (const id of asked as number[]) {
      const state = acks.get(id);
      if (state) state.polls += 1;
      const done = Boolean(state && !state.dropped && state.polls >= ackDelay);
      record.answered[String(id)] = done;
      if (done) acks.delete(id); // Splunk forgets an ack once it has reported it
    }
    ackPolls.push({ channel: record.channel, asked: asked as number[], answered: record.answered });
    send(res, 200, { acks: record.answered });
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const body = Buffer.concat(chunks);
      if (req.method !== 'POST') return send(res, 405, { text: 'Method not allowed' });
      if (url.pathname === '/services/collector/event') return postEvents(req, res, url, body);
      if (url.pathname === '/services/collector/ack') return pollAcks(req, res, url, body);
      send(res, 404, { text: 'The requested URL was not found on this server.', code: 404 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token,
    requests,
    ackPolls,
    indexed,
    indexedIds: () => indexed.map((e) => e.event.event.id),
    violations,
    faults,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
