import { Annotations, ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { MonitoringConfig } from '../../shared/config/monitoring';
import type { DestinationConfig } from '../../shared/config/schema';
import type { SourceInstanceConfig } from '../../shared/providers/definition';
import type { DestinationType } from './delivery-contract';
import { FAILED_INVOCATION_RETENTION } from './failed-invocations';
import { stalenessBound } from './source-puller';

/** Where the runs' EMF metrics land: Powertools adds `service` to every dimension set. */
export const METRIC_NAMESPACE = 'cloudtap';
export const SERVICE_DIMENSION = { service: 'cloudtap' } as const;
const FIVE_MINUTES = Duration.minutes(5);
const ONE_DAY_SECONDS = 86_400;
/** Lag is judged over this many periods, all of which must breach. */
export const LAG_EVALUATION_PERIODS = 3;

export interface MonitoringProps {
  readonly config: MonitoringConfig;
  /** Every configured instance; disabled ones get no alarm and no graph. */
  readonly sources: readonly SourceInstanceConfig[];
  /** Source type -> its puller function. */
  readonly functions: ReadonlyMap<string, lambda.IFunction>;
  readonly delivery: { readonly type: DestinationType; readonly deliveryStreamName: string };
  readonly destination: DestinationConfig;
  /** Every alarm notifies this topic, on ALARM and on OK. */
  readonly topic: sns.ITopic;
  /** The pullers' on-failure destination: any message in it alarms. */
  readonly failedInvocations: sqs.IQueue;
}

/** A run metric of one source instance, as the pullers emit it. */
export function sourceMetric(source: Pick<SourceInstanceConfig, 'id' | 'type'>, metricName: string, statistic: string, period = FIVE_MINUTES) {
  return new cloudwatch.Metric({
    namespace: METRIC_NAMESPACE,
    metricName,
    dimensionsMap: { ...SERVICE_DIMENSION, SourceType: source.type, SourceId: source.id },
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
  const interval = Math.max(stalenessBound(schedule).toSeconds(), FIVE_MINUTES.toSeconds());
  const fits = Math.floor(ONE_DAY_SECONDS / periods / 60) * 60;
  return Duration.seconds(Math.max(60, Math.min(interval, fits)));
}

/** Firehose's metric names per destination type (AWS/Firehose, dimension DeliveryStreamName). */
export const DELIVERY_METRIC_PREFIX: Record<DestinationType, string> = {
  s3: 'DeliveryToS3',
  splunk: 'DeliveryToSplunk',
  elastic: 'DeliveryToHttpEndpoint',
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
  }
}

/** Alarm descriptions: what it means, then what to do (docs/operations.md says the same). */
export const ALARM_TEXT = {
  lag: (id: string, minutes: number) =>
    `cloudtap source ${id} is more than ${minutes} minutes behind, or has stopped reporting. ` +
    `Check: npx cloudtap status, then the function's log group for "run failed" with sourceId ${id} (credentials in secret cloudtap/${id}, provider errors, throttling). ` +
    `Once runs succeed the cursor catches up by itself; past the provider's retention, backfill the gap with cloudtap backfill.`,
  failures: (id: string, periods: number) =>
    `Every run of cloudtap source ${id} failed in ${periods} consecutive periods; its cursor is not moving, and nothing is lost until the provider's retention runs out. ` +
    `Read the "run failed" log lines for sourceId ${id}: authentication (fix the secret cloudtap/${id} or the key's permissions), provider outage or throttling (wait), or delivery (see the delivery alarms).`,
  functionErrors: (type: string, periods: number) =>
    `The ${type} puller function ended with an error in ${periods} consecutive 5-minute periods. ` +
    `Its log group says which source and why; also look for timeouts or out-of-memory (then shorten the schedule so runs stay small, or raise the memory).`,
  functionThrottles: (type: string) =>
    `Lambda throttled invocations of the ${type} puller: the function used up its reserved concurrency (deployment.reservedConcurrencyPerSource per enabled source), or the account ran out. Lambda retries a throttled run for up to one schedule period, then the next scheduled run picks up from the cursor. ` +
    `If it persists, raise deployment.reservedConcurrencyPerSource (or the account's concurrency quota), or look for runs that take longer than their schedule interval.`,
  failedInvocations: () =>
    `At least one scheduled puller invocation failed or expired unrun; its record waits in the stack's failed-invocations queue (output FailedInvocationsQueueUrl) for up to ${FAILED_INVOCATION_RETENTION.toDays()} days. ` +
    `Read the messages: requestPayload.source.id names the source, requestContext.condition says why. RetriesExhausted: the run failed (its "run failed" log line says why; the next scheduled run retries from the cursor). ` +
    `EventAgeExceeded: Lambda never started it (throttled; see the throttles alarm). Once understood, purge the queue: the alarm clears when it is empty.`,
  deliverySuccess: (type: DestinationType) =>
    `Firehose failed to deliver to the ${type} destination in 3 consecutive 5-minute periods. Events are not lost: Firehose retries, then backs failed records up to the bucket. ` +
    (type === 's3'
      ? 'Check the bucket still exists and the stream role may write to it (and its KMS key), and the stream\'s error logs.'
      : `Check the destination is up and reachable, and that the credential in the destination secret is valid; then send the records Firehose backed up to the bucket again with cloudtap replay.`),
  deliveryFreshness: (type: DestinationType, seconds: number) =>
    `Records have waited in Firehose more than ${seconds} seconds for the ${type} destination: delivery is stuck or far behind. ` +
    `See the delivery success alarm and the stream's error logs; a slow destination (Splunk indexer acknowledgements, Elastic ingest) or a throttled bucket are the usual causes.`,
};

/** Alarms per enabled source, per puller function and on the delivery stream, and the `cloudtap` dashboard. */
export class Monitoring extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard?: cloudwatch.Dashboard;
  private readonly action: actions.SnsAction;
  private readonly prefix: string;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { config } = props;
    this.action = new actions.SnsAction(props.topic);
    this.prefix = Stack.of(this).stackName;
    this.allowAlarmsToNotify(props.topic);
    const enabled = props.sources.filter((source) => source.enabled);
    const lagThreshold = config.maxLagMinutes * 60;

    for (const source of enabled) {
      const lagPeriod = periodFor(source.schedule, LAG_EVALUATION_PERIODS);
      // Every run trails now by the source's lag plus up to one schedule interval: a bound below that always alarms.
      const floor = source.lagSeconds + stalenessBound(source.schedule).toSeconds();
      if (lagThreshold <= floor) {
        Annotations.of(this).addWarningV2(
          `cloudtap:lag-bound:${source.id}`,
          `monitoring.maxLagMinutes (${config.maxLagMinutes}) is not above ${source.id}'s lag plus its schedule interval (${Math.ceil(floor / 60)} minutes): its lag alarm will always fire`,
        );
      }
      this.alarm(`Lag-${source.id}`, {
        alarmName: `${source.id}-ingestion-lag`,
        metric: sourceMetric(source, 'IngestionLagSeconds', 'Maximum', lagPeriod),
        threshold: lagThreshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: LAG_EVALUATION_PERIODS,
        // A function that stopped running emits nothing at all: silence must page too.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        alarmDescription: ALARM_TEXT.lag(source.id, config.maxLagMinutes),
      });
      this.alarm(`Failures-${source.id}`, {
        alarmName: `${source.id}-runs-failing`,
        metric: sourceMetric(source, 'RunsFailed', 'Sum', periodFor(source.schedule, config.failedRunsToAlarm)),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: config.failedRunsToAlarm,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: ALARM_TEXT.failures(source.id, config.failedRunsToAlarm),
      });
    }

    const liveTypes = new Set(enabled.map((source) => source.type));
    for (const [type, fn] of props.functions) {
      if (!liveTypes.has(type)) continue;
      this.alarm(`Errors-${type}`, {
        alarmName: `${type}-function-errors`,
        metric: fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: config.failedRunsToAlarm,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: ALARM_TEXT.functionErrors(type, config.failedRunsToAlarm),
      });
      this.alarm(`Throttles-${type}`, {
        alarmName: `${type}-function-throttles`,
        metric: fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: ALARM_TEXT.functionThrottles(type),
      });
    }

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
    this.alarm('FailedInvocations', {
      alarmName: 'failed-invocations',
      metric: props.failedInvocations.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: ALARM_TEXT.failedInvocations(),
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

    if (config.dashboard) this.dashboard = this.buildDashboard(props, enabled, lagThreshold, delivery);
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

  private buildDashboard(
    props: MonitoringProps,
    enabled: readonly SourceInstanceConfig[],
    lagThreshold: number,
    delivery: ReturnType<Monitoring['deliveryMetrics']>,
  ): cloudwatch.Dashboard {
    const stackName = Stack.of(this).stackName;
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      // `cloudtap` for the default stack; a second stack in the region gets its own.
      dashboardName: stackName === 'Cloudtap' ? 'cloudtap' : `cloudtap-${stackName}`,
      defaultInterval: Duration.days(1),
    });
    const graph = (title: string, left: cloudwatch.IMetric[], extra: Partial<cloudwatch.GraphWidgetProps> = {}) =>
      new cloudwatch.GraphWidget({ title, left, width: 6, height: 6, ...extra });
    dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'cloudtap alarms', alarms: this.alarms, width: 24, height: 4 }));
    for (const source of enabled) {
      dashboard.addWidgets(
        graph(`${source.id}: ingestion lag (s)`, [sourceMetric(source, 'IngestionLagSeconds', 'Maximum')], {
          leftAnnotations: [{ value: lagThreshold, label: 'alarm bound', color: cloudwatch.Color.RED }],
        }),
        graph(`${source.id}: events pulled / delivered`, [
          sourceMetric(source, 'EventsPulled', 'Sum'),
          sourceMetric(source, 'EventsDelivered', 'Sum'),
        ]),
        graph(`${source.id}: failures and throttling`, [
          sourceMetric(source, 'RunsFailed', 'Sum'),
          sourceMetric(source, 'ThrottledRetries', 'Sum'),
          sourceMetric(source, 'MappingErrors', 'Sum'),
        ]),
        graph(`${source.id}: run duration (ms)`, [
          sourceMetric(source, 'RunDurationMs', 'Average'),
          sourceMetric(source, 'RunDurationMs', 'Maximum'),
        ]),
      );
    }
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
