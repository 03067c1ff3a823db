import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { MonitoringConfig } from '../../shared/config/monitoring';
import type { DestinationConfig } from '../../shared/config/schema';
import type { SourceInstanceConfig } from '../../shared/providers/definition';
import type { DestinationType } from './delivery-contract';
import { ALARM_TEXT } from './alarm-text';
import { MonitoringQueries } from './monitoring-queries';
import { periodSecondsOf } from './source-puller';

export { ALARM_TEXT } from './alarm-text';

/** Where the runs' and the dispatcher's EMF metrics land: Powertools adds `service` to every dimension set. */
export const METRIC_NAMESPACE = 'cloudtap';
export const SERVICE_DIMENSION = { service: 'cloudtap' } as const;
const FIVE_MINUTES = Duration.minutes(5);
const ONE_DAY_SECONDS = 86_400;
/**
 * A message may wait in a pull queue up to 15 minutes by design (the dispatcher's
 * delay, SQS's maximum); past another 15 minutes the type's runs are not keeping up
 * with its schedules (deployment.concurrency too low, or runs far too slow).
 */
export const QUEUE_AGE_ALARM_SECONDS = 900 + 900;

/** One source type as monitoring sees it. */
export interface MonitoredType {
  readonly type: string;
  /** Its enabled instances (a type with none gets no alarm and no graph). */
  readonly instances: readonly SourceInstanceConfig[];
  readonly queue: sqs.IQueue;
  readonly logGroup: logs.ILogGroup;
}

export interface MonitoringProps {
  readonly config: MonitoringConfig;
  readonly types: readonly MonitoredType[];
  readonly dispatcher: { readonly function: lambda.IFunction; readonly logGroup: logs.ILogGroup };
  readonly delivery: { readonly type: DestinationType; readonly deliveryStreamName: string };
  readonly destination: DestinationConfig;
  /** Every alarm notifies this topic, on ALARM and on OK. */
  readonly topic: sns.ITopic;
  /** The pullers' and the dispatcher's dead letters: any message in it alarms. */
  readonly failedInvocations: sqs.IQueue;
}

/**
 * A metric of one source type, as the pullers and the dispatcher emit it: dimensions
 * service and SourceType only (a metric per instance would cost $0.30 a month each);
 * the instance is the EMF object's `SourceId` property, for Logs Insights.
 */
export function typeMetric(type: string, metricName: string, statistic: string, period = FIVE_MINUTES) {
  return new cloudwatch.Metric({
    namespace: METRIC_NAMESPACE,
    metricName,
    dimensionsMap: { ...SERVICE_DIMENSION, SourceType: type },
    statistic,
    period,
  });
}

/**
 * One evaluation period per schedule interval (at least 5 minutes), so a source
 * that runs hourly is not judged on the 5-minute periods in which it never runs;
 * shortened so `periods` of them fit CloudWatch's one-day evaluation range.
 */
export function periodFor(schedule: string, periods: number): Duration {
  const interval = Math.max(periodSecondsOf(schedule), FIVE_MINUTES.toSeconds());
  const fits = Math.floor(ONE_DAY_SECONDS / periods / 60) * 60;
  return Duration.seconds(Math.max(60, Math.min(interval, fits)));
}

/** The longest schedule among instances: a type's failures are judged on its slowest instance's periods. */
const slowestSchedule = (instances: readonly SourceInstanceConfig[]): string =>
  instances.reduce((slowest, source) => (periodSecondsOf(source.schedule) > periodSecondsOf(slowest) ? source.schedule : slowest), 'rate(5 minutes)');

/** Firehose's metric names per destination type (AWS/Firehose, dimension DeliveryStreamName). */
export const DELIVERY_METRIC_PREFIX: Record<DestinationType, string> = {
  s3: 'DeliveryToS3',
  splunk: 'DeliveryToSplunk',
  elastic: 'DeliveryToHttpEndpoint',
  'security-lake': 'DeliveryToS3',
};

