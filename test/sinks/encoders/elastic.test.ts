import { describe, expect, it } from 'vitest';
import { ECS_VERSION, type EcsDocument } from '../../../shared/ecs/document';
import { decodeElasticRecord, elasticEncoder } from '../../../shared/sinks/encoders/elastic';
import { decodeNdjson, ndjsonEncoder } from '../../../shared/sinks/encoders/ndjson';

const doc: EcsDocument = {
  '@timestamp': '2024-05-01T12:00:00.000Z',
  ecs: { version: ECS_VERSION },
  event: { id: 'e-1', kind: 'event', original: '{"a":"b\\nc"}', dataset: 'cloudtap.tencent_ssl' },
  cloudtap: { source_id: 'ssl', source_type: 'tencent-ssl' },
};

describe('elasticEncoder', () => {
  it('is the ECS document as one JSON object, no newline, and does not pack', () => {
    const data = elasticEncoder.encode(doc);
    expect(elasticEncoder).toMatchObject({ format: 'elastic', packable: false });
    expect(data.toString('utf8')).toBe(JSON.stringify(doc));
    expect(decodeElasticRecord(data)).toEqual(doc);
  });
});

describe('ndjsonEncoder', () => {
  it('is the ECS document as one NDJSON line, packable', () => {
    const data = ndjsonEncoder.encode(doc);
    expect(ndjsonEncoder).toMatchObject({ format: 'ndjson', packable: true });
    expect(data.toString('utf8')).toBe(`${JSON.stringify(doc)}\n`);
    expect(decodeNdjson(Buffer.concat([data, data]))).toEqual([doc, doc]);
  });
});
