import { ArnFormat, Aws, RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledgeNag, acknowledgeThirdPartySecret, objectsWildcardFinding } from '../nag';
import { auditBucket } from './audit-bucket';
import { ENVELOPE_WRITE_ACTIONS, keyUseStatement } from './encryption-key';

/** What Firehose needs to write to S3 (its developer guide's policy); no delete, no ACLs. */
export const FIREHOSE_S3_ACTIONS = [
  's3:AbortMultipartUpload',
  's3:GetBucketLocation',
  's3:GetObject',
  's3:ListBucket',
  's3:ListBucketMultipartUploads',
  's3:PutObject',
];

/** What a puller may do to its stream. */
export const PUT_RECORD_ACTIONS = ['firehose:PutRecord', 'firehose:PutRecordBatch'];

/** `cloudtap` and `cloudtap/` both mean the folder `cloudtap/`; an empty prefix means the bucket root. */
export function folder(prefix: string): string {
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}

/** Objects under `<prefix>YYYY/MM/DD/`, failures under `<prefix><error type>/YYYY/MM/DD/` (Firehose's own error folder names). */
export function datedPrefixes(prefix: string, errorPrefix = prefix): { prefix: string; errorOutputPrefix: string } {
  return {
    prefix: `${folder(prefix)}!{timestamp:yyyy/MM/dd}/`,
    errorOutputPrefix: `${folder(errorPrefix)}!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/`,
  };
}

/** Server-side encryption of a Direct PUT stream with the stack's key (Firehose creates and manages its own grant). */
export function streamEncryption(key: kms.IKey): firehose.CfnDeliveryStream.DeliveryStreamEncryptionConfigurationInputProperty {
  return { keyType: 'CUSTOMER_MANAGED_CMK', keyArn: key.keyArn };
}

/** Firehose's error logs: one group per stream, one log stream per delivery leg. */
export class DeliveryLogs extends Construct {
  readonly group: logs.LogGroup;
  private readonly streams = new Map<string, logs.LogStream>();

  constructor(scope: Construct, id: string, streamNames: readonly string[] = []) {
    super(scope, id);
    this.group = new logs.LogGroup(this, 'Group', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    for (const name of streamNames) {
      this.streams.set(name, new logs.LogStream(this, name, { logGroup: this.group, removalPolicy: RemovalPolicy.DESTROY }));
    }
  }

  /** CloudWatchLoggingOptions for one leg (the destination, or the S3 backup). */
  options(name: string): firehose.CfnDeliveryStream.CloudWatchLoggingOptionsProperty {
    return { enabled: true, logGroupName: this.group.logGroupName, logStreamName: this.stream(name).logStreamName };
  }

  /** The ARNs of this construct's log streams: all Firehose may write to. */
  streamArns(): string[] {
    return [...this.streams.values()].map((stream) =>
      Stack.of(this).formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: `${this.group.logGroupName}:log-stream:${stream.logStreamName}`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    );
  }

  private stream(name: string): logs.LogStream {
    const stream = this.streams.get(name);
    if (!stream) throw new Error(`no log stream ${name}`);
    return stream;
  }
}

export interface FirehoseAccessProps {
  /** Where Firehose writes (or backs up); its key, when customer-managed, is granted for this bucket only. */
  readonly bucket: s3.IBucket;
  /** What Firehose logs to: log stream ARNs, or a log group's ARN. */
  readonly logResources: string[];
  /** The secret holding the destination's credential. */
  readonly secret?: secretsmanager.ISecret;
}

/**
 * The role Firehose assumes, from this account only, with a standalone policy
 * the stream can depend on: it may start delivering as soon as it exists.
 */
export class FirehoseAccess extends Construct {
  readonly role: iam.Role;
  readonly policy: iam.Policy;

  constructor(scope: Construct, id: string, props: FirehoseAccessProps) {
    super(scope, id);
    const { bucket, secret } = props;
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', {
        conditions: { StringEquals: { 'sts:ExternalId': Aws.ACCOUNT_ID } },
      }),
    });
    const statements = [
      new iam.PolicyStatement({ actions: FIREHOSE_S3_ACTIONS, resources: [bucket.bucketArn, bucket.arnForObjects('*')] }),
      new iam.PolicyStatement({ actions: ['logs:PutLogEvents'], resources: props.logResources }),
    ];
    // With S3 Bucket Keys the encryption context is the bucket's ARN, without them the object's.
    if (bucket.encryptionKey) {
      statements.push(
        keyUseStatement(bucket.encryptionKey, 's3', ENVELOPE_WRITE_ACTIONS, { 'aws:s3:arn': [bucket.bucketArn, bucket.arnForObjects('*')] }),
      );
    }
    if (secret) {
      statements.push(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }));
      // A customer-managed key needs a grant; the default aws/secretsmanager key lets the account use it through Secrets Manager.
      if (secret.encryptionKey) {
        statements.push(keyUseStatement(secret.encryptionKey, 'secretsmanager', ['kms:Decrypt'], { SecretARN: secret.secretArn }));
      }
    }
    this.policy = new iam.Policy(this, 'Policy', { roles: [this.role], statements });
    acknowledgeNag(
      this.policy,
      objectsWildcardFinding(bucket),
      'Firehose writes objects under keys it makes up (dated prefixes, partitions, error folders); the wildcard covers the objects of this one bucket.',
    );
  }
}

/**
 * A secret in the JSON shape Firehose reads for the destination (`{"hec_token": ...}`,
 * `{"api_key": ...}`), holding an empty placeholder: the operator puts the real value
 * with put-secret-value, and CloudFormation leaves it alone while this template is unchanged.
 */
export function destinationSecret(
  scope: Construct,
  id: string,
  props: { name: string; field: string; what: string; encryptionKey: kms.IKey },
): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, id, {
    secretName: props.name,
    description: `cloudtap: ${props.what} Firehose delivers with, as {"${props.field}": "..."}; set the value after deploy`,
    secretObjectValue: { [props.field]: SecretValue.unsafePlainText('') },
    encryptionKey: props.encryptionKey,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  acknowledgeThirdPartySecret(secret);
  return secret;
}

/** The right to put records into one stream, by its ARN. */
export function grantPutRecords(grantee: iam.IGrantable, streamArn: string): iam.Grant {
  return iam.Grant.addToPrincipal({ grantee, actions: PUT_RECORD_ACTIONS, resourceArns: [streamArn] });
}

/** Where Firehose keeps what a SIEM refused (or everything, in `all` mode): the stack's bucket, gzipped, dated. */
const BACKUP_BUFFERING = { intervalInSeconds: 300, sizeInMBs: 5 } as const;

export function backupS3Configuration(
  bucket: s3.IBucket,
  roleArn: string,
  prefix: string,
  logs: DeliveryLogs,
): firehose.CfnDeliveryStream.S3DestinationConfigurationProperty {
  return {
    bucketArn: bucket.bucketArn,
    roleArn,
    ...datedPrefixes(prefix),
    compressionFormat: 'GZIP',
    bufferingHints: BACKUP_BUFFERING,
    cloudWatchLoggingOptions: logs.options('BackupDelivery'),
  };
}
