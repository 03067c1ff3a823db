import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../shared/lib/clock';
import { DeliveryError } from '../../shared/lib/errors';
import type { Log } from '../../shared/lib/logger';
import { ECS_VERSION, type EcsDocument } from '../../shared/ecs/document';
import { MAX_CALL_BYTES, MAX_RECORD_BYTES, MAX_RECORDS_PER_CALL } from '../../shared/sinks/encode';
import { createFirehoseClient, FirehoseSink, type FirehoseSinkOptions } from '../../shared/sinks/firehose-sink';
import { DEFAULT_STREAM, eventIdsIn, startFirehoseServer, type FirehoseServer } from '../support/firehose-server';

const doc = (i: number, original = `{"seq":${i},"secret-ish":"raw payload ${i}"}`): EcsDocument => ({
  '@timestamp': new Date(Date.UTC(2024, 4, 1, 0, 0, i)).toISOString(),
  ecs: { version: ECS_VERSION },
  event: { id: `evt-${i}`, kind: 'event', action: 'Test', original },
  user: { name: `user-${i % 7}` },
  cloudtap: { source_id: 'src', source_type: 'test' },
});
const docs = (n: number, original?: (i: number) => string) => Array.from({ length: n }, (_, i) => doc(i, original?.(i)));

/** Sleeps are recorded, not waited for. */
const fakeClock = () => {
  const slept: number[] = [];
  const clock: Clock = { now: () => 0, sleep: async (ms) => void slept.push(ms) };
  return { clock, slept };
};

const recordingLog = () => {
  const lines: string[] = [];
  const put = (message: string, extra?: Record<string, unknown>) => void lines.push(`${message} ${JSON.stringify(extra)}`);
  const log: Log = { debug: put, info: put, warn: put, error: put };
  return { log, lines };
};

let server: FirehoseServer;
beforeEach(async () => {
  server = await startFirehoseServer();
});
afterEach(async () => {
  await server.stop();
});

const sink = (options: Partial<FirehoseSinkOptions> = {}) => {
  const { clock, slept } = fakeClock();
  const { log, lines } = recordingLog();
  const s = new FirehoseSink({ deliveryStreamName: DEFAULT_STREAM, client: server.client, clock, log, random: () => 0.5, ...options });
  return { sink: s, slept, lines };
};

