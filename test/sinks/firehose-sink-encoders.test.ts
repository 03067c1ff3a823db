import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../shared/lib/clock';
import { DeliveryError } from '../../shared/lib/errors';
import type { Log } from '../../shared/lib/logger';
import { ECS_VERSION, type EcsDocument } from '../../shared/ecs/document';
import { DocumentTooLargeError, MAX_RECORD_BYTES } from '../../shared/sinks/encode';
import { decodeElasticRecord, elasticEncoder } from '../../shared/sinks/encoders/elastic';
import { encoderFor } from '../../shared/sinks/encoders/for-format';
import { createSplunkHecEncoder, decodeHecEvents } from '../../shared/sinks/encoders/splunk-hec';
import { FirehoseSink, type FirehoseSinkOptions } from '../../shared/sinks/firehose-sink';
import { DEFAULT_STREAM, startFirehoseServer, type FirehoseServer } from '../support/firehose-server';
import { definitions } from '../../shared/providers/registry';
import { splunkSourcetypes } from '../../shared/providers/siem';

const sourcetypeOf = splunkSourcetypes(definitions);

/** The Firehose sink per destination format, against the Firehose wire API with the real SDK client. */
const doc = (i: number, original = `{"seq":${i},"secret-ish":"raw payload ${i}"}`): EcsDocument => ({
  '@timestamp': new Date(Date.UTC(2024, 4, 1, 0, 0, i, i % 1000)).toISOString(),
  ecs: { version: ECS_VERSION },
  event: { id: `evt-${i}`, kind: 'event', action: 'Test', original },
  cloud: { provider: 'ucloud' },
  cloudtap: { source_id: 'uc', source_type: 'ucloud-operations' },
});
const docs = (n: number) => Array.from({ length: n }, (_, i) => doc(i));
const holds = (id: string) => (data: Buffer) => data.includes(`"id":"${id}"`);

let server: FirehoseServer;
beforeEach(async () => {
  server = await startFirehoseServer();
});
afterEach(async () => {
  await server.stop();
});

const sink = (options: Partial<FirehoseSinkOptions> = {}) => {
  const lines: string[] = [];
  const put = (message: string, extra?: Record<string, unknown>) => void lines.push(`${message} ${JSON.stringify(extra)}`);
  const log: Log = { debug: put, info: put, warn: put, error: put };
  const clock: Clock = { now: () => 0, sleep: async () => undefined };
  return { sink: new FirehoseSink({ deliveryStreamName: DEFAULT_STREAM, client: server.client, clock, log, random: () => 0.5, ...options }), lines };
};

const hecEvents = () => server.acknowledgedRecords().flatMap((r) => decodeHecEvents(r));

describe('FirehoseSink per destination', () => {
  it('defaults to NDJSON for S3', () => {
    expect(sink().sink.encoder.format).toBe('ndjson');
  });

  it('Splunk: packs HEC events, and Firehose holds exactly the events that went in', async () => {
    const input = docs(300);
    const { sink: s } = sink({ encoder: createSplunkHecEncoder({ sourcetypeOf, index: 'main' }) });
    expect(await s.deliver(input)).toEqual({ delivered: 300, records: 1, retries: 0 });
    const events = hecEvents();
    expect(events.map((e) => e.event)).toEqual(input);
    expect(new Set(events.map((e) => `${e.sourcetype} ${e.source} ${e.index} ${e.host}`))).toEqual(
      new Set(['ucloud:operations cloudtap:uc main ucloud']),
    );
    expect(events[7]!.time! * 1000).toBe(Date.parse(input[7]!['@timestamp']));
  });

  it('Elastic: one document per record even when packing is asked for', async () => {
    const input = docs(30);
    const report = await sink({ encoder: elasticEncoder, onePerRecord: false }).sink.deliver(input);
    expect(report).toEqual({ delivered: 30, records: 30, retries: 0 });
    expect(server.acknowledgedRecords().map((r) => decodeElasticRecord(r))).toEqual(input);
  });

  it('Elastic: 1,200 documents take three calls of at most 500 records', async () => {
    await sink({ encoder: encoderFor({ type: 'elastic' }, sourcetypeOf) }).sink.deliver(docs(1200));
    expect(server.calls.map((c) => c.records.length)).toEqual([500, 500, 200]);
  });

  it.each([
    ['splunk', createSplunkHecEncoder({ sourcetypeOf }), (data: Buffer) => decodeHecEvents(data).map((e) => e.event)],
    ['elastic', elasticEncoder, (data: Buffer) => [decodeElasticRecord(data)]],
  ] as const)('%s: retries only failed records and each document is acknowledged once', async (_, encoder, decode) => {
    server.faults.failRecords(holds('evt-3'), { times: 2 });
    server.faults.failRecords(holds('evt-0'), { code: 'InternalFailure' });
    const input = docs(10);
    const report = await sink({ encoder, onePerRecord: true }).sink.deliver(input);
    expect(report).toEqual({ delivered: 10, records: 10, retries: 2 });
    expect(server.calls.map((c) => c.records.length)).toEqual([10, 2, 1]);
    const ids = server.acknowledgedRecords().flatMap((r) => decode(r).map((d) => d.event.id));
    expect([...ids].sort()).toEqual(input.map((d) => d.event.id).sort());
  });

  it('Splunk: a packed record that keeps failing becomes a DeliveryError counting its events; nothing is logged from the records', async () => {
    server.faults.failRecords(holds('evt-4'), { times: Infinity });
    const { sink: s, lines } = sink({ encoder: createSplunkHecEncoder({ sourcetypeOf }), maxAttempts: 3 });
    const error = (await s.deliver(docs(50)).catch((e: unknown) => e)) as DeliveryError;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.failures).toEqual({ ServiceUnavailableException: 50 });
    expect(lines.join('\n')).not.toMatch(/raw payload|secret-ish|evt-/);
  });

  it('Splunk: an oversized event arrives shrunk and flagged inside a whole HEC envelope', async () => {
    const input = [doc(1), doc(2, 'z'.repeat(1_500_000)), doc(3)];
    await sink({ encoder: createSplunkHecEncoder({ sourcetypeOf, index: 'main' }) }).sink.deliver(input);
    for (const r of server.acknowledgedRecords()) expect(r.length).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    const events = hecEvents();
    expect(events.map((e) => e.event.event.id)).toEqual(['evt-1', 'evt-2', 'evt-3']);
    expect(events[1]).toMatchObject({ sourcetype: 'ucloud:operations', index: 'main' });
    expect(events[1]!.event.cloudtap.original_truncated_bytes).toBe(1_500_000);
  });

  it.each([['ndjson', undefined], ['splunk', createSplunkHecEncoder({ sourcetypeOf })], ['elastic', elasticEncoder]] as const)(
    '%s: an event that cannot fit even reduced is refused before anything is sent',
    async (_, encoder) => {
      const huge = doc(5);
      huge.event.action = 'a'.repeat(MAX_RECORD_BYTES);
      const error = await sink({ encoder }).sink.deliver([doc(4), huge]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DocumentTooLargeError);
      expect((error as Error).message).toMatch(/^event evt-5: /);
      expect(server.calls).toHaveLength(0);
    },
  );
});
