import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Stack, Tags, Validations, type StackProps } from 'aws-cdk-lib';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { CloudtapConfig } from '../shared/config/load';
import { secretNameBySet } from '../shared/ops/credential-secret-name';
import { dispatchTableOf } from '../shared/runtime/dispatch-table';
import type { Registry } from '../shared/providers/definition';
import { Alerting } from './constructs/alerting';
import { credentialSecret } from './constructs/credential-secret';
import { CursorTable } from './constructs/cursor-table';
import { createDelivery } from './constructs/delivery';
import type { Delivery } from './constructs/delivery-contract';
import { Dispatcher } from './constructs/dispatcher';
import { EncryptionKey } from './constructs/encryption-key';
import { FailedInvocations } from './constructs/failed-invocations';
import { Monitoring } from './constructs/monitoring';
import { SourcePuller } from './constructs/source-puller';

/** The repository root: bundling resolves modules and the lock file from here, whatever the cwd. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The one puller entry: every source type's function bundles it, told its type by FUNCTION_ENV.sourceType. */
export const PULL_ENTRY = join(PROJECT_ROOT, 'functions', 'pull', 'handler.ts');

/** The dispatcher's entry. */
export const DISPATCH_ENTRY = join(PROJECT_ROOT, 'functions', 'dispatch', 'handler.ts');

/** The entry of a source type's function: the same for every type. */
export const defaultEntry = (_type: string): string => PULL_ENTRY;

export interface CloudtapStackProps extends StackProps {
  /** A validated configuration (`loadConfigFile` / `parseConfig`). */
  readonly config: CloudtapConfig;
  readonly registry: Registry;
  /** Where a source type's handler lives; defaults to functions/pull/handler.ts for every type. */
  readonly entryFor?: (type: string) => string;
  /** The dispatcher's handler; defaults to functions/dispatch/handler.ts. */
  readonly dispatchEntry?: string;
}

