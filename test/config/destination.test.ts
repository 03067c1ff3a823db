import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load';
import { ConfigError } from '../../shared/lib/errors';
import { registry } from '../../shared/providers/registry';

/** `destination` validation: every problem named with its path, before anything reaches CloudFormation. */
const sources = [{ id: 'audit-gz', type: 'tencent-cloudaudit', region: 'ap-guangzhou' }];
const HEC = 'https://http-inputs-firehose-acme.splunkcloud.com:443';
const ELASTIC = 'https://acme.es.eu-west-1.aws.elastic-cloud.com';

function problems(destination: unknown): string[] {
  try {
    parseConfig({ sources, destination }, registry, 'cloudtap.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected the destination to be refused');
}

describe('destination defaults', () => {
  it('S3 when absent: 64 MiB / 300 s buffering (dynamic partitioning needs 64 MiB), no lifecycle', () => {
    expect(parseConfig({ sources }, registry).destination).toEqual({
      type: 's3',
      prefix: 'cloudtap/',
      errorPrefix: 'cloudtap-errors/',
      bufferSeconds: 300,
      bufferMiB: 64,
      lifecycle: {},
    });
  });

  it('Splunk: 180 s acknowledgement timeout, 300 s retries, failed events backed up', () => {
    expect(parseConfig({ sources, destination: { type: 'splunk', hecEndpoint: HEC } }, registry).destination).toEqual({
      type: 'splunk',
      hecEndpoint: HEC,
      ackTimeoutSeconds: 180,
      retrySeconds: 300,
      backup: 'failed',
      backupPrefix: 'cloudtap-splunk-backup/',
    });
  });

  it('Elastic: namespace default, 300 s retries, failed records backed up', () => {
    expect(parseConfig({ sources, destination: { type: 'elastic', endpointUrl: ELASTIC } }, registry).destination).toEqual({
      type: 'elastic',
      endpointUrl: ELASTIC,
      namespace: 'default',
      retrySeconds: 300,
      backup: 'failed',
      backupPrefix: 'cloudtap-elastic-backup/',
    });
  });

  it('Security Lake: source name cloudtap, version 1.0, registered on deploy, 900 s / 128 MiB buffering, no raw data', () => {
    const bucket = 'aws-security-data-lake-eu-west-1-abc123';
    expect(parseConfig({ sources, destination: { type: 'security-lake', bucket } }, registry).destination).toEqual({
      type: 'security-lake',
      bucket,
      sourceName: 'cloudtap',
      sourceVersion: '1.0',
      externalId: 'cloudtap',
      register: true,
      rawData: false,
      errorPrefix: 'cloudtap-security-lake-errors/',
      bufferSeconds: 900,
      bufferMiB: 128,
    });
  });
});

describe('destination problems, named with their path', () => {
  it.each([
    // Which destination
    { name: 'an unknown type', destination: { type: 'kafka' }, expected: ['destination.type: expected type s3, splunk, elastic or security-lake'] },
    { name: 'no type', destination: { prefix: 'x/' }, expected: ['destination.type: expected type s3, splunk, elastic or security-lake'] },
    // S3
    { name: 'a buffer too small to partition', destination: { type: 's3', bufferMiB: 16 }, expected: [/^destination\.bufferMiB: at least 64: Firehose partitions/] },
    { name: 'a buffer interval too short to partition', destination: { type: 's3', bufferSeconds: 30 }, expected: [/^destination\.bufferSeconds: at least 60/] },
    { name: 'a buffer over the Firehose maximum', destination: { type: 's3', bufferMiB: 256 }, expected: [/^destination\.bufferMiB: /] },
    {
      name: 'expiry before archiving',
      destination: { type: 's3', lifecycle: { archiveAfterDays: 90, expireAfterDays: 30 } },
      expected: ['destination.lifecycle.expireAfterDays: must be later than archiveAfterDays'],
    },
    { name: 'expiry on the archive day', destination: { type: 's3', lifecycle: { archiveAfterDays: 30, expireAfterDays: 30 } }, expected: [/expireAfterDays: must be later/] },
    { name: 'a Firehose expression in a prefix', destination: { type: 's3', prefix: 'logs/!{timestamp:yyyy}/' }, expected: [/^destination\.prefix: write a plain prefix/] },
    { name: 'an unknown lifecycle key', destination: { type: 's3', lifecycle: { deleteAfterDays: 5 } }, expected: ['destination.lifecycle.deleteAfterDays: unknown key; expected one of archiveAfterDays, expireAfterDays'] },
    // Splunk
    { name: 'Splunk without its HEC URL', destination: { type: 'splunk' }, expected: ['destination.hecEndpoint: required: the https URL of your Splunk HTTP Event Collector'] },
    { name: 'Splunk over http', destination: { type: 'splunk', hecEndpoint: 'http://splunk.example.com:8088' }, expected: ['destination.hecEndpoint: expected the https URL of your Splunk HTTP Event Collector'] },
    { name: 'Splunk with a URL path', destination: { type: 'splunk', hecEndpoint: `${HEC}/services/collector` }, expected: [/^destination\.hecEndpoint: give the HEC base URL without a path/] },
    { name: 'Splunk acknowledgement under 180 s', destination: { type: 'splunk', hecEndpoint: HEC, ackTimeoutSeconds: 60 }, expected: [/^destination\.ackTimeoutSeconds: /] },
    { name: 'Splunk retries over 2 hours', destination: { type: 'splunk', hecEndpoint: HEC, retrySeconds: 7201 }, expected: [/^destination\.retrySeconds: /] },
    { name: 'a bad Splunk index', destination: { type: 'splunk', hecEndpoint: HEC, index: 'Main Index' }, expected: [/^destination\.index: expected a Splunk index name/] },
    { name: 'a bad backup mode', destination: { type: 'splunk', hecEndpoint: HEC, backup: 'none' }, expected: [/^destination\.backup: /] },
    // Elastic
    { name: 'Elastic without its endpoint URL', destination: { type: 'elastic' }, expected: ['destination.endpointUrl: required: the https URL of your Elastic Firehose endpoint'] },
    { name: 'Elastic over http', destination: { type: 'elastic', endpointUrl: 'http://localhost:9200' }, expected: ['destination.endpointUrl: expected the https URL of your Elastic Firehose endpoint'] },
    { name: 'an uppercase namespace', destination: { type: 'elastic', endpointUrl: ELASTIC, namespace: 'Prod' }, expected: [/^destination\.namespace: expected lowercase letters, digits or _/] },
    { name: 'a namespace with a hyphen', destination: { type: 'elastic', endpointUrl: ELASTIC, namespace: 'eu-west' }, expected: [/^destination\.namespace: /] },
    { name: 'a namespace over 100 characters', destination: { type: 'elastic', endpointUrl: ELASTIC, namespace: 'a'.repeat(101) }, expected: [/^destination\.namespace: /] },
    // Security Lake
    { name: 'Security Lake without its bucket', destination: { type: 'security-lake' }, expected: ['destination.bucket: required: the Security Lake S3 bucket of this region'] },
    { name: 'a Security Lake bucket ARN', destination: { type: 'security-lake', bucket: 'arn:aws:s3:::aws-security-data-lake-x' }, expected: [/^destination\.bucket: expected an S3 bucket name/] },
    {
      name: 'a source name that would pass 20 characters with -<class uid>',
      destination: { type: 'security-lake', bucket: 'lake-bucket', sourceName: 'cloudtap-audit-xx' },
      expected: ['destination.sourceName: expected 1 to 15 letters, digits, _ or -: Security Lake caps a source name at 20 characters and cloudtap adds -<class uid>'],
    },
    { name: 'Security Lake objects more often than every 5 minutes', destination: { type: 'security-lake', bucket: 'lake-bucket', bufferSeconds: 60 }, expected: [/^destination\.bufferSeconds: at least 300: Security Lake/] },
    { name: 'a KMS key alias instead of its ARN', destination: { type: 'security-lake', bucket: 'lake-bucket', kmsKeyArn: 'alias/lake' }, expected: [/^destination\.kmsKeyArn: expected a KMS key ARN/] },
    { name: 'a Parquet buffer under 64 MiB', destination: { type: 'security-lake', bucket: 'lake-bucket', bufferMiB: 32 }, expected: [/^destination\.bufferMiB: at least 64: Firehose converts to Parquet/] },
    { name: 'a Security Lake buffer over the Firehose maximum', destination: { type: 'security-lake', bucket: 'lake-bucket', bufferSeconds: 3600 }, expected: [/^destination\.bufferSeconds: /] },
    { name: "an S3 field on Elastic", destination: { type: 'elastic', endpointUrl: ELASTIC, bufferMiB: 1 }, expected: [/^destination\.bufferMiB: unknown key; expected one of type, endpointUrl, namespace, /] },
  ])('$name', ({ destination, expected }) => {
    const found = problems(destination);
    expect(found).toHaveLength(expected.length);
    expected.forEach((pattern, i) => (typeof pattern === 'string' ? expect(found[i]).toBe(pattern) : expect(found[i]).toMatch(pattern)));
  });

  it('lists every problem of a destination at once', () => {
    expect(problems({ type: 'elastic', endpointUrl: 'ftp://x', namespace: 'A-B', retrySeconds: -1 })).toEqual([
      'destination.endpointUrl: expected the https URL of your Elastic Firehose endpoint',
      expect.stringMatching(/^destination\.namespace: /),
      expect.stringMatching(/^destination\.retrySeconds: /),
    ]);
  });

  it('takes no credential in the file: a token written inline is refused without being repeated', () => {
    const token = '11111111-2222-3333-4444-555555555555';
    const splunk = problems({ type: 'splunk', hecEndpoint: HEC, hecToken: token });
    expect(splunk).toEqual([expect.stringMatching(/^destination\.hecToken: unknown key; expected one of type, hecEndpoint, /)]);
    const elastic = problems({ type: 'elastic', endpointUrl: ELASTIC, apiKey: 'ZmFrZS1rZXk6ZmFrZQ==' });
    expect(elastic).toEqual([expect.stringMatching(/^destination\.apiKey: unknown key; expected one of type, endpointUrl, /)]);
    expect([...splunk, ...elastic].join('\n')).not.toMatch(/1111|ZmFrZS/);
  });
});

describe('local.sink', () => {
  const sinkProblems = (sink: unknown): string[] => {
    try {
      parseConfig({ sources, local: { sink } }, registry, 'cloudtap.yaml');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).issues;
    }
    throw new Error('expected the local sink to be refused');
  };
  const UNENCRYPTED = 'expected an https URL: plain http would carry credentials and audit logs unencrypted (http is accepted only for localhost, 127.0.0.0/8 or [::1], e.g. a simulator)';

  it.each([
    { type: 'splunk-hec', url: 'https://splunk.example.com:8088' },
    { type: 'splunk-hec', url: 'http://127.0.0.1:8088' },
    { type: 'splunk-hec', url: 'http://localhost:8088' },
    { type: 'elasticsearch', node: 'https://es.example.com' },
    { type: 'elasticsearch', node: 'http://[::1]:9200' },
  ])('takes a SIEM over https, or over http on this machine: %j', (sink) => {
    expect(parseConfig({ sources, local: { sink } }, registry).local.sink).toMatchObject(sink);
  });

  it.each([
    [{ type: 'splunk-hec', url: 'http://splunk.example.com:8088' }, `local.sink.url: ${UNENCRYPTED}`],
    [{ type: 'splunk-hec', url: 'http://10.0.0.5:8088' }, `local.sink.url: ${UNENCRYPTED}`],
    [{ type: 'elasticsearch', node: 'http://es.example.com:9200' }, `local.sink.node: ${UNENCRYPTED}`],
    [{ type: 'elasticsearch', node: 'es.example.com' }, 'local.sink.node: expected a URL such as https://api.example.com'],
  ])('refuses a token or API key sent in the clear: %j', (sink, expected) => {
    expect(sinkProblems(sink)).toEqual([expected]);
  });

  it('Security Lake locally: the folder .cloudtap/security-lake, source name cloudtap, no raw data', () => {
    expect(parseConfig({ sources, local: { sink: { type: 'security-lake' } } }, registry).local.sink).toEqual({
      type: 'security-lake',
      dir: '.cloudtap/security-lake',
      sourceName: 'cloudtap',
      rawData: false,
    });
    expect(sinkProblems({ type: 'security-lake', sourceName: 'a name with spaces' })).toEqual(['local.sink.sourceName: expected 1 to 15 letters, digits, _ or -']);
  });

  it('names an unknown key from the keys of the sink its type chose, and an unknown type', () => {
    expect(sinkProblems({ type: 'splunk-hec', url: 'https://splunk.example.com:8088', tokenenv: 'HEC' })).toEqual([
      'local.sink.tokenenv: unknown key; did you mean "tokenEnv"?',
    ]);
    expect(sinkProblems({ type: 'file', path: 'events.ndjson' })).toEqual(['local.sink.path: unknown key; expected one of type']);
    expect(sinkProblems({ type: 'kafka' })).toEqual(['local.sink.type: expected type file, splunk-hec, elasticsearch or security-lake']);
  });
});
