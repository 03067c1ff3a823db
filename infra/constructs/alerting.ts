import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DEFAULT_BUS_NAME, type AlertsConfig } from '../../shared/config/alerts';
import { ENVELOPE_WRITE_ACTIONS, grantKeyUse } from './encryption-key';
import { sha256Hex } from '../../shared/lib/hashing';

/**
 * What the alert router sends the cursor table: dedup claims (conditional
 * Update, Get) and outbox items (Put, Get, Update, Delete once published);
 * stale ones expire by TTL on `expiresAt`. No Scan, Query or batch writes.
 */
export const ALERT_STATE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] as const;

/** The keys of those items (shared/alerts/dedup.ts, outbox-dynamodb.ts): shared by every puller, whatever its type. */
export const ALERT_STATE_KEYS = ['alert#*', 'outbox#*', 'outbox-index'] as const;

export const AWS_MANAGED_SNS_KEY = 'alias/aws/sns';

export interface AlertingProps {
  readonly alerts: AlertsConfig;
  /** A customer-managed key for the topic; the AWS-managed aws/sns key when absent. */
  readonly encryptionKey?: kms.IKey;
}

/** What a puller needs to know about alerting: where to send, and the grant to do it. */
export interface AlertTarget {
  readonly topicArn: string;
  readonly busName: string;
  readonly siemLink?: string;
  grantPublishAlerts(grantee: iam.IGrantable): void;
}

/**
 * The SNS topic people subscribe to (email, https) and the EventBridge bus
 * that routes alerts to chat or paging tools (detail-type `cloudtap alert`).
 */
export class Alerting extends Construct implements AlertTarget {
  readonly topic: sns.Topic;
  readonly bus: events.IEventBus;
  readonly topicArn: string;
  readonly busName: string;
  readonly siemLink?: string;
  private readonly encryptionKey?: kms.IKey;

  constructor(scope: Construct, id: string, props: AlertingProps) {
    super(scope, id);
    const { alerts } = props;
    this.encryptionKey = props.encryptionKey;
    this.siemLink = alerts.siemLink;

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'cloudtap alerts',
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    // aws/sns lets anyone in the account use it through SNS: publishers need no key grant, so no IKey either.
    if (!props.encryptionKey) (this.topic.node.defaultChild as sns.CfnTopic).kmsMasterKeyId = AWS_MANAGED_SNS_KEY;
    const subscribe = (protocol: sns.SubscriptionProtocol, kind: string, endpoint: string) =>
      // Ids from a hash of the endpoint: stable when the list is reordered (an email subscription
      // replaced needs confirming again), and no webhook token in a logical id.
      new sns.Subscription(this, `${kind}-${sha256Hex(endpoint).slice(0, 12)}`, {
        topic: this.topic,
        protocol,
        endpoint,
      });
    for (const address of alerts.email) subscribe(sns.SubscriptionProtocol.EMAIL, 'Email', address);
    for (const url of alerts.https) subscribe(sns.SubscriptionProtocol.HTTPS, 'Https', url);
    this.topicArn = this.topic.topicArn;

    this.bus =
      alerts.eventBusName === DEFAULT_BUS_NAME
        ? events.EventBus.fromEventBusName(this, 'Bus', DEFAULT_BUS_NAME)
        : new events.EventBus(this, 'Bus', { eventBusName: alerts.eventBusName, description: 'cloudtap alerts' });
    this.busName = this.bus.eventBusName;
  }

  /**
   * Publish on this topic and put events on this bus, nothing else (the alert
   * state in the cursor table is part of the puller's one table grant). A
   * customer-managed topic key is granted for publishing to this topic only.
   */
  grantPublishAlerts(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({ grantee, actions: ['sns:Publish'], resourceArns: [this.topic.topicArn] });
    if (this.encryptionKey) {
      grantKeyUse(this.encryptionKey, grantee, 'sns', ENVELOPE_WRITE_ACTIONS, { 'aws:sns:topicArn': this.topic.topicArn });
    }
    this.bus.grantPutEventsTo(grantee);
  }
}
