import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../shared/lib/errors';
import type { Log } from '../../shared/lib/logger';
import { datasetOf, ECS_VERSION, type EcsDocument } from '../../shared/ecs/document';
import { HEC_MAX_CONTENT_BYTES, SplunkHecSink, type SplunkHecSinkOptions } from '../../shared/sinks/splunk-hec-sink';
import { FakeClock } from '../support/fake-clock';
import { startSplunkHecServer, type HecServer, type HecServerOptions } from '../support/splunk-hec-server';
import { definitions } from '../../shared/providers/registry';
import { splunkSourcetypes } from '../../shared/providers/siem';

const sourcetypeOf = splunkSourcetypes(definitions);

const TYPES = [
  ['tencent-cloudaudit', 'tencentcloud'],
  ['tencent-ssl', 'tencentcloud'],
  ['ucloud-operations', 'ucloud'],
  ['huawei-dbss', 'huaweicloud'],
] as const;

const doc = (i: number, original = `{"seq":${i}}`): EcsDocument => {
  const [type, provider] = TYPES[i % TYPES.length]!;
  return {
    '@timestamp': new Date(Date.UTC(2025, 0, 1, 0, 0, i % 60, i % 1000)).toISOString(),
    ecs: { version: ECS_VERSION },
    event: { id: `evt-${i}`, kind: 'event', action: 'Test', dataset: datasetOf(type), original },
    cloud: { provider },
    cloudtap: { source_id: `src-${type}`, source_type: type },
  };
};
const docs = (n: number, original?: (i: number) => string) => Array.from({ length: n }, (_, i) => doc(i, original?.(i)));

const recordingLog = () => {
  const lines: string[] = [];
  const put = (message: string, extra?: Record<string, unknown>) => void lines.push(`${message} ${JSON.stringify(extra)}`);
  const log: Log = { debug: put, info: put, warn: put, error: put };
  return { log, lines };
};

let server: HecServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** A sink aimed at a fresh HEC; simulated time moves by itself, so backoffs and ack waits cost nothing. */
async function setup(serverOptions: HecServerOptions = {}, sinkOptions: Partial<SplunkHecSinkOptions> = {}) {
  server = await startSplunkHecServer(serverOptions);
  const clock = new FakeClock(Date.UTC(2025, 0, 1), { autoAdvance: true });
  const { log, lines } = recordingLog();
  const sink = new SplunkHecSink({ url: server.url, token: server.token, sourcetypeOf, clock, log, random: () => 0.5, ...sinkOptions });
  return { server, sink, clock, lines };
}

const unique = (ids: string[]) => new Set(ids).size === ids.length;

