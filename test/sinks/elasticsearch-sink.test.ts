import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../shared/lib/errors';
import type { Log } from '../../shared/lib/logger';
import { datasetOf, ECS_VERSION, type EcsDocument } from '../../shared/ecs/document';
import { dataStreamFor, ElasticsearchSink, type ElasticsearchSinkOptions } from '../../shared/sinks/elasticsearch-sink';
import { FakeClock } from '../support/fake-clock';
import { startElasticsearchServer, type ElasticsearchServer } from '../support/elasticsearch-server';

/** Documents of every registered type, so each lands in its own data stream. */
// Routing by source type needs a few types, not every registered one: this list does not grow with the registry.
const TYPES = ['tencent-cloudaudit', 'tencent-ssl', 'ucloud-operations', 'huawei-dbss'];

const doc = (i: number, original = `{"seq":${i}}`): EcsDocument => {
  const type = TYPES[i % TYPES.length]!;
  return {
    '@timestamp': new Date(Date.UTC(2025, 0, 1, 0, 0, i % 60)).toISOString(),
    ecs: { version: ECS_VERSION },
    event: { id: `evt-${i}`, kind: 'event', action: 'Test', dataset: datasetOf(type), original },
    cloud: { provider: 'tencentcloud' },
    cloudtap: { source_id: `src-${type}`, source_type: type },
  };
};
const docs = (n: number, original?: (i: number) => string) => Array.from({ length: n }, (_, i) => doc(i, original?.(i)));
const ids = (list: EcsDocument[]) => list.map((d) => d.event.id);

const recordingLog = () => {
  const lines: string[] = [];
  const put = (message: string, extra?: Record<string, unknown>) => void lines.push(`${message} ${JSON.stringify(extra)}`);
  const log: Log = { debug: put, info: put, warn: put, error: put };
  return { log, lines };
};

let server: ElasticsearchServer | undefined;
const sinks: ElasticsearchSink[] = [];
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
  await server?.stop();
  server = undefined;
});

async function setup(sinkOptions: Partial<ElasticsearchSinkOptions> = {}, serverOptions: { productHeader?: boolean } = {}) {
  server = await startElasticsearchServer(serverOptions);
  const { log, lines } = recordingLog();
  const clock = new FakeClock(Date.UTC(2025, 0, 1), { autoAdvance: true });
  const sink = new ElasticsearchSink({ node: server.node, apiKey: server.apiKey, clock, log, random: () => 0.5, ...sinkOptions });
  sinks.push(sink);
  return { server, sink, lines };
}

const sorted = (list: string[]) => [...list].sort();

describe('dataStreamFor', () => {
  it('routes to logs-cloudtap.<source>-<namespace>', () => {
    expect(dataStreamFor(doc(0))).toBe('logs-cloudtap.tencent_cloudaudit-default');
    expect(dataStreamFor(doc(3), 'prod')).toBe('logs-cloudtap.huawei_dbss-prod');
    const { dataset: _, ...event } = doc(2).event;
    expect(dataStreamFor({ ...doc(2), event: { ...event } })).toBe('logs-cloudtap.ucloud_operations-default');
  });
});

