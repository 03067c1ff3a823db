import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import type { DeliveryToElastic } from '../../infra/constructs/delivery-to-elastic';
import { CloudtapStack } from '../../infra/stack';
import { parseConfig } from '../../shared/config/load';
import { registry } from '../../shared/providers/registry';
import { ELASTIC, HEC, SOURCES, cdkContext, logicalId, synth } from './destination-helpers';

/** The Splunk and Elastic streams: what each sends where, and what happens to what is refused. */

const streamConfig = (destination: Record<string, unknown>, key: string) => {
  const { stack, json } = synth(destination);
  const config = json.Resources[logicalId(stack.delivery.cfnDeliveryStream)].Properties[key];
  const group = logicalId(stack.node.findChild('Delivery').node.findChild('ErrorLogs').node.findChild('Group'));
  const logStream = (name: string) => ({ Ref: expect.stringMatching(new RegExp(`^DeliveryErrorLogs${name}`)) });
  const logging = (name: string) => ({ Enabled: true, LogGroupName: { Ref: group }, LogStreamName: logStream(name) });
  return { stack, json, config, logging };
};

describe('Splunk: HEC event endpoint', () => {
  const { config, logging } = streamConfig({ type: 'splunk', hecEndpoint: HEC }, 'SplunkDestinationConfiguration');

  it('posts HEC events to the event endpoint, waits for acknowledgement, then retries (defaults)', () => {
    expect(config).toMatchObject({
      HECEndpoint: HEC,
      HECEndpointType: 'Event',
      HECAcknowledgmentTimeoutInSeconds: 180,
      RetryOptions: { DurationInSeconds: 300 },
      BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 5 },
      CloudWatchLoggingOptions: logging('SplunkDelivery'),
    });
    expect(config.ProcessingConfiguration).toBeUndefined();
  });

  it('backs up only the events Splunk refused, gzipped, under dated and error-typed prefixes', () => {
    expect(config.S3BackupMode).toBe('FailedEventsOnly');
    expect(config.S3Configuration).toMatchObject({
      Prefix: 'cloudtap-splunk-backup/!{timestamp:yyyy/MM/dd}/',
      ErrorOutputPrefix: 'cloudtap-splunk-backup/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/',
      CompressionFormat: 'GZIP',
      CloudWatchLoggingOptions: logging('BackupDelivery'),
    });
  });

  it('takes the acknowledgement timeout, retry duration, backup mode and prefix from config', () => {
    const tuned = streamConfig(
      { type: 'splunk', hecEndpoint: HEC, ackTimeoutSeconds: 600, retrySeconds: 3600, backup: 'all', backupPrefix: 'splunk-copy' },
      'SplunkDestinationConfiguration',
    ).config;
    expect(tuned).toMatchObject({ HECAcknowledgmentTimeoutInSeconds: 600, RetryOptions: { DurationInSeconds: 3600 }, S3BackupMode: 'AllEvents' });
    expect(tuned.S3Configuration.Prefix).toBe('splunk-copy/!{timestamp:yyyy/MM/dd}/');
  });
});

describe("Elastic: the HTTP endpoint destination at Elastic's Firehose endpoint", () => {
  const { stack, config, logging } = streamConfig({ type: 'elastic', endpointUrl: ELASTIC }, 'HttpEndpointDestinationConfiguration');

  it('sends gzipped requests naming the data stream, with the buffering Elastic asks for', () => {
    expect(config).toMatchObject({
      EndpointConfiguration: { Url: ELASTIC, Name: 'Elastic' },
      RequestConfiguration: {
        ContentEncoding: 'GZIP',
        CommonAttributes: [{ AttributeName: 'es_datastream_name', AttributeValue: 'logs-cloudtap.generic-default' }],
      },
      BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 1 },
      RetryOptions: { DurationInSeconds: 300 },
      CloudWatchLoggingOptions: logging('HttpEndpointDelivery'),
    });
    expect((stack.delivery as DeliveryToElastic).dataStreamName).toBe('logs-cloudtap.generic-default');
  });

  it('backs up only the records Elastic refused, gzipped, under dated and error-typed prefixes', () => {
    expect(config.S3BackupMode).toBe('FailedDataOnly');
    expect(config.S3Configuration).toMatchObject({
      Prefix: 'cloudtap-elastic-backup/!{timestamp:yyyy/MM/dd}/',
      ErrorOutputPrefix: 'cloudtap-elastic-backup/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/',
      CompressionFormat: 'GZIP',
      CloudWatchLoggingOptions: logging('BackupDelivery'),
    });
  });

  it('takes the namespace, retry duration, backup mode and prefix from config', () => {
    const tuned = streamConfig(
      { type: 'elastic', endpointUrl: ELASTIC, namespace: 'prod_eu', retrySeconds: 60, backup: 'all', backupPrefix: 'es/' },
      'HttpEndpointDestinationConfiguration',
    ).config;
    expect(tuned.RequestConfiguration.CommonAttributes).toEqual([{ AttributeName: 'es_datastream_name', AttributeValue: 'logs-cloudtap.generic-prod_eu' }]);
    expect(tuned).toMatchObject({ RetryOptions: { DurationInSeconds: 60 }, S3BackupMode: 'AllData' });
    expect(tuned.S3Configuration.Prefix).toBe('es/!{timestamp:yyyy/MM/dd}/');
  });
});

describe('CloudFormation validation (the S3 stack is validated with bundling in bundle.test.ts)', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'cloudtap-validate-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it.each([
    { type: 'splunk', hecEndpoint: HEC, index: 'cloud_audit', backup: 'all', ackTimeoutSeconds: 600, retrySeconds: 7200 },
    { type: 'elastic', endpointUrl: ELASTIC, namespace: 'prod', backup: 'all', retrySeconds: 0 },
  ])('$type: the template passes its resource schemas, with no warning to acknowledge', (destination) => {
    const app = new App({ outdir: join(outdir, destination.type), context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
    new CloudtapStack(app, 'Validated', { config: parseConfig({ sources: SOURCES, destination }, registry), registry });
    app.synth();
    const report = JSON.parse(readFileSync(join(outdir, destination.type, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports).toEqual([]);
  }, 120_000);

  it('is really on: an acknowledgement timeout Firehose refuses fails the synth', () => {
    const app = new App({ outdir: join(outdir, 'bad'), context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
    const config = parseConfig({ sources: SOURCES, destination: { type: 'splunk', hecEndpoint: HEC } }, registry);
    const stack = new CloudtapStack(app, 'Refused', { config, registry });
    stack.delivery.cfnDeliveryStream.addPropertyOverride('SplunkDestinationConfiguration.HECAcknowledgmentTimeoutInSeconds', 5);
    expect(() => app.synth()).toThrow(/HECAcknowledgmentTimeoutInSeconds: 5 is less than the minimum of 180/);
  }, 120_000);
});