export class CloudtapStack extends Stack {
  /** The customer-managed key everything with data at rest is encrypted with. */
  readonly encryptionKey: EncryptionKey;
  readonly cursorTable: CursorTable;
  /** The alert topic and bus every puller publishes to. */
  readonly alerting: Alerting;
  /** The Firehose stream to the configured destination, its bucket and its secret. */
  readonly delivery: Delivery;
  /** Source type -> its puller (function, queue, per-instance secrets). */
  readonly pullers = new Map<string, SourcePuller>();
  /** Declared (shared) credential set -> its secret `<stackName>/<set>`. */
  readonly sharedSecrets = new Map<string, secretsmanager.Secret>();
  /** The one schedule: every minute, it sends the due instances to their types' queues. */
  readonly dispatcher: Dispatcher;
  /** The dead letters of the pull queues and the dispatcher. */
  readonly failedInvocations: FailedInvocations;
  /** Alarms per source type and on the dispatcher and delivery, notifying the alert topic, and the dashboard. */
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: CloudtapStackProps) {
    super(scope, id, props);
    const { registry } = props;
    const { config } = props;
    const entryFor = props.entryFor ?? defaultEntry;
    for (const [name, value] of Object.entries(config.deployment.tags)) Tags.of(this).add(name, value);

    this.encryptionKey = new EncryptionKey(this, 'EncryptionKey');
    const { key } = this.encryptionKey;
    this.cursorTable = new CursorTable(this, 'CursorTable', { encryptionKey: key });
    this.delivery = createDelivery(this, 'Delivery', config.destination, key);
    this.alerting = new Alerting(this, 'Alerting', { alerts: config.alerts, encryptionKey: key });
    this.failedInvocations = new FailedInvocations(this, 'FailedInvocations', { encryptionKey: key });

    const secretNameOf = secretNameBySet(config, this.stackName);
    const sharedScope = new Construct(this, 'Credentials');
    for (const set of config.credentialSets.filter((set) => !set.perInstance)) {
      this.sharedSecrets.set(set.name, credentialSecret(sharedScope, `Secret-${set.name}`, set, secretNameOf(set.name), key));
    }

    for (const type of new Set(config.sources.map((source) => source.type))) {
      const definition = registry.get(type);
      if (!definition) throw new Error(`no source definition registered for type "${type}"`);
      const instances = config.sources.filter((source) => source.type === type);
      const used = new Set(instances.map((source) => source.credentialSet));
      this.pullers.set(
        type,
        new SourcePuller(this, `Puller-${type}`, {
          definition,
          instances,
          perInstanceSets: config.credentialSets.filter((set) => set.perInstance && used.has(set.name)),
          secretNames: [...used].map(secretNameOf),
          cursorTable: this.cursorTable,
          deliveryStream: this.delivery,
          destination: this.delivery.functionDestination,
          entry: entryFor(type),
          projectRoot: PROJECT_ROOT,
          alerting: this.alerting,
          rules: config.rules,
          encryptionKey: key,
          deadLetterQueue: this.failedInvocations.queue,
          concurrency: config.deployment.concurrency,
        }),
      );
    }

    this.dispatcher = new Dispatcher(this, 'Dispatcher', {
      table: dispatchTableOf(config, this.stackName),
      queues: new Map([...this.pullers].map(([type, puller]) => [type, puller.queue])),
      cursorTable: this.cursorTable,
      encryptionKey: key,
      entry: props.dispatchEntry ?? DISPATCH_ENTRY,
      projectRoot: PROJECT_ROOT,
      onFailure: this.failedInvocations,
    });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      config: config.monitoring,
      types: [...this.pullers].map(([type, puller]) => ({
        type,
        instances: config.sources.filter((source) => source.enabled && source.type === type),
        queue: puller.queue,
        logGroup: puller.function.logGroup,
      })),
      dispatcher: { function: this.dispatcher.function, logGroup: this.dispatcher.function.logGroup },
      delivery: this.delivery,
      destination: config.destination,
      topic: this.alerting.topic,
      failedInvocations: this.failedInvocations.queue,
    });

    if (this.delivery.type === 's3' || this.delivery.type === 'security-lake') {
      Validations.of(this).acknowledge({
        id: 'CloudFormation-Validate::W7001',
        reason: 'the Firehose L2 always adds its CIDR mapping, used only by VPC destinations',
      });
    }

    // Export names are prefixed with the stack name so two cloudtap stacks can share a region.
    const output = (scope: Construct, id: string, value: string, description: string) =>
      new CfnOutput(scope, id, { value, description, exportName: `${this.stackName}-${id}` });
    output(this, 'CursorTableName', this.cursorTable.table.tableName, 'DynamoDB table holding cursors and leases');
    const lake = this.delivery.type === 'security-lake';
    output(this, 'DeliveryStreamName', this.delivery.deliveryStreamName, lake ? 'Firehose delivery stream of OCSF API Activity into Security Lake' : `Firehose delivery stream to ${this.delivery.type}`);
    const bucketHolds =
      this.delivery.type === 's3' ? 'receiving the events' : lake ? "of Security Lake, receiving the events (and Firehose's error prefix)" : `where Firehose backs up records for ${this.delivery.type}`;
    output(this, 'BucketName', this.delivery.bucket.bucketName, `S3 bucket ${bucketHolds}`);
    if (this.delivery.secretName) {
      const what = `Secret Firehose reads the ${this.delivery.type} credential from; set it after deploy`;
      output(this, 'DestinationSecretName', this.delivery.secretName, what);
    }
    output(this, 'AlertTopicArn', this.alerting.topicArn, 'SNS topic cloudtap publishes alerts to');
    output(this, 'AlertBusName', this.alerting.busName, 'EventBridge bus receiving "cloudtap alert" events');
    output(this, 'EncryptionKeyArn', key.keyArn, 'KMS key encrypting the table, buckets, stream, secrets, topic and queues');
    output(this, 'FailedInvocationsQueueUrl', this.failedInvocations.queue.queueUrl, 'SQS queue holding failed runs and dispatches');
    output(this, 'DispatcherFunctionName', this.dispatcher.function.functionName, 'Lambda function sending due source instances to their pull queues');
  }
}