describe('FirehoseSink', () => {
  it('delivers every document, packed, and they decode back exactly', async () => {
    const input = docs(250);
    const { sink: s } = sink();
    const report = await s.deliver(input);
    expect(report).toEqual({ delivered: 250, records: 1, retries: 0 });
    expect(server.acknowledgedDocuments()).toEqual(input);
    expect(server.calls).toHaveLength(1);
    expect(s.name).toBe(`firehose:${DEFAULT_STREAM}`);
  });

  it('sends one document per record on request', async () => {
    const input = docs(20);
    const report = await sink({ onePerRecord: true }).sink.deliver(input);
    expect(report).toEqual({ delivered: 20, records: 20, retries: 0 });
    expect(server.acknowledgedRecords().map((r) => eventIdsIn(r))).toEqual(input.map((d) => [d.event.id]));
  });

  it('does not call Firehose for an empty batch', async () => {
    expect(await sink().sink.deliver([])).toEqual({ delivered: 0, records: 0, retries: 0 });
    expect(server.calls).toHaveLength(0);
  });

  it('retries only the records Firehose reported as failed', async () => {
    const input = docs(10);
    server.faults.failNextCall([1, 4, 8], 'ServiceUnavailableException');
    server.faults.failRecords((data) => eventIdsIn(data).includes('evt-6'), { code: 'InternalFailure' });
    const { sink: s, slept, lines } = sink({ onePerRecord: true });
    const report = await s.deliver(input);

    expect(report).toEqual({ delivered: 10, records: 10, retries: 1 });
    expect(server.calls).toHaveLength(2);
    expect(server.calls[0]!.failed).toEqual([1, 4, 6, 8]);
    expect(server.calls[1]!.records.flatMap(eventIdsIn)).toEqual(['evt-1', 'evt-4', 'evt-6', 'evt-8']);
    expect(server.calls[1]!.failed).toEqual([]);
    const delivered = server.acknowledgedDocuments();
    expect(delivered).toHaveLength(10);
    expect([...delivered].sort((a, b) => a.event.id.localeCompare(b.event.id, 'en', { numeric: true }))).toEqual(input);
    // Full jitter: random 0.5 of the 200 ms first ceiling.
    expect(slept).toEqual([100]);
    expect(lines.join('\n')).toMatch(/"ServiceUnavailableException":3,"InternalFailure":1/);
  });

  it('retries a partially failed packed record as a whole record', async () => {
    const input = docs(400); // one packed record (at most 500 events a record)
    server.faults.failNextCall([0]);
    const report = await sink().sink.deliver(input);
    expect(report.retries).toBe(1);
    expect(server.calls.map((c) => c.records.length)).toEqual([1, 1]);
    expect(server.calls[1]!.records[0]!.equals(server.calls[0]!.records[0]!)).toBe(true);
    expect(server.acknowledgedDocuments()).toEqual(input);
  });

  it.each(['ThrottlingException', 'ServiceUnavailableException', 'InternalFailure', 'ConnectionReset'] as const)(
    'retries a whole call failed with %s',
    async (code) => {
      server.faults.failCalls(2, code);
      const { sink: s, slept } = sink();
      const report = await s.deliver(docs(5));
      expect(report).toEqual({ delivered: 5, records: 1, retries: 2 });
      expect(server.calls.map((c) => c.error)).toEqual([code, code, undefined]);
      expect(slept).toEqual([100, 200]); // doubling ceilings, full jitter
      expect(server.acknowledgedDocuments()).toHaveLength(5);
    },
  );

  it('gives up after maxAttempts with a DeliveryError counting documents per ErrorCode', async () => {
    server.faults.failRecords((data) => eventIdsIn(data).some((id) => ['evt-2', 'evt-3'].includes(id)), { times: Infinity });
    server.faults.failRecords((data) => eventIdsIn(data).includes('evt-5'), { code: 'InternalFailure', times: Infinity });
    const { sink: s, lines } = sink({ onePerRecord: true, maxAttempts: 3 });
    const error = await s.deliver(docs(8)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({
      destination: `firehose:${DEFAULT_STREAM}`,
      failedCount: 3,
      failures: { ServiceUnavailableException: 2, InternalFailure: 1 },
    });
    expect(server.calls.map((c) => c.records.length)).toEqual([8, 3, 3]);
    expect(lines.join('\n')).not.toMatch(/raw payload|secret-ish/); // contents never logged
  });

  it('stops at the first failed call and counts the documents it did not send', async () => {
    const input = docs(1200);
    server.faults.failCalls(10, 'ServiceUnavailableException');
    const { sink: s } = sink({ onePerRecord: true, maxAttempts: 2 });
    const error = (await s.deliver(input).catch((e: unknown) => e)) as DeliveryError;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.failures).toEqual({ ServiceUnavailableException: 500, NotSent: 700 });
    expect(error.failedCount).toBe(1200);
    expect(server.calls).toHaveLength(2);
    expect(server.acknowledgedRecords()).toHaveLength(0);
  });

  it.each([
    ['unknown stream', () => ({ deliveryStreamName: 'no-such-stream' }), 'ResourceNotFoundException'],
    ['invalid argument', () => (server.faults.failCalls(1, 'InvalidArgumentException'), {}), 'InvalidArgumentException'],
  ] as const)('fails at once on a non-retryable error: %s', async (_, setup, code) => {
    const { sink: s, slept } = sink(setup());
    const error = (await s.deliver(docs(3)).catch((e: unknown) => e)) as DeliveryError;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.failures).toEqual({ [code]: 3 });
    expect((error.cause as Error).name).toBe(code);
    expect(server.calls).toHaveLength(1);
    expect(slept).toEqual([]);
  });

  it('splits large batches across calls within the service limits', async () => {
    // ~300 KB documents: three share a record, four records fill a call.
    const big = docs(30, (i) => `${i}:`.padEnd(300_000, 'x'));
    const small = docs(1200).map((d) => ({ ...d, event: { ...d.event, id: `small-${d.event.id}` } }));
    const report = await sink().sink.deliver([...big, ...small]);
    expect(report.delivered).toBe(1230);
    expect(server.calls.length).toBeGreaterThan(2);
    for (const call of server.calls) {
      expect(call.status).toBe(200);
      expect(call.records.length).toBeLessThanOrEqual(MAX_RECORDS_PER_CALL);
      expect(call.records.reduce((n, r) => n + r.length, 0)).toBeLessThanOrEqual(MAX_CALL_BYTES);
      for (const r of call.records) expect(r.length).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    }
    expect(server.acknowledgedDocuments()).toEqual([...big, ...small]);
  });

  it('splits 1,200 one-per-record documents into calls of at most 500', async () => {
    await sink({ onePerRecord: true }).sink.deliver(docs(1200));
    expect(server.calls.map((c) => c.records.length)).toEqual([500, 500, 200]);
  });

  it('delivers everything through a seeded random failure rate', async () => {
    server.faults.randomFailures(0.3, 42);
    const input = docs(400);
    const report = await sink({ onePerRecord: true, maxAttempts: 20 }).sink.deliver(input);
    expect(report.delivered).toBe(400);
    expect(report.retries).toBeGreaterThan(0);
    const ids = server.acknowledgedDocuments().map((d) => d.event.id);
    expect(new Set(ids).size).toBe(400);
    expect(ids).toHaveLength(400); // acknowledged exactly once each
  });

  it('truncates an oversized event.original instead of failing the batch', async () => {
    const input = [doc(1), doc(2, 'z'.repeat(1_500_000)), doc(3)];
    await sink().sink.deliver(input);
    const out = server.acknowledgedDocuments();
    expect(out.map((d) => d.event.id)).toEqual(['evt-1', 'evt-2', 'evt-3']);
    expect(out[1]!.cloudtap.original_truncated_bytes).toBe(1_500_000);
  });
});