describe('ElasticsearchSink', () => {
  it('bulks create actions into data streams with _id = event.id, as the v9 client sends them', async () => {
    const { server, sink } = await setup();
    const input = docs(40);
    expect(await sink.deliver(input)).toEqual({ delivered: 40, records: 1, retries: 0 });
    expect(server.violations).toEqual([]);
    const [request] = server.requests;
    expect(request).toMatchObject({
      method: 'POST',
      path: '/_bulk',
      contentType: 'application/vnd.elasticsearch+x-ndjson; compatible-with=9',
      contentEncoding: 'gzip',
      query: { require_data_stream: 'true', include_source_on_error: 'false' },
    });
    expect(request!.actions).toEqual(input.map((d) => ({ op: 'create', index: dataStreamFor(d), id: d.event.id })));
    expect([...server.dataStreams.keys()].sort()).toEqual([
      'logs-cloudtap.huawei_dbss-default',
      'logs-cloudtap.tencent_cloudaudit-default',
      'logs-cloudtap.tencent_ssl-default',
      'logs-cloudtap.ucloud_operations-default',
    ]);
    expect(server.dataStreams.get('logs-cloudtap.tencent_ssl-default')!.get('evt-1')).toEqual(input[1]);
    expect(sorted(server.storedIds())).toEqual(sorted(ids(input)));
  });

  it('uses the configured namespace', async () => {
    const { server, sink } = await setup({ namespace: 'prod' });
    await sink.deliver(docs(4));
    expect(server.dataStreams.size).toBeGreaterThan(0);
    expect([...server.dataStreams.keys()].every((name) => name.endsWith('-prod'))).toBe(true);
  });

  it('makes no request for an empty batch', async () => {
    const { server, sink } = await setup();
    expect(await sink.deliver([])).toEqual({ delivered: 0, records: 0, retries: 0 });
    expect(server.requests).toHaveLength(0);
  });

  it('bounds bulk requests by count and bytes', async () => {
    const { server, sink } = await setup({ maxBatchDocuments: 10, maxBatchBytes: 6_000 });
    const input = docs(35, (i) => `{"seq":${i},"pad":"${'z'.repeat(i % 5 === 0 ? 2_500 : 100)}"}`);
    const report = await sink.deliver(input);
    expect(report.delivered).toBe(35);
    expect(server.requests.length).toBeGreaterThanOrEqual(4);
    expect(server.requests.every((r) => r.actions.length <= 10)).toBe(true);
    expect(server.requests.length).toBeGreaterThan(4);
    expect(server.requests.flatMap((r) => r.actions.map((a) => a.id))).toEqual(ids(input));
  });

  it('resends only the items that failed for a transient reason (429, 5xx, rejected execution)', async () => {
    const { server, sink, lines } = await setup();
    server.faults.failItems((id) => ['evt-3', 'evt-7'].includes(id), { status: 429 });
    server.faults.failItems((id) => id === 'evt-11', { status: 503 });
    server.faults.failItems((id) => id === 'evt-12', { status: 500, times: 2 });
    const input = docs(20);
    const report = await sink.deliver(input);
    expect(report).toEqual({ delivered: 20, records: 1, retries: 2 });
    expect(server.requests.map((r) => r.actions.map((a) => a.id))).toEqual([ids(input), ['evt-3', 'evt-7', 'evt-11', 'evt-12'], ['evt-12']]);
    expect(server.requests[0]!.statuses.filter((s) => s !== 201)).toEqual([429, 429, 503, 500]);
    expect(sorted(server.storedIds())).toEqual(sorted(ids(input)));
    expect(lines[0]).toContain('"es_rejected_execution_exception":2');
  });

  it('retries whole requests refused with 429, 5xx or a dropped connection', async () => {
    const { server, sink } = await setup();
    for (const fault of [429, 502, 503, 'reset'] as const) server.faults.failRequests(1, fault);
    const input = docs(10);
    expect(await sink.deliver(input)).toEqual({ delivered: 10, records: 1, retries: 4 });
    expect(server.requests.map((r) => r.status)).toEqual([429, 502, 503, 200, 200]);
    expect(sorted(server.storedIds())).toEqual(sorted(ids(input)));
  });

  it('counts a 409 as delivered: a redelivered batch doubles nothing', async () => {
    const { server, sink } = await setup();
    const input = docs(12);
    await sink.deliver(input.slice(0, 8));
    // The crash came between the sink's ack and the checkpoint: the next run sends the batch again, with more.
    expect(await sink.deliver(input)).toEqual({ delivered: 12, records: 1, retries: 0 });
    expect(server.requests[1]!.statuses).toEqual([...Array(8).fill(409), ...Array(4).fill(201)]);
    expect(sorted(server.storedIds())).toEqual(sorted(ids(input)));
  });

  it('a bulk stored but whose answer was lost is resent and lands once', async () => {
    const { server, sink } = await setup();
    server.faults.failRequests(1, 'lost');
    const input = docs(6);
    expect(await sink.deliver(input)).toEqual({ delivered: 6, records: 1, retries: 1 });
    expect(server.requests[1]!.statuses).toEqual(Array(6).fill(409));
    expect(sorted(server.storedIds())).toEqual(sorted(ids(input)));
  });

  it('lands every event exactly once through mixed faults across batches', async () => {
    const { server, sink } = await setup({ maxBatchDocuments: 10 });
    server.faults.failRequests(1, 503); // batch 1, first try
    server.faults.failRequests(1, 'lost'); // batch 1, second try: stored, answer lost
    server.faults.failItems((id) => ['evt-14', 'evt-25', 'evt-29'].includes(id), { status: 429, times: 2 });
    const input = docs(30);
    const report = await sink.deliver(input);
    expect(report.delivered).toBe(30);
    expect(server.storedIds()).toHaveLength(30);
    expect(sorted(server.storedIds())).toEqual(sorted(ids(input)));
    // Resends after the first try of a batch carry only what failed.
    expect(server.requests.map((r) => r.actions.length)).toEqual([10, 10, 10, 10, 1, 1, 10, 2, 2]);
  });

  it('stops at a mapping error with a DeliveryError naming the event and the reason', async () => {
    const { server, sink } = await setup();
    server.faults.failItems((id) => id === 'evt-2', { status: 400, times: Infinity });
    const error = (await sink.deliver(docs(5)).catch((e: unknown) => e)) as DeliveryError;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.failures).toEqual({ document_parsing_exception: 1 });
    expect(error.message).toContain('event evt-2: 400 document_parsing_exception: [1:2] failed to parse field [source.ip]');
    expect(server.requests).toHaveLength(1); // not retried
  });

  it('gives up after its attempts and reports what was not stored', async () => {
    const { server, sink } = await setup({ maxAttempts: 3, maxBatchDocuments: 5 });
    server.faults.failItems((id) => id === 'evt-1', { status: 429, times: Infinity });
    const error = (await sink.deliver(docs(10)).catch((e: unknown) => e)) as DeliveryError;
    expect(error.failures).toEqual({ es_rejected_execution_exception: 1, NotSent: 5 });
    expect(server.requests).toHaveLength(3);
  });

  it('refuses a bad API key at once, never showing the key', async () => {
    const apiKey = Buffer.from('bad-id:wrong-key-d0-not-print').toString('base64');
    const { server, sink, lines } = await setup({ apiKey });
    const error = (await sink.deliver(docs(3)).catch((e: unknown) => e)) as DeliveryError;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.message).toContain('Elasticsearch answered HTTP 401 security_exception: unable to authenticate');
    expect(server.requests).toHaveLength(1);
    for (const text of [error.message, inspect(error, { depth: 10 }), ...lines]) {
      expect(text).not.toContain(apiKey);
      expect(text).not.toContain('wrong-key');
    }
  });

  it('says so when the server is not Elasticsearch', async () => {
    const { sink } = await setup({}, { productHeader: false });
    const error = (await sink.deliver(docs(1)).catch((e: unknown) => e)) as DeliveryError;
    expect(error.message).toContain('not Elasticsearch');
  });
});
