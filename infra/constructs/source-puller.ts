import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { RulesConfig } from '../../shared/config/alerts';
import { rateSeconds } from '../../shared/lib/schedule';
import { credentialSecretName, type DeployedCredentialSet } from '../../shared/ops/credential-secret-name';
import type { SourceDefinition, SourceInstanceConfig } from '../../shared/providers/definition';
import { BUNDLED_RULES_FILE, renderBundledRules } from '../../shared/runtime/bundled-rules';
import { FUNCTION_ENV, destinationEnv } from '../../shared/runtime/invocation';
import type { DestinationFormat } from '../../shared/sinks/encoders/for-format';
import { ALERT_STATE_ACTIONS, ALERT_STATE_KEYS, type AlertTarget } from './alerting';
import { cloudtapFunction } from './cloudtap-function';
import { credentialSecret, grantReadSecrets } from './credential-secret';
import { CURSOR_TABLE_ACTIONS, type CursorTable } from './cursor-table';
import type { DeliveryTarget } from './delivery-contract';
import { grantKeyUse } from './encryption-key';

/** How long one run may take: a run stops requesting pages 30 s before it (shared/core/budget.ts). */
export const PULLER_TIMEOUT = Duration.minutes(5);
/**
 * A message's invisibility while a run works on it: the run's timeout plus a minute
 * for Lambda to report back. A run that outlives it failed; its message then goes
 * to the failed-invocations queue (maxReceiveCount 1), never to a second run.
 */
export const PULL_VISIBILITY_TIMEOUT = PULLER_TIMEOUT.plus(Duration.minutes(1));

/** What the puller's role may do to queue messages, as Lambda's SQS poller does it with the function's role. */
export const QUEUE_CONSUME_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'] as const;

export interface SourcePullerProps {
  /** The source type's definition: its type name and credential fields. */
  readonly definition: SourceDefinition<any>;
  /** Every configured instance of this type, enabled or not. */
  readonly instances: readonly SourceInstanceConfig[];
  /** The per-instance credential sets of these instances: their secrets live here, as before sets existed. */
  readonly perInstanceSets: readonly DeployedCredentialSet[];
  /** The names of the secrets of every set these instances use; the function may read those only. */
  readonly secretNames: readonly string[];
  readonly cursorTable: CursorTable;
  readonly deliveryStream: DeliveryTarget;
  /** The record format the function encodes for. */
  readonly destination: DestinationFormat;
  /** The handler file, normally functions/pull/handler.ts. */
  readonly entry: string;
  /** The folder holding package-lock.json; esbuild resolves modules from here. */
  readonly projectRoot: string;
  /** Where alerts go; without it the function gets no alerting environment or grant. */
  readonly alerting?: AlertTarget;
  /** The configured `rules` section, written into the bundle as cloudtap-rules.json. */
  readonly rules?: RulesConfig;
  /** Encrypts the queue and the credentials secrets. */
  readonly encryptionKey: kms.IKey;
  /** Where a message goes after a run that failed on it (the stack's failed-invocations queue). */
  readonly deadLetterQueue: sqs.IQueue;
  /** `deployment.concurrency`: runs at once (the event source mapping's MaximumConcurrency). */
  readonly concurrency: number;
}

/**
 * One source type: one Lambda function fed by its own queue (the dispatcher sends
 * each due instance there), and the secrets of its per-instance credential sets.
 * Nothing here grows with the number of instances.
 */
export class SourcePuller extends Construct {
  readonly function: NodejsFunction;
  readonly queue: sqs.Queue;
  /** Per-instance set name (= instance id) -> its secret `cloudtap/<id>`. */
  readonly secrets = new Map<string, secretsmanager.Secret>();

  constructor(scope: Construct, id: string, props: SourcePullerProps) {
    super(scope, id);
    const { definition } = props;
    const type = definition.type;
    const rulesFile = props.rules && renderBundledRules(props.rules);

    this.function = cloudtapFunction(this, {
      description: `cloudtap puller for ${type}`,
      entry: props.entry,
      projectRoot: props.projectRoot,
      memorySize: 512,
      timeout: PULLER_TIMEOUT,
      environment: {
        [FUNCTION_ENV.sourceType]: type,
        [FUNCTION_ENV.tableName]: props.cursorTable.table.tableName,
        [FUNCTION_ENV.deliveryStreamName]: props.deliveryStream.deliveryStreamName,
        [FUNCTION_ENV.destination]: destinationEnv(props.destination),
        ...props.deliveryStream.functionEnvironment,
        [FUNCTION_ENV.stackName]: Stack.of(this).stackName,
        ...(props.alerting && {
          [FUNCTION_ENV.alertTopicArn]: props.alerting.topicArn,
          [FUNCTION_ENV.alertBusName]: props.alerting.busName,
          ...(props.alerting.siemLink && { [FUNCTION_ENV.siemLink]: props.alerting.siemLink }),
        }),
      },
      // Rules may outgrow the environment (4 KB): they ride in the bundle.
      ...(rulesFile && { files: { [BUNDLED_RULES_FILE]: rulesFile } }),
    });

    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      visibilityTimeout: PULL_VISIBILITY_TIMEOUT,
      // One receive: a failed run is not retried here (the next due run resumes from the
      // cursor); its message is kept in the failed-invocations queue, where it alarms.
      deadLetterQueue: { queue: props.deadLetterQueue, maxReceiveCount: 1 },
    });
    new lambda.EventSourceMapping(this, 'Pulls', {
      target: this.function,
      eventSourceArn: this.queue.queueArn,
      // One message is one run: a failed run returns only its own message.
      batchSize: 1,
      maxConcurrency: props.concurrency,
      reportBatchItemFailures: true,
    });
    iam.Grant.addToPrincipal({ grantee: this.function, actions: [...QUEUE_CONSUME_ACTIONS], resourceArns: [this.queue.queueArn] });
    grantKeyUse(props.encryptionKey, this.function, 'sqs', ['kms:Decrypt'], { 'aws:sqs:arn': this.queue.queueArn });

    for (const set of props.perInstanceSets) {
      const name = credentialSecretName(set, Stack.of(this).stackName);
      this.secrets.set(set.name, credentialSecret(this, `Secret-${set.name}`, set, name, props.encryptionKey));
    }
    grantReadSecrets(this.function, props.encryptionKey, props.secretNames);

    // Its own type's cursors and pacing slots, and the alert state every type shares: nothing of another type.
    const withAlerts = props.alerting !== undefined;
    const actions = withAlerts ? [...new Set([...CURSOR_TABLE_ACTIONS, ...ALERT_STATE_ACTIONS])] : [...CURSOR_TABLE_ACTIONS];
    props.cursorTable.grantItems(this.function, actions, pullerLeadingKeys(type, withAlerts));
    props.deliveryStream.grantPutRecords(this.function);
    props.alerting?.grantPublishAlerts(this.function);
  }
}

/** The cursor-table keys a puller of `type` may touch (`dynamodb:LeadingKeys`). */
export function pullerLeadingKeys(type: string, withAlerts = true): string[] {
  return [`source#${type}#*`, `pace#${type}#*`, ...(withAlerts ? ALERT_STATE_KEYS : [])];
}

/** One schedule period in seconds, within EventBridge's 1 minute to 24 hours; an hour for cron schedules. */
export function periodSecondsOf(schedule: string): number {
  return Math.min(Math.max(rateSeconds(schedule) ?? 3600, 60), 86_400);
}
