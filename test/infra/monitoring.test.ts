import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CloudtapStack } from '../../infra/stack';
import { parseConfig } from '../../shared/config/load';
import { registry } from '../../shared/providers/registry';
import { ELASTIC, HEC, cdkContext, dispatchEntry, logicalId, ref } from './destination-helpers';

const SOURCES = [
  { id: 'audit-gz', type: 'tencent-cloudaudit', region: 'ap-guangzhou' },
  { id: 'ssl-certs', type: 'tencent-ssl', schedule: 'rate(1 hour)' },
  { id: 'ucloud-ops', type: 'ucloud-operations', options: { projectId: 'org-abc123' }, enabled: false },
];

function synth(extra: Record<string, unknown> = {}, sources: unknown[] = SOURCES, stackName = 'Cloudtap') {
  const config = parseConfig({ sources, ...extra }, registry);
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
  const stack = new CloudtapStack(app, stackName, { config, registry, dispatchEntry });
  const template = Template.fromStack(stack);
  const alarms = template.findResources('AWS::CloudWatch::Alarm') as Record<string, { Properties: Record<string, any> }>;
  const byName = (suffix: string) => {
    const found = Object.values(alarms).find((alarm) => alarm.Properties.AlarmName === `${stackName}-${suffix}`);
    if (!found) throw new Error(`no alarm ${suffix}; have ${Object.values(alarms).map((a) => a.Properties.AlarmName).join(', ')}`);
    return found.Properties;
  };
  return { config, stack, template, alarms, byName };
}

const { stack, template, alarms, byName } = synth();
const topic = ref(stack.alerting.topic);
const stream = ref(stack.delivery.cfnDeliveryStream);
const runDimensions = (id: string, type: string) => [
  { Name: 'SourceId', Value: id },
  { Name: 'SourceType', Value: type },
  { Name: 'service', Value: 'cloudtap' },
];
const sorted = (dimensions: { Name: string }[]) => [...dimensions].sort((a, b) => (a.Name < b.Name ? -1 : 1));

describe('Monitoring: alarms per source instance', () => {
  it('alarms on ingestion lag over 3 of 3 five-minute periods, silence counting as lag', () => {
    const lag = byName('audit-gz-ingestion-lag');
    expect(lag).toMatchObject({
      Namespace: 'cloudtap',
      MetricName: 'IngestionLagSeconds',
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 3600,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      TreatMissingData: 'breaching',
      AlarmActions: [topic],
      OKActions: [topic],
    });
    expect(sorted(lag.Dimensions)).toEqual(runDimensions('audit-gz', 'tencent-cloudaudit'));
    expect(lag.AlarmDescription).toMatch(/audit-gz is more than 60 minutes behind.*cloudtap status/);
  });

  it('judges an hourly source on hourly periods, so runs it never makes are not read as silence', () => {
    expect(byName('ssl-certs-ingestion-lag')).toMatchObject({ Period: 3600, EvaluationPeriods: 3, TreatMissingData: 'breaching' });
    expect(byName('ssl-certs-runs-failing')).toMatchObject({ Period: 3600, EvaluationPeriods: 3 });
  });

  it('alarms when runs fail in failedRunsToAlarm consecutive periods, missing data not breaching', () => {
    const failures = byName('audit-gz-runs-failing');
    expect(failures).toMatchObject({
      Namespace: 'cloudtap',
      MetricName: 'RunsFailed',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 3,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topic],
      OKActions: [topic],
    });
    expect(sorted(failures.Dimensions)).toEqual(runDimensions('audit-gz', 'tencent-cloudaudit'));
    expect(failures.AlarmDescription).toContain('cloudtap/audit-gz');
  });

  it('gives disabled sources no alarm, and every alarm a description and the topic', () => {
    const names = Object.values(alarms).map((alarm) => alarm.Properties.AlarmName as string);
    expect(names.filter((name) => name.includes('ucloud'))).toEqual([]);
    // 2 sources × 2, 2 live functions × 2, delivery × 2, failed invocations.
    expect(names).toHaveLength(11);
    for (const alarm of Object.values(alarms)) {
      expect(alarm.Properties.AlarmActions).toEqual([topic]);
      expect(alarm.Properties.OKActions).toEqual([topic]);
      expect(alarm.Properties.AlarmDescription.length).toBeGreaterThan(80);
    }
  });

  it('takes the bounds from the monitoring section', () => {
    const custom = synth({ monitoring: { maxLagMinutes: 180, failedRunsToAlarm: 5 } });
    expect(custom.byName('audit-gz-ingestion-lag')).toMatchObject({ Threshold: 10_800 });
    expect(custom.byName('audit-gz-runs-failing')).toMatchObject({ EvaluationPeriods: 5 });
    expect(custom.byName('tencent-cloudaudit-function-errors')).toMatchObject({ EvaluationPeriods: 5 });
  });

  it('warns at synth when the lag bound is below what a source trails by anyway', () => {
    const tight = synth({ monitoring: { maxLagMinutes: 30 } }, [{ id: 'slow', type: 'tencent-ssl', schedule: 'rate(1 hour)' }]);
    Annotations.fromStack(tight.stack).hasWarning('*', Match.stringLikeRegexp("slow's lag plus its schedule interval"));
  });
});

describe('Monitoring: alarms per puller function', () => {
  it('alarms on Lambda Errors and Throttles of each function with an enabled source', () => {
    const fn = { Ref: logicalId(stack.pullers.get('tencent-cloudaudit')!.function) };
    expect(byName('tencent-cloudaudit-function-errors')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: fn }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 3,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topic],
    });
    expect(byName('tencent-cloudaudit-function-throttles')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Throttles',
      Dimensions: [{ Name: 'FunctionName', Value: fn }],
      Statistic: 'Sum',
      Threshold: 1,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    // The function's own reservation is the likelier limit: the description says how to raise it.
    expect(byName('tencent-cloudaudit-function-throttles').AlarmDescription).toMatch(/deployment\.reservedConcurrencyPerSource/);
    expect(() => byName('ucloud-operations-function-errors')).toThrow(/no alarm/);
  });
});

