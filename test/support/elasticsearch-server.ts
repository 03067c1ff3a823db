/**
 * A local Elasticsearch `_bulk` endpoint as the official v9 client sees it: the product
 * header, vendored content types, ApiKey auth, NDJSON action/document pairs, data streams
 * that accept only `create` and answer 409 for an `_id` they already hold. It checks every
 * pair and can fail whole requests or single items.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { EcsDocument } from '../../shared/ecs/document';

/** base64("fake-id:fake-api-key-for-tests"), the encoded form Elastic hands out. */
export const FAKE_API_KEY = Buffer.from('fake-id:fake-api-key-for-tests').toString('base64');
const NDJSON_TYPES = ['application/vnd.elasticsearch+x-ndjson; compatible-with=9', 'application/x-ndjson'];
const DATA_STREAM = /^logs-cloudtap\.[a-z0-9_]+-[a-z0-9_]+$/;

/** `reset` drops the socket unanswered; `lost` stores the items, then drops the socket (the answer never arrives). */
export type EsRequestFault = 429 | 500 | 502 | 503 | 'reset' | 'lost';
export type EsItemFault = 429 | 500 | 503 | 400;

export interface ReceivedBulk {
  seq: number;
  method: string;
  path: string;
  status: number;
  contentType?: string;
  contentEncoding?: string;
  query: Record<string, string>;
  /** Each action as sent: op, `_index`, `_id`. */
  actions: { op: string; index?: string; id?: string }[];
  /** Item statuses as answered. */
  statuses: number[];
}

export interface ElasticsearchServer {
  /** `http://127.0.0.1:<port>` */
  node: string;
  apiKey: string;
  requests: ReceivedBulk[];
  /** Stored documents per data stream, by `_id`. */
  dataStreams: Map<string, Map<string, EcsDocument>>;
  /** Every stored `_id`, across data streams. */
  storedIds(): string[];
  /** Format problems seen (a correct client causes none). */
  violations: string[];
  faults: {
    failRequests(count: number, fault?: EsRequestFault): void;
    /** Fail the items whose `_id` matches, `times` times each (Infinity: always). 400 is a mapping error. */
    failItems(match: (id: string) => boolean, options?: { status?: EsItemFault; times?: number }): void;
    reset(): void;
  };
  stop(): Promise<void>;
}

const ITEM_ERRORS: Record<EsItemFault, { type: string; reason: string }> = {
  429: { type: 'es_rejected_execution_exception', reason: 'rejected execution of coordinating operation [coordinating_and_primary_bytes=0, max_coordinating_and_primary_bytes=0]' },
  500: { type: 'exception', reason: 'injected shard failure' },
  503: { type: 'unavailable_shards_exception', reason: '[.ds-logs][0] primary shard is not active Timeout: [1m]' },
  400: { type: 'document_parsing_exception', reason: "[1:2] failed to parse field [source.ip] of type [ip] in document. Preview of field's value: 'not-an-ip'" },
};