describe('SplunkHecSink', () => {
  it('posts concatenated HEC events with the token, sourcetype per API and envelope HEC expects', async () => {
    const { server, sink } = await setup();
    const input = docs(40);
    expect(await sink.deliver(input)).toEqual({ delivered: 40, records: 1, retries: 0 });
    expect(server.violations).toEqual([]);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ path: '/services/collector/event', status: 200, channel: undefined });
    expect(server.indexed.map((e) => e.event)).toEqual(input);
    expect(new Set(server.indexed.map((e) => e.sourcetype))).toEqual(
      new Set(['tencentcloud:cloudaudit', 'tencentcloud:ssl', 'ucloud:operations', 'huaweicloud:dbss']),
    );
    expect(sink.name).toBe(`splunk-hec:${server.url}`);
  });

  it('names the configured index on every event', async () => {
    const { server, sink } = await setup({ index: 'cloud_audit' }, { index: 'cloud_audit' });
    await sink.deliver(docs(5));
    expect(server.indexed.map((e) => e.index)).toEqual(Array(5).fill('cloud_audit'));
  });

  it('makes no request for an empty batch', async () => {
    const { server, sink } = await setup();
    expect(await sink.deliver([])).toEqual({ delivered: 0, records: 0, retries: 0 });
    expect(server.requests).toHaveLength(0);
  });

  it('bounds batches by bytes (1 MB by default, HEC max_content_length) and by count', async () => {
    const { server, sink } = await setup();
    const input = docs(1500, (i) => `{"seq":${i},"pad":"${'x'.repeat(1200)}"}`);
    const report = await sink.deliver(input);
    expect(report.delivered).toBe(1500);
    expect(server.requests.length).toBeGreaterThan(1);
    expect(server.requests.every((r) => r.status === 200 && r.bytes <= HEC_MAX_CONTENT_BYTES && r.ids.length <= 1000)).toBe(true);
    expect(server.indexedIds()).toEqual(input.map((d) => d.event.id));

    server.requests.length = 0;
    const counted = new SplunkHecSink({ url: server.url, token: server.token, sourcetypeOf, maxBatchEvents: 7 });
    expect((await counted.deliver(docs(20))).records).toBe(3);
    expect(server.requests.map((r) => r.ids.length)).toEqual([7, 7, 6]);
  });

  it('sends an event larger than the byte bound alone rather than dropping it', async () => {
    const { server, sink } = await setup({}, { maxBatchBytes: 2_000 });
    const input = docs(5, (i) => (i === 2 ? `{"big":"${'y'.repeat(5_000)}"}` : `{"seq":${i}}`));
    await sink.deliver(input);
    expect(server.requests.map((r) => r.ids)).toEqual([['evt-0', 'evt-1'], ['evt-2'], ['evt-3', 'evt-4']]);
    expect(server.indexedIds()).toEqual(input.map((d) => d.event.id));
  });

  it('retries 503, 429, 500 and dropped connections with backoff, resending only the failed batch', async () => {
    const { server, sink, lines } = await setup({}, { maxBatchEvents: 10 });
    const input = docs(30);
    await sink.deliver(input.slice(0, 10)); // batch 1 lands before the faults
    server.faults.failRequests(1, 503);
    server.faults.failRequests(1, 429);
    server.faults.failRequests(1, 500);
    server.faults.failRequests(1, 'reset');
    const report = await sink.deliver(input.slice(10));
    expect(report).toEqual({ delivered: 20, records: 2, retries: 4 });
    expect(server.requests.slice(1).map((r) => [r.status, r.code, r.ids[0]])).toEqual([
      [503, 9, 'evt-10'],
      [429, undefined, 'evt-10'],
      [500, 8, 'evt-10'],
      [0, 'reset', 'evt-10'],
      [200, undefined, 'evt-10'],
      [200, undefined, 'evt-20'],
    ]);
    expect(server.indexedIds()).toEqual(input.map((d) => d.event.id));
    expect(unique(server.indexedIds())).toBe(true);
    expect(lines.filter((l) => l.startsWith('splunk-hec: retrying batch'))).toHaveLength(4);
  });

  it('gives up after its attempts with a DeliveryError and does not send the rest', async () => {
    const { server, sink } = await setup({}, { maxBatchEvents: 10, maxAttempts: 3 });
    server.faults.failRequests(10, 503);
    const error = await sink.deliver(docs(30)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).failures).toEqual({ 'HTTP 503/code 9': 10, NotSent: 20 });
    expect((error as DeliveryError).message).toContain('Server is busy');
    expect(server.requests).toHaveLength(3);
    expect(server.indexed).toHaveLength(0);
  });

  it('refuses a bad token at once with a clear error that never contains the token', async () => {
    const token = 'wrong-token-5ecret-d0-not-print';
    const { server, sink, lines } = await setup({}, { token });
    const error = (await sink.deliver(docs(3)).catch((e: unknown) => e)) as DeliveryError;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.message).toContain(`HEC ${server.url} answered HTTP 403 code 4: Invalid token`);
    expect(error.failures).toEqual({ 'HTTP 403/code 4': 3 });
    expect(server.requests).toHaveLength(1); // 401/403 are never retried
    for (const text of [error.message, inspect(error, { depth: 5 }), JSON.stringify(error), ...lines]) expect(text).not.toContain(token);
  });

  it('does not retry a 400 and names the event HEC refused', async () => {
    const { server, sink } = await setup({ index: 'main' }, { index: 'not_allowed' });
    const error = (await sink.deliver(docs(3)).catch((e: unknown) => e)) as DeliveryError;
    expect(error.message).toContain('answered HTTP 400 code 7: Incorrect index (event evt-0)');
    expect(server.requests).toHaveLength(1);
  });

  describe('with indexer acknowledgement', () => {
    it('sends a channel, polls /services/collector/ack until every ackId is true, then resolves', async () => {
      const { server, sink } = await setup({ useAck: true }, { ack: true, maxBatchEvents: 10 });
      server.faults.delayAcks(3);
      const input = docs(30);
      expect(await sink.deliver(input)).toEqual({ delivered: 30, records: 3, retries: 0 });
      const channel = server.requests[0]!.channel!;
      expect(channel).toMatch(/^[0-9a-f-]{36}$/);
      expect(server.requests.map((r) => [r.channel, r.ackId])).toEqual([[channel, 0], [channel, 1], [channel, 2]]);
      expect(server.ackPolls.map((p) => p.asked)).toEqual([[0, 1, 2], [0, 1, 2], [0, 1, 2]]);
      expect(server.ackPolls.at(-1)!.answered).toEqual({ 0: true, 1: true, 2: true });
      expect(server.indexedIds()).toEqual(input.map((d) => d.event.id));
    });

    it('keeps polling through failed polls', async () => {
      const { server, sink } = await setup({ useAck: true }, { ack: true });
      server.faults.failAckPolls(2, 503);
      server.faults.failAckPolls(1, 'reset');
      expect((await sink.deliver(docs(5))).delivered).toBe(5);
      expect(server.ackPolls).toHaveLength(1);
    });

    it('resends only the batch whose ack never came, and the events arrive once', async () => {
      const { server, sink, clock, lines } = await setup({ useAck: true }, { ack: true, maxBatchEvents: 10, ackTimeoutMs: 60_000 });
      const input = docs(30);
      await sink.deliver(input.slice(0, 10));
      server.faults.dropAcks(1); // the second batch is lost before indexing
      const started = clock.now();
      const report = await sink.deliver(input.slice(10));
      expect(report).toEqual({ delivered: 20, records: 2, retries: 1 });
      expect(clock.now() - started).toBeGreaterThanOrEqual(60_000);
      expect(server.requests.map((r) => [r.ackId, r.ids[0]])).toEqual([[0, 'evt-0'], [1, 'evt-10'], [2, 'evt-20'], [3, 'evt-10']]);
      expect(server.indexedIds().sort()).toEqual(input.map((d) => d.event.id).sort());
      expect(lines.some((l) => l.startsWith('splunk-hec: resending batches'))).toBe(true);
    });

    it('at least once: an indexed batch whose ack was lost repeats with identical events', async () => {
      const { server, sink } = await setup({ useAck: true }, { ack: true, ackTimeoutMs: 30_000 });
      server.faults.dropAcks(1, { indexed: true });
      const input = docs(4);
      await sink.deliver(input);
      expect(server.indexed.map((e) => e.event)).toEqual([...input, ...input]);
    });

    it('fails with AckTimeout when acks never arrive', async () => {
      const { server, sink } = await setup({ useAck: true }, { ack: true, ackTimeoutMs: 10_000, maxAckRounds: 2 });
      server.faults.dropAcks(5);
      const error = (await sink.deliver(docs(3)).catch((e: unknown) => e)) as DeliveryError;
      expect(error).toBeInstanceOf(DeliveryError);
      expect(error.failures).toEqual({ AckTimeout: 3 });
      expect(server.requests).toHaveLength(2);
    });

    it('switches to acknowledgement by itself when the token requires a channel', async () => {
      const { server, sink, lines } = await setup({ useAck: true }, { ack: false });
      const input = docs(6);
      expect((await sink.deliver(input)).delivered).toBe(6);
      expect(server.requests.map((r) => [r.status, r.code])).toEqual([[400, 10], [200, undefined]]);
      expect(server.ackPolls).toHaveLength(1);
      expect(server.indexedIds()).toEqual(input.map((d) => d.event.id));
      expect(lines.some((l) => l.includes('requires indexer acknowledgement'))).toBe(true);
    });

    it('accepts on the 200 when ack is asked for but the token does not do it', async () => {
      const { server, sink, lines } = await setup({ useAck: false }, { ack: true });
      expect((await sink.deliver(docs(2))).delivered).toBe(2);
      expect(server.ackPolls).toHaveLength(0);
      expect(lines.some((l) => l.includes('returned no ackId'))).toBe(true);
    });
  });
});
