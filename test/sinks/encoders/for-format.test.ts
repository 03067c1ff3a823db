import { describe, expect, it } from 'vitest';
import { destinationSchema } from '../../../shared/config/destination';
import { ConfigError } from '../../../shared/lib/errors';
import { ECS_VERSION, type EcsDocument } from '../../../shared/ecs/document';
import { destinationEnv, FUNCTION_ENV, readDeliveryStreamsEnv, readDestinationEnv } from '../../../shared/runtime/invocation';
import { toOcsf } from '../../../shared/ocsf/index';
import { decodeElasticRecord } from '../../../shared/sinks/encoders/elastic';
import { destinationFormatOf, encoderFor } from '../../../shared/sinks/encoders/for-format';
import { decodeHecEvents } from '../../../shared/sinks/encoders/splunk-hec';
import { definitions } from '../../../shared/providers/registry';
import { splunkSourcetypes } from '../../../shared/providers/siem';

const sourcetypeOf = splunkSourcetypes(definitions);

const destinations = {
  s3: destinationSchema.parse({ type: 's3' }),
  splunk: destinationSchema.parse({ type: 'splunk', hecEndpoint: 'https://http-inputs-firehose-acme.splunkcloud.com:443', index: 'cloud_audit' }),
  splunkNoIndex: destinationSchema.parse({ type: 'splunk', hecEndpoint: 'https://hec.example.com:8088' }),
  elastic: destinationSchema.parse({ type: 'elastic', endpointUrl: 'https://acme.aws.elastic-cloud.com', namespace: 'prod' }),
  securityLake: destinationSchema.parse({ type: 'security-lake', bucket: 'aws-security-data-lake-eu-west-1-abc123', rawData: true }),
};

const doc: EcsDocument = {
  '@timestamp': '2024-05-01T12:00:00.000Z',
  ecs: { version: ECS_VERSION },
  event: { id: 'e-1', kind: 'event', original: '{}' },
  cloudtap: { source_id: 'dbss', source_type: 'huawei-dbss' },
};

describe('encoderFor', () => {
  it('S3 gets packable NDJSON', () => {
    expect(encoderFor(destinations.s3, sourcetypeOf)).toMatchObject({ format: 'ndjson', packable: true });
  });

  it('Splunk gets packable HEC events carrying the configured index', () => {
    const encoder = encoderFor(destinations.splunk, sourcetypeOf);
    expect(encoder).toMatchObject({ format: 'splunk-hec', packable: true });
    expect(decodeHecEvents(encoder.encode(doc))[0]).toMatchObject({ index: 'cloud_audit', sourcetype: 'huaweicloud:dbss', event: doc });
    expect(decodeHecEvents(encoderFor(destinations.splunkNoIndex, sourcetypeOf).encode(doc))[0]).not.toHaveProperty('index');
  });

  it('Elastic gets one JSON document per record', () => {
    const encoder = encoderFor(destinations.elastic, sourcetypeOf);
    expect(encoder).toMatchObject({ format: 'elastic', packable: false });
    expect(decodeElasticRecord(encoder.encode(doc))).toEqual(doc);
  });
});

describe('encoderFor Security Lake', () => {
  it('gets packable OCSF JSON lines, at most 500 a record (Firehose de-aggregation), raw_data as configured', () => {
    const encoder = encoderFor(destinations.securityLake, sourcetypeOf);
    expect(encoder).toMatchObject({ format: 'ocsf', packable: true, maxEventsPerRecord: 500 });
    const line = encoder.encode(doc).toString('utf8');
    expect(line.endsWith('\n')).toBe(true);
    expect(JSON.parse(line)).toEqual(JSON.parse(JSON.stringify(toOcsf(doc, { rawData: true }))));
    expect(JSON.parse(line).raw_data).toBe('{}');
  });
});

describe('the destination environment variable', () => {
  it.each(Object.entries(destinations))('%s: what the stack sets reads back to the same encoder', (_, destination) => {
    const value = destinationEnv(destination);
    const format = readDestinationEnv(value);
    expect(format).toEqual(destinationFormatOf(destination));
    expect(encoderFor(format, sourcetypeOf).encode(doc).equals(encoderFor(destination, sourcetypeOf).encode(doc))).toBe(true);
  });

  it('carries the format only: no endpoint, URL or backup setting', () => {
    expect(destinationEnv(destinations.splunk)).toBe('{"type":"splunk","index":"cloud_audit"}');
    expect(destinationEnv(destinations.elastic)).toBe('{"type":"elastic"}');
    expect(destinationEnv(destinations.s3)).toBe('{"type":"s3"}');
    expect(destinationEnv(destinations.securityLake)).toBe('{"type":"security-lake","rawData":true}');
  });

  it('Security Lake: the stream of each OCSF class, read from CLOUDTAP_DELIVERY_STREAMS', () => {
    expect(FUNCTION_ENV.deliveryStreams).toBe('CLOUDTAP_DELIVERY_STREAMS');
    expect(readDeliveryStreamsEnv('{"6003":"Cloudtap-ApiActivity","3002":"Cloudtap-Auth"}')).toEqual(
      new Map([
        [6003, 'Cloudtap-ApiActivity'],
        [3002, 'Cloudtap-Auth'],
      ]),
    );
    expect(() => readDeliveryStreamsEnv(undefined)).toThrow(/CLOUDTAP_DELIVERY_STREAMS: required for the security-lake destination/);
    expect(() => readDeliveryStreamsEnv('nope')).toThrow(/CLOUDTAP_DELIVERY_STREAMS: is not JSON/);
    expect(() => readDeliveryStreamsEnv('{"api":"x"}')).toThrow(/CLOUDTAP_DELIVERY_STREAMS: expected \{"<class uid>": "<stream name>", \.\.\.\}/);
    expect(() => readDeliveryStreamsEnv('{}')).toThrow(ConfigError);
  });

  it('unset means S3, the configuration default', () => {
    expect(readDestinationEnv(undefined)).toEqual({ type: 's3' });
    expect(readDestinationEnv('')).toEqual({ type: 's3' });
  });

  const secret = 'hec-token-0f1e2d3c-NOT-REAL';
  it.each([
    ['not JSON', `token=${secret}`, /CLOUDTAP_DESTINATION is not JSON/],
    ['an unknown type', JSON.stringify({ type: 'kafka', password: secret }), /CLOUDTAP_DESTINATION/],
    ['an unexpected field', JSON.stringify({ type: 'splunk', token: secret }), /CLOUDTAP_DESTINATION.*token/],
    ['an empty index', JSON.stringify({ type: 'splunk', index: '' }), /CLOUDTAP_DESTINATION\.index/],
  ])('refuses %s with a ConfigError that does not quote the value', (_, value, message) => {
    const error = (() => {
      try {
        readDestinationEnv(value);
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(secret);
    expect(FUNCTION_ENV.destination).toBe('CLOUDTAP_DESTINATION');
  });
});