export async function startElasticsearchServer(options: { apiKey?: string; productHeader?: boolean } = {}): Promise<ElasticsearchServer> {
  const apiKey = options.apiKey ?? FAKE_API_KEY;
  const requests: ReceivedBulk[] = [];
  const dataStreams = new Map<string, Map<string, EcsDocument>>();
  const violations: string[] = [];
  let requestFaults: EsRequestFault[] = [];
  let itemRules: { match: (id: string) => boolean; status: EsItemFault; times: number; used: Map<string, number> }[] = [];
  let seqNo = 0;

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const headers: Record<string, string> = { 'content-type': 'application/vnd.elasticsearch+json;compatible-with=9' };
    if (options.productHeader !== false) headers['x-elastic-product'] = 'Elasticsearch';
    res.writeHead(status, headers).end(JSON.stringify(body));
  };
  const failure = (status: number, type: string, reason: string) => ({ error: { root_cause: [{ type, reason }], type, reason }, status });

  function bulk(req: IncomingMessage, res: ServerResponse, url: URL, raw: Buffer) {
    const record: ReceivedBulk = {
      seq: requests.length + 1,
      method: req.method ?? '',
      path: url.pathname,
      status: 200,
      contentType: req.headers['content-type'],
      contentEncoding: req.headers['content-encoding'],
      query: Object.fromEntries(url.searchParams),
      actions: [],
      statuses: [],
    };
    requests.push(record);
    let lost = false;
    const answer = (status: number, body: unknown) => {
      record.status = status;
      if (lost) req.socket.destroy();
      else send(res, status, body);
    };
    if (req.headers.authorization !== `ApiKey ${apiKey}`) {
      return answer(401, failure(401, 'security_exception', 'unable to authenticate with provided credentials and anonymous access is not allowed for this request'));
    }
    if (!NDJSON_TYPES.includes(record.contentType ?? '')) {
      violations.push(`content-type ${record.contentType}`);
      return answer(406, { error: `Content-Type header [${record.contentType}] is not supported`, status: 406 });
    }
    const text = (record.contentEncoding === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
    if (!text.endsWith('\n')) return answer(400, failure(400, 'illegal_argument_exception', 'The bulk request must be terminated by a newline [\\n]'));
    const lines = text.slice(0, -1).split('\n');
    if (lines.length % 2 !== 0) return answer(400, failure(400, 'illegal_argument_exception', 'Malformed action/metadata line'));
    const pairs = [];
    for (let i = 0; i < lines.length; i += 2) {
      const action = JSON.parse(lines[i]!) as Record<string, { _index?: string; _id?: string }>;
      const document = JSON.parse(lines[i + 1]!) as EcsDocument;
      const [op, meta] = Object.entries(action)[0] ?? ['', {}];
      const index = meta._index ?? '';
      const id = meta._id ?? '';
      record.actions.push({ op, index: meta._index, id: meta._id });
      if (Object.keys(action).length !== 1 || op !== 'create') violations.push(`item ${i / 2}: op ${op}, expected create`);
      if (!DATA_STREAM.test(index) || !index.startsWith(`logs-${document.event?.dataset}-`)) violations.push(`item ${i / 2}: _index ${index} for dataset ${document.event?.dataset}`);
      if (id !== document.event?.id) violations.push(`item ${i / 2}: _id ${id} is not event.id ${document.event?.id}`);
      pairs.push({ op, index, id, document });
    }
    // Whole-request faults come after parsing, so `requests` shows what each attempt carried.
    const fault = requestFaults.shift();
    if (fault === 'reset') return void req.socket.destroy();
    if (fault === 429) return answer(429, failure(429, 'es_rejected_execution_exception', 'rejected execution of coordinating operation'));
    if (fault === 'lost') lost = true;
    else if (fault) return answer(fault, failure(fault, 'exception', `injected ${fault}`));
    const items: unknown[] = [];
    for (const { op, index, id, document } of pairs) {
      const item = (status: number, extra: Record<string, unknown>) => {
        record.statuses.push(status);
        items.push({ [op]: { _index: `.ds-${index}-2025.01.01-000001`, _id: id, status, ...extra } });
      };
      const rule = itemRules.find((r) => r.match(id) && (r.used.get(id) ?? 0) < r.times);
      if (rule) {
        rule.used.set(id, (rule.used.get(id) ?? 0) + 1);
        item(rule.status, { error: { ...ITEM_ERRORS[rule.status], index } });
        continue;
      }
      if (op !== 'create') {
        item(400, { error: { type: 'illegal_argument_exception', reason: 'only write ops with an op_type of create are allowed in data streams' } });
        continue;
      }
      const stream = dataStreams.get(index) ?? new Map<string, EcsDocument>();
      dataStreams.set(index, stream);
      if (stream.has(id)) {
        item(409, { error: { type: 'version_conflict_engine_exception', reason: `[${id}]: version conflict, document already exists (current version [1])`, index } });
        continue;
      }
      stream.set(id, document);
      item(201, { _version: 1, result: 'created', _shards: { total: 2, successful: 1, failed: 0 }, _seq_no: seqNo++, _primary_term: 1 });
    }
    answer(200, { errors: record.statuses.some((s) => s >= 300), took: 3, items });
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method === 'GET' && url.pathname === '/') {
        return send(res, 200, {
          name: 'local-es',
          cluster_name: 'cloudtap-test',
          cluster_uuid: 'bG9jYWwtZWxhc3RpY3NlYXJjaA',
          version: { number: '9.1.0', build_flavor: 'default', lucene_version: '10.2.2', minimum_wire_compatibility_version: '8.19.0' },
          tagline: 'You Know, for Search',
        });
      }
      if ((req.method === 'POST' || req.method === 'PUT') && url.pathname === '/_bulk') return bulk(req, res, url, Buffer.concat(chunks));
      send(res, 404, failure(404, 'resource_not_found_exception', `no handler for ${req.method} ${url.pathname}`));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    node: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    apiKey,
    requests,
    dataStreams,
    storedIds: () => [...dataStreams.values()].flatMap((stream) => [...stream.keys()]),
    violations,
    faults: {
      failRequests: (count, fault = 503) => void requestFaults.push(...Array<EsRequestFault>(count).fill(fault)),
      failItems: (match, { status = 429, times = 1 } = {}) => void itemRules.push({ match, status, times, used: new Map() }),
      reset: () => {
        requestFaults = [];
        itemRules = [];
      },
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
