import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ECS_VERSION, type EcsDocument } from '../../../shared/ecs/document';
import type { Clock } from '../../../shared/lib/clock';
import { DeliveryError } from '../../../shared/lib/errors';
import { toOcsf } from '../../../shared/ocsf/index';
import { SecurityLakeFirehoseSink } from '../../../shared/sinks/security-lake/firehose-router';
import { startFirehoseServer, type FirehoseServer } from '../../support/firehose-server';

/** The pullers' Security Lake delivery: OCSF JSON into the stream of each record's class, through the real SDK client. */
const API_STREAM = 'cloudtap-ocsf-6003';
const AUTH_STREAM = 'cloudtap-ocsf-3002';
const streams = new Map([
  [6003, API_STREAM],
  [3002, AUTH_STREAM],
]);

const doc = (i: number, category = 'configuration'): EcsDocument => ({
  '@timestamp': new Date(Date.UTC(2026, 11, 7, 12, 0, i)).toISOString(),
  ecs: { version: ECS_VERSION },
  event: { id: `evt-${i}`, kind: 'event', category: [category], type: [category === 'authentication' ? 'start' : 'change'], action: 'Act', outcome: 'success', original: `{"seq":${i},"payload":"${'x'.repeat(200)}"}` },
  cloud: { provider: 'ucloud', region: 'cn-bj2', account: { id: '50001' } },
  user: { name: `user-${i}` },
  cloudtap: { source_id: 'ops', source_type: 'ucloud-operations' },
});
const clock: Clock = { now: () => 0, sleep: async () => {} };
/** A record's OCSF objects as Firehose's JSON de-aggregation reads them: one JSON object a line. */
const objectsIn = (records: Buffer[]) => records.flatMap((r) => r.toString('utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line)));

let server: FirehoseServer;
beforeEach(async () => {
  server = await startFirehoseServer({ streams: [API_STREAM, AUTH_STREAM] });
});
afterEach(async () => {
  await server.stop();
});

describe('SecurityLakeFirehoseSink', () => {
  it('puts each OCSF record into its class stream, packed as JSON lines, and nothing else', async () => {
    const input = [doc(1), doc(2, 'authentication'), doc(3), doc(4, 'authentication'), doc(5)];
    const sink = new SecurityLakeFirehoseSink({ streams, rawData: false, client: server.client, clock });
    const report = await sink.deliver(input);
    expect(report).toEqual({ delivered: 5, records: 2, retries: 0 });
    const expected = (ids: number[]) => ids.map((i) => JSON.parse(JSON.stringify(toOcsf(input[i - 1]!))));
    expect(objectsIn(server.acknowledgedRecords(API_STREAM))).toEqual(expected([1, 3, 5]));
    expect(objectsIn(server.acknowledgedRecords(AUTH_STREAM))).toEqual(expected([2, 4]));
    expect(objectsIn(server.acknowledgedRecords(API_STREAM)).every((r) => r.raw_data === undefined)).toBe(true);
  });

  it('packs at most 500 objects a record, Firehose de-aggregation limit', async () => {
    const input = Array.from({ length: 1_200 }, (_, i) => doc(i));
    await new SecurityLakeFirehoseSink({ streams, rawData: true, client: server.client, clock }).deliver(input);
    const records = server.acknowledgedRecords(API_STREAM);
    // 1,200 small records fit 1,000 KiB easily: the count limit splits them.
    expect(records.map((r) => objectsIn([r]).length)).toEqual([500, 500, 200]);
    expect(objectsIn(records).map((r) => r.metadata.uid)).toEqual(input.map((d) => d.event.id));
    expect(objectsIn(records)[0].raw_data).toBe(input[0]!.event.original);
  });

  it('retries what a class stream failed and reports the batch undelivered when it keeps failing', async () => {
    server.faults.failNextCall([0]);
    const sink = new SecurityLakeFirehoseSink({ streams, rawData: false, client: server.client, clock, maxAttempts: 2 });
    expect((await sink.deliver([doc(1)])).retries).toBe(1);
    server.faults.failRecords(() => true, { times: Infinity });
    await expect(sink.deliver([doc(2, 'authentication')])).rejects.toBeInstanceOf(DeliveryError);
  });

  it("leaves cloudtap's alerts out of the lake", async () => {
    const alert: EcsDocument = { ...doc(9), event: { id: 'alert-1', kind: 'alert', action: 'rule matched', original: '' } };
    const report = await new SecurityLakeFirehoseSink({ streams, rawData: false, client: server.client, clock }).deliver([doc(1), alert]);
    expect(report.delivered).toBe(1);
    expect(objectsIn(server.acknowledgedRecords(API_STREAM)).map((r) => r.metadata.uid)).toEqual(['evt-1']);
  });

  it('refuses a batch with a class it has no stream for, before sending anything', async () => {
    const sink = new SecurityLakeFirehoseSink({ streams: new Map([[6003, API_STREAM]]), rawData: false, client: server.client, clock });
    await expect(sink.deliver([doc(1), doc(2, 'authentication')])).rejects.toThrow(/NoStreamForClass3002 x1/);
    expect(server.calls).toEqual([]);
  });
});
