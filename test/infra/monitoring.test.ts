import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CloudtapStack } from '../../infra/stack';
import { parseConfig } from '../../shared/config/load';
import { registry } from '../../shared/providers/registry';
import { ELASTIC, HEC, cdkContext, logicalId, ref } from './destination-helpers';

const SOURCES = [
  { id: 'audit-gz', type: 'tencent-cloudaudit', region: 'ap-guangzhou' },
  { id: 'ssl-certs', type: 'tencent-ssl', schedule: 'rate(1 hour)' },
  { id: 'ucloud-ops', type: 'ucloud-operations', options: { projectId: 'org-abc123' }, enabled: false },
];

function synth(extra: Record<string, unknown> = {}, sources: unknown[] = SOURCES, stackName = 'Cloudtap') {
  const config = parseConfig({ sources, ...extra }, registry);
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
  const stack = new CloudtapStack(app, stackName, { config, registry });
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
/** The run metrics' and the dispatcher's dimensions: no SourceId (a metric per instance costs $0.30 a month). */
const typeDimensions = (type: string) => [
  { Name: 'SourceType', Value: type },
  { Name: 'service', Value: 'cloudtap' },
];
const sorted = (dimensions: { Name: string }[]) => [...dimensions].sort((a, b) => (a.Name < b.Name ? -1 : 1));

describe('Monitoring: alarms per source type', () => {
  it('alarms when runs of a type fail in failedRunsToAlarm consecutive periods, by type only, naming the query that lists the instances', () => {
    const failures = byName('tencent-cloudaudit-runs-failing');
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
    expect(sorted(failures.Dimensions)).toEqual(typeDimensions('tencent-cloudaudit'));
    expect(failures.AlarmDescription).toContain('saved Logs Insights query Cloudtap/failing-instances');
  });

  it("judges a type on its slowest instance's schedule, so runs it never makes are not read as silence", () => {
    expect(byName('tencent-ssl-runs-failing')).toMatchObject({ Period: 3600, EvaluationPeriods: 3 });
  });

  it("alarms on the dispatcher's StalledInstances count of the type, naming the query that lists the stalled ids", () => {
    const stalled = byName('tencent-cloudaudit-instances-stalled');
    expect(stalled).toMatchObject({
      Namespace: 'cloudtap',
      MetricName: 'StalledInstances',
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    expect(sorted(stalled.Dimensions)).toEqual(typeDimensions('tencent-cloudaudit'));
    expect(stalled.AlarmDescription).toMatch(/saved Logs Insights query Cloudtap\/stalled-instances.*cloudtap status --deployed/);
  });

  it("alarms when the type's queue holds a run more than 30 minutes (its 15-minute spread plus 15)", () => {
    const backlog = byName('tencent-cloudaudit-queue-backlog');
    expect(backlog).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack.pullers.get('tencent-cloudaudit')!.queue), 'QueueName'] } }],
      Statistic: 'Maximum',
      Threshold: 1800,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 2,
    });
    expect(backlog.AlarmDescription).toMatch(/deployment\.concurrency/);
  });

  it('has no alarm per instance, none for a type with no enabled instance, and every alarm a description and the topic', () => {
    const names = Object.values(alarms).map((alarm) => alarm.Properties.AlarmName as string);
    expect(names.filter((name) => /ucloud|audit-gz|ssl-certs/.test(name))).toEqual([]);
    // 2 live types × 3, the dispatcher, failed invocations, delivery × 2.
    expect(names.sort()).toEqual(
      [
        'tencent-cloudaudit-runs-failing',
        'tencent-cloudaudit-instances-stalled',
        'tencent-cloudaudit-queue-backlog',
        'tencent-ssl-runs-failing',
        'tencent-ssl-instances-stalled',
        'tencent-ssl-queue-backlog',
        'dispatcher-errors',
        'failed-invocations',
        'delivery-failing',
        'delivery-stale',
      ]
        .map((name) => `Cloudtap-${name}`)
        .sort(),
    );
    for (const alarm of Object.values(alarms)) {
      expect(alarm.Properties.AlarmActions).toEqual([topic]);
      expect(alarm.Properties.OKActions).toEqual([topic]);
      expect(alarm.Properties.AlarmDescription.length).toBeGreaterThan(80);
    }
  });

  it('takes the bounds from the monitoring section', () => {
    const custom = synth({ monitoring: { failedRunsToAlarm: 5 } });
    expect(custom.byName('tencent-cloudaudit-runs-failing')).toMatchObject({ EvaluationPeriods: 5 });
  });

  it('alarms on any dispatcher error', () => {
    expect(byName('dispatcher-errors')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: ref(stack.dispatcher.function) }],
      Statistic: 'Sum',
      Threshold: 1,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });
});