/** How old the oldest undelivered record may get: buffering, plus retries for Splunk and Elastic, plus 15 minutes. */
export function freshnessBoundSeconds(destination: DestinationConfig): number {
  const margin = 900;
  switch (destination.type) {
    case 's3':
      return destination.bufferSeconds + margin;
    case 'splunk':
      return 60 + destination.ackTimeoutSeconds + destination.retrySeconds + margin;
    case 'elastic':
      return 300 + destination.retrySeconds + margin;
    case 'security-lake':
      return destination.bufferSeconds + margin;
  }
}

/**
 * Alarms per source type (failing runs, stalled instances, the queue's backlog) and
 * for the stack (failed invocations, the dispatcher, delivery), the saved Logs Insights
 * queries their descriptions name, and the dashboard. No alarm per instance: the
 * queries and the dispatcher's stalled-instances log line name the instances.
 */
export class Monitoring extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard?: cloudwatch.Dashboard;
  readonly queries: MonitoringQueries;
  private readonly action: actions.SnsAction;
  private readonly prefix: string;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { config } = props;
    this.action = new actions.SnsAction(props.topic);
    this.prefix = Stack.of(this).stackName;
    this.allowAlarmsToNotify(props.topic);
    const live = props.types.filter((type) => type.instances.length > 0);
    this.queries = new MonitoringQueries(this, 'Queries', {
      pullerLogGroups: live.map((type) => type.logGroup),
      dispatcherLogGroup: props.dispatcher.logGroup,
    });
    const names = this.queries.names;

    for (const { type, instances, queue } of live) {
      this.alarm(`Failures-${type}`, {
        alarmName: `${type}-runs-failing`,
        metric: typeMetric(type, 'RunsFailed', 'Sum', periodFor(slowestSchedule(instances), config.failedRunsToAlarm)),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: config.failedRunsToAlarm,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: ALARM_TEXT.failures(type, config.failedRunsToAlarm, names.failing),
      });
      this.alarm(`Stalled-${type}`, {
        alarmName: `${type}-instances-stalled`,
        // The dispatcher counts them every fifth minute from the cursor table.
        metric: typeMetric(type, 'StalledInstances', 'Maximum', FIVE_MINUTES),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        // No count means the dispatcher did not run: its own alarms say so.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: ALARM_TEXT.stalled(type, names.stalled),
      });
      this.alarm(`Backlog-${type}`, {
        alarmName: `${type}-queue-backlog`,
        metric: queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: 'Maximum' }),
        threshold: QUEUE_AGE_ALARM_SECONDS,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: ALARM_TEXT.backlog(type, QUEUE_AGE_ALARM_SECONDS, names.lagging),
      });
    }

    this.alarm('DispatcherErrors', {
      alarmName: 'dispatcher-errors',
      metric: props.dispatcher.function.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: ALARM_TEXT.dispatcherErrors(),
    });
    this.alarm('FailedInvocations', {
      alarmName: 'failed-invocations',
      metric: props.failedInvocations.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: ALARM_TEXT.failedInvocations(names.failing),
    });
    const delivery = this.deliveryMetrics(props);
    this.alarm('DeliverySuccess', {
      alarmName: 'delivery-failing',
      metric: delivery.success,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: ALARM_TEXT.deliverySuccess(props.delivery.type),
    });
    const freshness = freshnessBoundSeconds(props.destination);
    this.alarm('DeliveryFreshness', {
      alarmName: 'delivery-stale',
      metric: delivery.freshness,
      threshold: freshness,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: ALARM_TEXT.deliveryFreshness(props.delivery.type, freshness),
    });

    if (config.dashboard) this.dashboard = this.buildDashboard(props, live, delivery);
  }

  /** The stream's health, under the metric names Firehose uses for the destination type. */
  deliveryMetrics(props: MonitoringProps) {
    const base = DELIVERY_METRIC_PREFIX[props.delivery.type];
    const metric = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/Firehose',
        metricName,
        dimensionsMap: { DeliveryStreamName: props.delivery.deliveryStreamName },
        statistic,
        period: FIVE_MINUTES,
      });
    return {
      incoming: metric('IncomingRecords', 'Sum'),
      success: metric(`${base}.Success`, 'Average'),
      freshness: metric(`${base}.DataFreshness`, 'Maximum'),
    };
  }

  /**
   * CloudWatch encrypts each notification with the topic's key itself, so a
   * customer-managed key must say so in its policy: for this account's alarms
   * named for this stack only. (An AWS-managed aws/sns key cannot: alarms cannot
   * notify a topic encrypted with it.)
   */
  private allowAlarmsToNotify(topic: sns.ITopic): void {
    const stack = Stack.of(this);
    const alarms = stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: `${this.prefix}-*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    topic.masterKey?.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AlarmsNotifyTheAlertTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        // A key policy's statements are about the key itself.
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': alarms } },
      }),
    );
  }

  private alarm(id: string, props: cloudwatch.AlarmProps & { alarmName: string }): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, { ...props, alarmName: `${this.prefix}-${props.alarmName}` });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }

  private buildDashboard(props: MonitoringProps, live: readonly MonitoredType[], delivery: ReturnType<Monitoring['deliveryMetrics']>): cloudwatch.Dashboard {
    const stackName = Stack.of(this).stackName;
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      // `cloudtap` for the default stack; a second stack in the region gets its own.
      dashboardName: stackName === 'Cloudtap' ? 'cloudtap' : `cloudtap-${stackName}`,
      defaultInterval: Duration.days(1),
    });
    const graph = (title: string, left: cloudwatch.IMetric[], extra: Partial<cloudwatch.GraphWidgetProps> = {}) =>
      new cloudwatch.GraphWidget({ title, left, width: 6, height: 6, ...extra });
    dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'cloudtap alarms', alarms: this.alarms, width: 24, height: 4 }));
    const lagBound = props.config.maxLagMinutes * 60;
    for (const { type, queue } of live) {
      dashboard.addWidgets(
        graph(`${type}: worst ingestion lag (s)`, [typeMetric(type, 'IngestionLagSeconds', 'Maximum')], {
          leftAnnotations: [{ value: lagBound, label: 'monitoring.maxLagMinutes', color: cloudwatch.Color.RED }],
        }),
        graph(`${type}: events pulled / delivered`, [typeMetric(type, 'EventsPulled', 'Sum'), typeMetric(type, 'EventsDelivered', 'Sum')]),
        graph(`${type}: runs failed / skipped, throttling`, [
          typeMetric(type, 'RunsFailed', 'Sum'),
          typeMetric(type, 'RunsSkipped', 'Sum'),
          typeMetric(type, 'ThrottledRetries', 'Sum'),
        ]),
        graph(`${type}: stalled instances, queue age (s)`, [typeMetric(type, 'StalledInstances', 'Maximum')], {
          right: [queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: 'Maximum' })],
        }),
      );
    }
    dashboard.addWidgets(...this.queries.widgets());
    const search = (metricName: string) =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{${METRIC_NAMESPACE},RuleId,SourceType,service} MetricName="${metricName}"', 'Sum', 300)`,
        label: '',
        period: FIVE_MINUTES,
      });
    dashboard.addWidgets(
      graph(`delivery (${props.delivery.type}): incoming records`, [delivery.incoming]),
      graph(`delivery (${props.delivery.type}): success ratio`, [delivery.success], { leftYAxis: { min: 0, max: 1 } }),
      graph(`delivery (${props.delivery.type}): data freshness (s)`, [delivery.freshness]),
      graph('alerts raised by rule', [search('AlertsRaised')]),
    );
    dashboard.addWidgets(
      graph('alerts suppressed (dedup) by rule', [search('AlertsSuppressed')], { width: 12 }),
      graph('alerts deferred (outbox) by rule', [search('AlertsDeferred')], { width: 12 }),
    );
    return dashboard;
  }
}