describe('Monitoring: delivery alarms per destination type', () => {
  const firehose = (metricName: string) => ({ Namespace: 'AWS/Firehose', MetricName: metricName, Dimensions: [{ Name: 'DeliveryStreamName', Value: stream }] });

  it('S3: DeliveryToS3.Success below 1 for 15 minutes, DataFreshness beyond the buffer plus 15 minutes', () => {
    expect(byName('delivery-failing')).toMatchObject({
      ...firehose('DeliveryToS3.Success'),
      Statistic: 'Average',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 3,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topic],
    });
    expect(byName('delivery-stale')).toMatchObject({
      ...firehose('DeliveryToS3.DataFreshness'),
      Statistic: 'Maximum',
      Threshold: 300 + 900,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('Splunk: DeliveryToSplunk.Success and DataFreshness, allowing for acks and retries', () => {
    const splunk = synth({ destination: { type: 'splunk', hecEndpoint: HEC } });
    const s = ref(splunk.stack.delivery.cfnDeliveryStream);
    expect(splunk.byName('delivery-failing')).toMatchObject({ MetricName: 'DeliveryToSplunk.Success', Dimensions: [{ Name: 'DeliveryStreamName', Value: s }] });
    expect(splunk.byName('delivery-stale')).toMatchObject({ MetricName: 'DeliveryToSplunk.DataFreshness', Threshold: 60 + 180 + 300 + 900 });
    expect(splunk.byName('delivery-failing').AlarmDescription).toMatch(/backed up to the bucket again with cloudtap replay/);
  });

  it('Elastic: the HTTP endpoint metrics', () => {
    const elastic = synth({ destination: { type: 'elastic', endpointUrl: ELASTIC } });
    expect(elastic.byName('delivery-failing')).toMatchObject({ MetricName: 'DeliveryToHttpEndpoint.Success', Statistic: 'Average' });
    expect(elastic.byName('delivery-stale')).toMatchObject({ MetricName: 'DeliveryToHttpEndpoint.DataFreshness', Threshold: 300 + 300 + 900 });
  });
});

describe('Monitoring: failed invocations', () => {
  it('alarms as soon as one message waits in the failed-invocations queue, until it is empty', () => {
    const queue = stack.failedInvocations.queue;
    const alarm = byName('failed-invocations');
    expect(alarm).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(queue), 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topic],
      OKActions: [topic],
    });
    expect(alarm.AlarmDescription).toMatch(/FailedInvocationsQueueUrl\) for up to 14 days.*RetriesExhausted.*EventAgeExceeded.*purge the queue/);
  });
});

describe('Monitoring: notifying an encrypted topic', () => {
  it("lets CloudWatch use the topic's key for this account's alarms of this stack only", () => {
    const keyPolicy = template.toJSON().Resources[logicalId(stack.encryptionKey.key)].Properties.KeyPolicy;
    const statements = (keyPolicy.Statement as { Principal: unknown }[]).filter((s) => JSON.stringify(s.Principal).includes('cloudwatch'));
    expect(statements).toEqual([
      {
        Sid: 'AlarmsNotifyTheAlertTopic',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: {
            'aws:SourceArn': {
              'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:Cloudtap-*']],
            },
          },
        },
      },
    ]);
    // Every alarm's name is under that pattern.
    expect(Object.keys(alarms)).toHaveLength(11);
    for (const alarm of Object.values(alarms)) expect(alarm.Properties.AlarmName).toMatch(/^Cloudtap-/);
  });
});

describe('Monitoring: the dashboard', () => {
  const body = () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const props = (dashboards[0] as { Properties: Record<string, any> }).Properties;
    expect(props.DashboardName).toBe('cloudtap');
    // The body is a Fn::Join of text and tokens (the stream name, the alarm ARNs).
    return JSON.stringify(props.DashboardBody);
  };

  it('graphs every enabled source, the stream and alerts by rule', () => {
    const text = body();
    for (const id of ['audit-gz', 'ssl-certs']) {
      expect(text).toContain(`${id}: ingestion lag`);
      expect(text).toContain(`${id}: events pulled / delivered`);
      expect(text).toContain(`${id}: failures and throttling`);
      expect(text).toContain(`${id}: run duration`);
      expect(text).toContain(`\\"SourceId\\",\\"${id}\\"`);
    }
    expect(text).not.toContain('ucloud-ops');
    for (const metric of ['IngestionLagSeconds', 'EventsPulled', 'EventsDelivered', 'RunsFailed', 'ThrottledRetries', 'RunDurationMs']) {
      expect(text).toContain(metric);
    }
    expect(text).toContain(JSON.stringify(stream));
    for (const metric of ['IncomingRecords', 'DeliveryToS3.Success', 'DeliveryToS3.DataFreshness']) expect(text).toContain(metric);
    expect(text).toContain("SEARCH('{cloudtap,RuleId,SourceType,service} MetricName=");
    expect(text).toContain('title\\":\\"alerts raised by rule');
    expect(text).toMatch(/MetricName=[\\"]+AlertsRaised/);
  });

  it('is left out with dashboard: false, and named after any other stack', () => {
    synth({ monitoring: { dashboard: false } }).template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    synth({}, SOURCES, 'CloudtapStaging').template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'cloudtap-CloudtapStaging' });
  });
});