describe('Monitoring: saved Logs Insights queries', () => {
  const queries = Object.values(template.findResources('AWS::Logs::QueryDefinition')).map((q) => q.Properties);
  const byQueryName = (name: string) => queries.find((q) => q.Name === name)!;
  const pullerLogs = ['tencent-cloudaudit', 'tencent-ssl'].map((type) => ref(stack.pullers.get(type)!.function.logGroup));

  it('ranks instances by the SourceId property of the runs\' EMF objects, over the live types\' log groups', () => {
    expect(queries.map((q) => q.Name).sort()).toEqual(['Cloudtap/failing-instances', 'Cloudtap/lagging-instances', 'Cloudtap/skipped-instances', 'Cloudtap/stalled-instances']);
    expect(byQueryName('Cloudtap/lagging-instances')).toEqual({
      Name: 'Cloudtap/lagging-instances',
      QueryString:
        'fields SourceType, SourceId, IngestionLagSeconds\n| filter ispresent(SourceId) and ispresent(IngestionLagSeconds)\n| stats latest(IngestionLagSeconds) as lagSeconds by SourceType, SourceId\n| sort lagSeconds desc\n| limit 25',
      LogGroupNames: pullerLogs,
    });
    expect(byQueryName('Cloudtap/failing-instances').QueryString).toContain('| filter ispresent(SourceId) and RunsFailed > 0\n| stats sum(RunsFailed) as failedRuns');
    expect(byQueryName('Cloudtap/skipped-instances').QueryString).toContain('| filter ispresent(SourceId) and RunsSkipped > 0\n| stats sum(RunsSkipped) as skippedRuns');
  });

  it("lists the dispatcher's stalled-ids lines", () => {
    expect(byQueryName('Cloudtap/stalled-instances')).toEqual({
      Name: 'Cloudtap/stalled-instances',
      QueryString: 'fields @timestamp, sourceType, count, @message\n| filter @message like /"stalled"/\n| sort @timestamp desc\n| limit 25',
      LogGroupNames: [ref(stack.dispatcher.function.logGroup)],
    });
  });

  it('is named after the stack', () => {
    const other = synth({}, SOURCES, 'CloudtapStaging');
    const names = Object.values(other.template.findResources('AWS::Logs::QueryDefinition')).map((q) => q.Properties.Name);
    expect(names.every((name) => name.startsWith('CloudtapStaging/'))).toBe(true);
    expect(other.byName('tencent-cloudaudit-runs-failing').AlarmDescription).toContain('CloudtapStaging/failing-instances');
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
    expect(alarm.AlarmDescription).toMatch(/FailedInvocationsQueueUrl\) for up to 14 days.*source\.id.*Cloudtap\/failing-instances.*purge the queue/);
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
    expect(Object.keys(alarms)).toHaveLength(10);
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

  it('graphs every live source type by type, ranks the worst instances with Logs Insights, and shows the stream and alerts by rule', () => {
    const text = body();
    for (const type of ['tencent-cloudaudit', 'tencent-ssl']) {
      expect(text).toContain(`${type}: worst ingestion lag`);
      expect(text).toContain(`${type}: events pulled / delivered`);
      expect(text).toContain(`${type}: runs failed / skipped, throttling`);
      expect(text).toContain(`${type}: stalled instances, queue age`);
    }
    expect(text).not.toContain('ucloud-operations');
    expect(text).not.toContain('SourceId\\",\\"');
    for (const metric of ['IngestionLagSeconds', 'EventsPulled', 'EventsDelivered', 'RunsFailed', 'RunsSkipped', 'ThrottledRetries', 'StalledInstances', 'ApproximateAgeOfOldestMessage']) {
      expect(text).toContain(metric);
    }
    // The rankings: log widgets over the pullers' log groups.
    for (const title of ['instances by current lag (s)', 'instances by failed runs', 'instances by skipped runs (lease held)', 'stalled instances (dispatcher, every 5 minutes)']) {
      expect(text).toContain(`\\"title\\":\\"${title}\\"`);
    }
    expect(text).toContain('stats latest(IngestionLagSeconds) as lagSeconds by SourceType, SourceId');
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
