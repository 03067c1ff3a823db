import { describe, expect, it } from 'vitest';
import { benchApis } from '../../../bench/apis';
import { realisticPages } from '../../../bench/cost';
import { ECS_VERSION, type EcsDocument } from '../../../shared/ecs/document';
import { DocumentTooLargeError, MAX_RECORD_BYTES } from '../../../shared/sinks/encode';
import { decodeElasticRecord, elasticEncoder } from '../../../shared/sinks/encoders/elastic';
import type { Encoder } from '../../../shared/sinks/encoders/encoder';
import { decodeNdjson, ndjsonEncoder } from '../../../shared/sinks/encoders/ndjson';
import { createSplunkHecEncoder, decodeHecEvents } from '../../../shared/sinks/encoders/splunk-hec';
import { pack } from '../../../shared/sinks/pack';
import { definitions } from '../../../shared/providers/registry';
import { splunkSourcetypes } from '../../../shared/providers/siem';

const sourcetypeOf = splunkSourcetypes(definitions);

/** Each destination's encoder, and how that destination reads one record back into events. */
const formats: { name: string; encoder: Encoder; decode: (record: Buffer) => EcsDocument[] }[] = [
  { name: 'ndjson', encoder: ndjsonEncoder, decode: (r) => decodeNdjson(r) },
  { name: 'splunk-hec', encoder: createSplunkHecEncoder({ sourcetypeOf, index: 'main' }), decode: (r) => decodeHecEvents(r).map((e) => e.event) },
  { name: 'splunk-hec without index', encoder: createSplunkHecEncoder({ sourcetypeOf }), decode: (r) => decodeHecEvents(r).map((e) => e.event) },
  { name: 'elastic', encoder: elasticEncoder, decode: (r) => [decodeElasticRecord(r)] },
];

const doc = (id: string, original = '{"raw":true}', extra: Partial<EcsDocument> = {}): EcsDocument => ({
  '@timestamp': '2024-05-01T12:00:00.123Z',
  ecs: { version: ECS_VERSION },
  event: { id, kind: 'event', action: 'Test', original },
  cloud: { provider: 'tencent_cloud' },
  cloudtap: { source_id: 'prod-audit', source_type: 'tencent-cloudaudit' },
  ...extra,
});

/** Strings that JSON escaping, UTF-8 and a naive HEC splitter get wrong. */
const awkward: EcsDocument[] = [
  doc('q-1', '{"a":"}{","b":"\\"quoted\\"","c":"back\\\\slash"}', { message: 'line\nbreak\r\ttab } { "' }),
  doc('q-2', 'é中😀\u2028\u2029\u0000\u001f', { user: { name: '用户 \ud83d\ude00' } }),
  doc('q-3', '', { tags: ['{', '}', '\\', '"'] }),
];

/** Encode, pack as FirehoseSink does, decode every record back as the destination would. */
function roundTrip(encoder: Encoder, decode: (record: Buffer) => EcsDocument[], documents: EcsDocument[]) {
  const records = pack(documents.map((d) => encoder.encode(d)), { onePerRecord: !encoder.packable }).flatMap((c) => c.records);
  return { records, decoded: records.flatMap((r) => decode(r.data)) };
}

