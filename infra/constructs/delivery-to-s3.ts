import { Aws, Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { DestinationConfig } from '../../shared/config/schema';

export type S3DestinationConfig = Extract<DestinationConfig, { type: 's3' }>;

/** What Firehose needs to write to S3 (its developer guide's policy); no delete, no ACLs. */
export const FIREHOSE_S3_ACTIONS = [
  's3:AbortMultipartUpload',
  's3:GetBucketLocation',
  's3:GetObject',
  's3:ListBucket',
  's3:ListBucketMultipartUploads',
  's3:PutObject',
];

export interface DeliveryToS3Props {
  readonly destination: S3DestinationConfig;
}

/** A Direct PUT Firehose stream writing gzipped, hour-partitioned objects to a private bucket. */
export class DeliveryToS3 extends Construct {
  readonly bucket: s3.Bucket;
  readonly deliveryStream: firehose.DeliveryStream;

  constructor(scope: Construct, id: string, props: DeliveryToS3Props) {
    super(scope, id);
    const { destination } = props;

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      // Firehose never overwrites keys, so versions only cost anything when something deletes
      // or overwrites audit data; then they make it recoverable for a while.
      versioned: true,
      lifecycleRules: [
        { noncurrentVersionExpiration: Duration.days(90), abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      // The audit trail outlives the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const errorLogs = new logs.LogGroup(this, 'ErrorLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // The L2 destination would grant its role bucket read/write, deletes included; Firehose only
    // needs the documented write set, so the role is ours and the L2 gets it without policy updates.
    const role = new iam.Role(this, 'FirehoseRole', {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', {
        conditions: { StringEquals: { 'sts:ExternalId': Aws.ACCOUNT_ID } },
      }),
    });
    const policy = new iam.Policy(this, 'FirehosePolicy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          actions: FIREHOSE_S3_ACTIONS,
          resources: [this.bucket.bucketArn, this.bucket.arnForObjects('*')],
        }),
        new iam.PolicyStatement({ actions: ['logs:PutLogEvents'], resources: [errorLogs.logGroupArn] }),
      ],
    });

    this.deliveryStream = new firehose.DeliveryStream(this, 'Stream', {
      destination: new firehose.S3Bucket(this.bucket, {
        role: role.withoutPolicyUpdates(),
        compression: firehose.Compression.GZIP,
        dataOutputPrefix: `${folder(destination.prefix)}!{timestamp:yyyy/MM/dd/HH}/`,
        errorOutputPrefix: `${folder(destination.errorPrefix)}!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/`,
        bufferingInterval: Duration.seconds(destination.bufferSeconds),
        bufferingSize: Size.mebibytes(destination.bufferMiB),
        loggingConfig: new firehose.EnableLogging(errorLogs),
      }),
      encryption: firehose.StreamEncryption.awsOwnedKey(),
    });
    // The stream may start writing as soon as it exists: give it its permissions first.
    this.deliveryStream.node.addDependency(policy);
  }
}

/** `cloudtap` and `cloudtap/` both mean the folder `cloudtap/`; an empty prefix means the bucket root. */
function folder(prefix: string): string {
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}
