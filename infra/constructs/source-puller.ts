import { join } from 'node:path';
import { Duration, RemovalPolicy, SecretValue } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { RulesConfig } from '../../shared/config/alerts';
import type { SourceDefinition, SourceInstanceConfig } from '../../shared/providers/definition';
import { BUNDLED_RULES_FILE, renderBundledRules } from '../../shared/runtime/bundled-rules';
import { FUNCTION_ENV, destinationEnv, type PullInvocation } from '../../shared/runtime/invocation';
import type { DestinationFormat } from '../../shared/sinks/encoders/for-format';
import { acknowledgeThirdPartySecret } from '../nag';
import type { AlertTarget } from './alerting';
import type { CursorTable } from './cursor-table';
import type { DeliveryTarget } from './delivery-contract';
import { grantKeyUse } from './encryption-key';

export interface SourcePullerProps {
  /** The source type's definition: its type name and credential fields. */
  readonly definition: SourceDefinition<any>;
  /** Every configured instance of this type, enabled or not. */
  readonly instances: readonly SourceInstanceConfig[];
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
  /** Encrypts the credentials secrets. */
  readonly encryptionKey: kms.IKey;
  /** Where Lambda sends a scheduled invocation that failed or expired unrun. */
  readonly onFailure: lambda.IDestination;
  /** `deployment.reservedConcurrencyPerSource`: executions reserved per enabled instance, or none. */
  readonly reservedConcurrencyPerSource: number | false;
}

/**
 * One Lambda function per source type, one secret per instance, and one
 * schedule per enabled instance telling the function which instance to pull.
 */
export class SourcePuller extends Construct {
  readonly function: NodejsFunction;
  /** Instance id -> its credentials secret `cloudtap/<id>`. */
  readonly secrets = new Map<string, secretsmanager.Secret>();

  constructor(scope: Construct, id: string, props: SourcePullerProps) {
    super(scope, id);
    const { definition, instances } = props;

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Our own role instead of AWSLambdaBasicExecutionRole, which may write to any log group.
    const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);

    const rulesFile = props.rules && renderBundledRules(props.rules);
    this.function = new NodejsFunction(this, 'Function', {
      description: `cloudtap puller for ${definition.type}`,
      entry: props.entry,
      projectRoot: props.projectRoot,
      depsLockFilePath: join(props.projectRoot, 'package-lock.json'),
      handler: 'handler',
      // The newest Node.js runtime aws-cdk-lib knows, and esbuild's target below with it;
      // the code also runs on Node 20 (bundle.test.ts loads the bundle there).
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.minutes(5),
      environment: {
        [FUNCTION_ENV.sourceType]: definition.type,
        [FUNCTION_ENV.tableName]: props.cursorTable.table.tableName,
        [FUNCTION_ENV.deliveryStreamName]: props.deliveryStream.deliveryStreamName,
        [FUNCTION_ENV.destination]: destinationEnv(props.destination),
        ...(props.alerting && {
          [FUNCTION_ENV.alertTopicArn]: props.alerting.topicArn,
          [FUNCTION_ENV.alertBusName]: props.alerting.busName,
          ...(props.alerting.siemLink && { [FUNCTION_ENV.siemLink]: props.alerting.siemLink }),
        }),
        // Stack traces point into the TypeScript sources rather than the minified bundle.
        NODE_OPTIONS: '--enable-source-maps',
      },
      role,
      logGroup,
      tracing: lambda.Tracing.DISABLED,
      // Guaranteed to this type and capped for it, so no source type starves another, nor the account
      // (why two per source by default: shared/config/deployment.ts).
      reservedConcurrentExecutions: reservedConcurrencyFor(instances, props.reservedConcurrencyPerSource),
      // A failed run leaves the cursor where it was; the next scheduled run retries it,
      // so Lambda's own async retries would only contend for the lease.
      retryAttempts: 0,
      maxEventAge: maxEventAgeFor(instances),
      // Failed and expired invocations are kept there; any of them raises an alarm.
      onFailure: props.onFailure,
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        // CommonJS dependencies call require() for Node built-ins; ESM output has none.
        banner: "import { createRequire as __cloudtapCreateRequire } from 'node:module'; const require = __cloudtapCreateRequire(import.meta.url);",
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Ship the SDK version the tests ran against rather than whatever the runtime carries.
        bundleAwsSDK: true,
        // Rules may outgrow the environment (4 KB) and the schedule's input (8 KB): they ride in the bundle.
        ...(rulesFile && {
          commandHooks: {
            beforeBundling: () => [],
            beforeInstall: () => [],
            afterBundling: (_inputDir: string, outputDir: string) => writeFileCommands(`${outputDir}/${BUNDLED_RULES_FILE}`, rulesFile),
          },
        }),
      },
    });

    for (const instance of instances) {
      const secret = new secretsmanager.Secret(this, `Secret-${instance.id}`, {
        secretName: secretNameFor(instance.id),
        description: `cloudtap ${definition.type} credentials for source ${instance.id}; set the value after deploy`,
        // A placeholder naming every field the source reads (empty ones count as absent), not a
        // credential: the operator puts the real value with put-secret-value, and CloudFormation
        // leaves it alone while this template is unchanged.
        secretObjectValue: Object.fromEntries(
          definition.credentialFields.map((field) => [field.name, SecretValue.unsafePlainText('')]),
        ),
        encryptionKey: props.encryptionKey,
        // Credentials of a removed source should not linger.
        removalPolicy: RemovalPolicy.DESTROY,
      });
      acknowledgeThirdPartySecret(secret);
      this.secrets.set(instance.id, secret);

      if (!instance.enabled) continue;
      const invocation: PullInvocation = { source: instance, secretArn: secret.secretArn };
      new events.Rule(this, `Schedule-${instance.id}`, {
        description: `cloudtap: pull ${instance.id} (${definition.type})`,
        schedule: events.Schedule.expression(instance.schedule),
        targets: [
          new targets.LambdaFunction(this.function, {
            event: events.RuleTargetInput.fromObject(invocation),
            // Retries cover throttled invokes; past one period the next run, starting from the
            // same cursor, supersedes this one, so an older event is dropped rather than queued.
            retryAttempts: 2,
            maxEventAge: stalenessBound(instance.schedule),
          }),
        ],
      });
    }

    this.grantReadSecrets(props.encryptionKey);
    props.cursorTable.grantCursorAccess(this.function);
    props.deliveryStream.grantPutRecords(this.function);
    props.alerting?.grantPublishAlerts(this.function);
  }

  /**
   * Its own instances' secrets and their decryption, in the function's policy (Secret.grantRead
   * would put a statement per function into the key policy instead).
   */
  private grantReadSecrets(key: kms.IKey): void {
    const arns = [...this.secrets.values()].map((secret) => secret.secretArn);
    const grantee = this.function;
    iam.Grant.addToPrincipal({ grantee, actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resourceArns: arns });
    grantKeyUse(key, grantee, 'secretsmanager', ['kms:Decrypt'], { SecretARN: arns });
  }
}