describe.each(formats)('$name encoder', ({ encoder, decode }) => {
  it.each(benchApis.map((api) => [api.type, api] as const))('round-trips realistic %s documents exactly, in order', (_, api) => {
    const documents = realisticPages(api, 300).flat();
    expect(documents).toHaveLength(300);
    const { records, decoded } = roundTrip(encoder, decode, documents);
    expect(decoded).toEqual(documents);
    for (const r of records) expect(r.data.length).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    // Packable formats share records; Elastic gets exactly one document per record.
    if (encoder.packable) expect(records.length).toBeLessThan(documents.length / 10);
    else expect(records.map((r) => r.count)).toEqual(documents.map(() => 1));
  });

  it('round-trips escapes, control characters and multi-byte text', () => {
    expect(roundTrip(encoder, decode, awkward).decoded).toEqual(awkward);
  });

  it('leaves an event of exactly the record limit untouched', () => {
    const base = encoder.encode(doc('edge', '')).length;
    const exact = doc('edge', 'x'.repeat(MAX_RECORD_BYTES - base));
    const encoded = encoder.encode(exact);
    expect(encoded.length).toBe(MAX_RECORD_BYTES);
    expect(roundTrip(encoder, decode, [exact]).decoded).toEqual([exact]);
  });

  it('shrinks an event one byte over the limit: event.original cut to a prefix, flagged, nothing else lost', () => {
    const base = encoder.encode(doc('over', '')).length;
    const original = 'y'.repeat(MAX_RECORD_BYTES - base + 1);
    const input = doc('over', original);
    const encoded = encoder.encode(input);
    expect(encoded.length).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    const [out] = decode(encoded);
    expect(out!.event.original.length).toBeGreaterThan(original.length - 64);
    expect(original.startsWith(out!.event.original)).toBe(true);
    expect(out!.cloudtap.original_truncated_bytes).toBe(original.length);
    expect({ ...out, event: { ...out!.event, original }, cloudtap: input.cloudtap }).toEqual(input);
  });

  it('keeps the core fields, flagged, when the mapped fields alone overflow', () => {
    const input = doc('huge', 'raw', { message: 'm'.repeat(MAX_RECORD_BYTES), user: { name: 'alice' } });
    const [out] = decode(encoder.encode(input));
    expect(out!.event.id).toBe('huge');
    expect(out!.event.original).toBe('raw');
    expect(out!.user).toEqual({ name: 'alice' });
    expect(out!.cloudtap.fields_dropped).toEqual(['message', 'cloudtap.*']);
  });

  it('refuses, naming the event, an event whose core fields alone overflow; the batch is not half-encoded', () => {
    const input = doc('core-too-big');
    input.event.action = 'a'.repeat(MAX_RECORD_BYTES);
    expect(() => encoder.encode(input)).toThrow(DocumentTooLargeError);
    expect(() => encoder.encode(input)).toThrow(/event core-too-big: .* over the 1024000-byte record limit/);
  });
});

describe('packing at the record limit', () => {
  /** Two documents whose encodings sum to `total` bytes. */
  const pair = (encoder: Encoder, total: number) => {
    const base = encoder.encode(doc('p-2', '')).length;
    const first = doc('p-1', 'a'.repeat(1000));
    const firstBytes = encoder.encode(first).length;
    return [first, doc('p-2', 'b'.repeat(total - firstBytes - base))];
  };

  it.each(formats.filter((f) => f.encoder.packable))('$name: events filling exactly 1,000 KiB share one record', ({ encoder, decode }) => {
    const input = pair(encoder, MAX_RECORD_BYTES);
    const { records, decoded } = roundTrip(encoder, decode, input);
    expect(records.map((r) => r.data.length)).toEqual([MAX_RECORD_BYTES]);
    expect(decoded).toEqual(input);
  });

  it.each(formats.filter((f) => f.encoder.packable))('$name: one byte more and the second event starts a record', ({ encoder, decode }) => {
    const input = pair(encoder, MAX_RECORD_BYTES + 1);
    const { records, decoded } = roundTrip(encoder, decode, input);
    expect(records.map((r) => r.count)).toEqual([1, 1]);
    expect(decoded).toEqual(input);
  });

  it('Elastic never packs, however small the documents', () => {
    const { records } = roundTrip(elasticEncoder, (r) => [decodeElasticRecord(r)], [doc('e-1'), doc('e-2'), doc('e-3')]);
    expect(records.map((r) => r.count)).toEqual([1, 1, 1]);
  });
});

describe('S3 records stay within Firehose de-aggregation', () => {
  it('packs at most 500 small NDJSON events into one record, the most Firehose splits for partitioning', () => {
    const small = Array.from({ length: 1201 }, () => Buffer.from('{"a":1}\n'));
    const records = pack(small, { maxEventsPerRecord: ndjsonEncoder.maxEventsPerRecord }).flatMap((call) => call.records);
    expect(records.map((record) => record.count)).toEqual([500, 500, 201]);
  });
});
