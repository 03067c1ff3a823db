import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { CloudtapConfig } from '../shared/config/load';
import type { Registry } from '../shared/providers/definition';
import { Alerting } from './constructs/alerting';
import { CursorTable } from './constructs/cursor-table';
import { createDelivery } from './constructs/delivery';
import type { Delivery } from './constructs/delivery-contract';
import { EncryptionKey } from './constructs/encryption-key';
import { FailedInvocations } from './constructs/failed-invocations';
import { Monitoring } from './constructs/monitoring';
import { SourcePuller, secretNameFor } from './constructs/source-puller';

/** The repository root: bundling resolves modules and the lock file from here, whatever the cwd. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The one puller entry: every source type's function bundles it, told its type by FUNCTION_ENV.sourceType. */
export const PULL_ENTRY = join(PROJECT_ROOT, 'functions', 'pull', 'handler.ts');

/** The entry of a source type's function: the same for every type. */
export const defaultEntry = (_type: string): string => PULL_ENTRY;

export interface CloudtapStackProps extends StackProps {
  /** A validated configuration (`loadConfigFile` / `parseConfig`). */
  readonly config: CloudtapConfig;
  readonly registry: Registry;
  /** Where a source type's handler lives; defaults to functions/pull/handler.ts for every type. */
  readonly entryFor?: (type: string) => string;
}

export class CloudtapStack extends Stack {
  /** The customer-managed key everything with data at rest is encrypted with. */
  readonly encryptionKey: EncryptionKey;
  readonly cursorTable: CursorTable;
  /** The alert topic and bus every puller publishes to. */
  readonly alerting: Alerting;
  /** The Firehose stream to the configured destination, its bucket and its secret. */
  readonly delivery: Delivery;
  /** Source type -> its puller. */
  readonly pullers = new Map<string, SourcePuller>();
  /** The queue Lambda sends failed and expired puller invocations to. */
  readonly failedInvocations: FailedInvocations;
  /** Alarms on lag, failures and delivery, notifying the alert topic, and the dashboard. */
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: CloudtapStackProps) {
    super(scope, id, props);
    const { config, registry } = props;
    const entryFor = props.entryFor ?? defaultEntry;

    this.encryptionKey = new EncryptionKey(this, 'EncryptionKey');
    const { key } = this.encryptionKey;
    this.cursorTable = new CursorTable(this, 'CursorTable', { encryptionKey: key });
    this.delivery = createDelivery(this, 'Delivery', config.destination, key);
    this.alerting = new Alerting(this, 'Alerting', { alerts: config.alerts, stateTable: this.cursorTable, encryptionKey: key });
    this.failedInvocations = new FailedInvocations(this, 'FailedInvocations', { encryptionKey: key });

    for (const type of new Set(config.sources.map((source) => source.type))) {
      const definition = registry.get(type);
      if (!definition) throw new Error(`no source definition registered for type "${type}"`);
      this.pullers.set(
        type,
        new SourcePuller(this, `Puller-${type}`, {
          definition,
          instances: config.sources.filter((source) => source.type === type),
          cursorTable: this.cursorTable,
          deliveryStream: this.delivery,
          destination: this.delivery.functionDestination,
          entry: entryFor(type),
          projectRoot: PROJECT_ROOT,
          alerting: this.alerting,
          rules: config.rules,
          encryptionKey: key,
          onFailure: this.failedInvocations,
          reservedConcurrencyPerSource: config.deployment.reservedConcurrencyPerSource,
        }),
      );
    }

    this.monitoring = new Monitoring(this, 'Monitoring', {
      config: config.monitoring,
      sources: config.sources,
      functions: new Map([...this.pullers].map(([type, puller]) => [type, puller.function])),
      delivery: this.delivery,
      destination: config.destination,
      topic: this.alerting.topic,
      failedInvocations: this.failedInvocations.queue,
    });

    if (this.delivery.type === 's3') {
      Validations.of(this).acknowledge({
        id: 'CloudFormation-Validate::W7001',
        reason: 'the Firehose L2 always adds its CIDR mapping, used only by VPC destinations',
      });
    }

    // Export names are prefixed with the stack name so two cloudtap stacks can share a region.
    const output = (scope: Construct, id: string, value: string, description: string) =>
      new CfnOutput(scope, id, { value, description, exportName: `${this.stackName}-${id}` });
    output(this, 'CursorTableName', this.cursorTable.table.tableName, 'DynamoDB table holding cursors and leases');
    output(this, 'DeliveryStreamName', this.delivery.deliveryStreamName, `Firehose delivery stream to ${this.delivery.type}`);
    const bucketHolds = this.delivery.type === 's3' ? 'receiving the events' : `where Firehose backs up records for ${this.delivery.type}`;
    output(this, 'BucketName', this.delivery.bucket.bucketName, `S3 bucket ${bucketHolds}`);
    if (this.delivery.secretName) {
      const what = `Secret Firehose reads the ${this.delivery.type} credential from; set it after deploy`;
      output(this, 'DestinationSecretName', this.delivery.secretName, what);
    }
    output(this, 'AlertTopicArn', this.alerting.topicArn, 'SNS topic cloudtap publishes alerts to');
    output(this, 'AlertBusName', this.alerting.busName, 'EventBridge bus receiving "cloudtap alert" events');
    output(this, 'EncryptionKeyArn', key.keyArn, 'KMS key encrypting the table, buckets, stream, secrets, topic and queue');
    output(this, 'FailedInvocationsQueueUrl', this.failedInvocations.queue.queueUrl, 'SQS queue holding failed puller invocations');
    // Under their own scope: ids with hyphens would otherwise collide once made alphanumeric.
    const secretOutputs = new Construct(this, 'SecretNames');
    for (const puller of this.pullers.values()) {
      for (const sourceId of puller.secrets.keys()) {
        output(secretOutputs, `Secret-${sourceId}`, secretNameFor(sourceId), `Credentials secret for source ${sourceId}`);
      }
    }
  }
}