/**
 * Shell lines writing `content` to `path` that read the same to bash (Linux, macOS, Docker
 * bundling) and to cmd (Windows): base64 needs no quoting in either, and chunks keep each
 * line far below cmd's 8191 characters.
 */
export function writeFileCommands(path: string, content: string): string[] {
  const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  const target = base64(path);
  const chunks = base64(content).match(/.{1,6000}/g) ?? [''];
  return chunks.map(
    (chunk, index) =>
      `node -e "require('fs').${index === 0 ? 'writeFileSync' : 'appendFileSync'}(Buffer.from(process.argv[1],'base64').toString(),Buffer.from(process.argv[2]||'','base64'))" ${target} ${chunk}`,
  );
}

export const secretNameFor = (sourceId: string): string => `cloudtap/${sourceId}`;

/**
 * Executions reserved for a type's function: `perSource` for each enabled instance
 * (at least one instance's worth, for manual test invocations), or none at all.
 */
export function reservedConcurrencyFor(instances: readonly SourceInstanceConfig[], perSource: number | false): number | undefined {
  if (perSource === false) return undefined;
  return perSource * Math.max(1, instances.filter((instance) => instance.enabled).length);
}

/** The range Lambda allows for how long it keeps an asynchronous event it has not yet run. */
const LAMBDA_EVENT_AGE_SECONDS = { min: 60, max: 6 * 3600 } as const;

/**
 * How long Lambda may hold a scheduled event it could not start (throttled): one
 * period of the slowest schedule among the type's enabled instances, after which
 * the source's next run, starting from the same cursor, supersedes it. Expired
 * events go to the on-failure destination, so they are seen, not silently dropped.
 */
export function maxEventAgeFor(instances: readonly SourceInstanceConfig[]): Duration {
  const periods = instances.filter((instance) => instance.enabled).map((instance) => stalenessBound(instance.schedule).toSeconds());
  return Duration.seconds(Math.min(Math.max(LAMBDA_EVENT_AGE_SECONDS.min, ...periods), LAMBDA_EVENT_AGE_SECONDS.max));
}

const UNIT_SECONDS = { minute: 60, hour: 3600, day: 86_400 } as const;

/** One schedule period, within EventBridge's 1 minute to 24 hours; an hour for cron schedules. */
export function stalenessBound(schedule: string): Duration {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(schedule);
  const seconds = rate ? Number(rate[1]) * UNIT_SECONDS[rate[2] as keyof typeof UNIT_SECONDS] : 3600;
  return Duration.seconds(Math.min(Math.max(seconds, 60), 86_400));
}