describe('createFirehoseClient', () => {
  it('turns SDK retries off so each sink attempt is exactly one call', async () => {
    const client = createFirehoseClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
    });
    try {
      server.faults.failCalls(2, 'ServiceUnavailableException');
      const report = await sink({ client, maxAttempts: 3 }).sink.deliver(docs(2));
      expect(report.retries).toBe(2);
      expect(server.calls).toHaveLength(3);
    } finally {
      client.destroy();
    }
  });
});

describe('firehose test server', () => {
  it('answers limit violations with InvalidArgumentException as the service does', async () => {
    const { PutRecordBatchCommand } = await import('@aws-sdk/client-firehose');
    const send = (records: Buffer[]) =>
      server.client.send(new PutRecordBatchCommand({ DeliveryStreamName: DEFAULT_STREAM, Records: records.map((Data) => ({ Data })) }));
    await expect(send(Array(501).fill(Buffer.from('a\n')))).rejects.toMatchObject({ name: 'InvalidArgumentException' });
    await expect(send([Buffer.alloc(MAX_RECORD_BYTES + 1)])).rejects.toMatchObject({ name: 'InvalidArgumentException' });
    await expect(send(Array(5).fill(Buffer.alloc(900_000)))).rejects.toMatchObject({
      name: 'InvalidArgumentException',
      $metadata: { httpStatusCode: 400 },
    });
    server.faults.throttle();
    await expect(send([Buffer.from('a\n')])).rejects.toMatchObject({
      name: 'ServiceUnavailableException',
      $metadata: { httpStatusCode: 503 },
    });
    expect(server.acknowledgedRecords()).toHaveLength(0);
  });

  it('rejects unsigned requests', async () => {
    const response = await fetch(server.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Firehose_20150804.PutRecordBatch' },
      body: JSON.stringify({ DeliveryStreamName: DEFAULT_STREAM, Records: [{ Data: 'YQo=' }] }),
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
  });
});
