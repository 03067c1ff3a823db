import { Duration, Size } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { DestinationConfig } from '../../shared/config/schema';
import { destinationFormatOf, type DestinationFormat } from '../../shared/sinks/encoders/for-format';
import type { Delivery } from './delivery-contract';
import { auditBucket } from './audit-bucket';
import { DeliveryLogs, FirehoseAccess, datedPrefixes, folder, streamEncryption } from './delivery-common';

export { FIREHOSE_S3_ACTIONS } from './delivery-common';

export type S3DestinationConfig = Extract<DestinationConfig, { type: 's3' }>;

/** Partition keys, as JQ 1.6 over each ECS document (`@timestamp` is ISO 8601 UTC, so its first 10 characters are the date). */
export const S3_PARTITION_KEYS = {
  source_type: '.cloudtap.source_type',
  source_id: '.cloudtap.source_id',
  date: '."@timestamp"[0:10]',
} as const;

export interface DeliveryToS3Props {
  readonly destination: S3DestinationConfig;
  /** Encrypts the stream and the bucket. */
  readonly encryptionKey: kms.IKey;
}

/**
 * A Direct PUT stream writing gzipped NDJSON to a private bucket, one folder per
 * source type, instance and event date (Hive style, for Athena or Glue):
 * `<prefix>source_type=…/source_id=…/date=YYYY-MM-DD/`. The pullers pack many
 * NDJSON events per record (Firehose bills per 5 KB record); Firehose splits them
 * back into events, partitions each by its own fields and ends each with a newline.
 */
export class DeliveryToS3 extends Construct implements Delivery {
  readonly type = 's3';
  readonly bucket: s3.Bucket;
  readonly deliveryStream: firehose.DeliveryStream;
  readonly functionDestination: DestinationFormat;

  constructor(scope: Construct, id: string, props: DeliveryToS3Props) {
    super(scope, id);
    const { destination, encryptionKey } = props;
    this.functionDestination = destinationFormatOf(destination);
    const { archiveAfterDays, expireAfterDays } = destination.lifecycle;

    this.bucket = auditBucket(this, 'Bucket', {
      encryptionKey,
      lifecycleRules:
        archiveAfterDays || expireAfterDays
          ? [
              {
                id: 'retention',
                transitions: archiveAfterDays
                  ? [{ storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(archiveAfterDays) }]
                  : undefined,
                expiration: expireAfterDays ? Duration.days(expireAfterDays) : undefined,
              },
            ]
          : [],
    });

    // The L2 names its own log stream in this group, so the role may write to the group (which serves only this stream).
    const errorLogs = new DeliveryLogs(this, 'ErrorLogs');
    // The L2 destination would grant its role bucket read/write, deletes included; Firehose only
    // needs the documented write set, so the role is ours and the L2 gets it without policy updates.
    const access = new FirehoseAccess(this, 'Firehose', { bucket: this.bucket, logResources: [errorLogs.group.logGroupArn] });

    const partition = (key: keyof typeof S3_PARTITION_KEYS) => `${key}=!{partitionKeyFromQuery:${key}}`;
    // aws-cdk-lib 2.276's L2 renders dynamic partitioning, its three processors and the
    // 64 MiB / 60 s buffering minimum it imposes (config validation refuses less first).
    // A new construct id: Firehose cannot turn dynamic partitioning on in an existing stream.
    this.deliveryStream = new firehose.DeliveryStream(this, 'PartitionedStream', {
      destination: new firehose.S3Bucket(this.bucket, {
        role: access.role.withoutPolicyUpdates(),
        compression: firehose.Compression.GZIP,
        dynamicPartitioning: { enabled: true },
        processors: [
          // Firehose splits a record into at most 500 JSON events: the S3 packer must stay within that.
          firehose.RecordDeAggregationProcessor.json(),
          new firehose.AppendDelimiterToRecordProcessor(),
          firehose.MetadataExtractionProcessor.jq16({ ...S3_PARTITION_KEYS }),
        ],
        dataOutputPrefix: `${folder(destination.prefix)}${partition('source_type')}/${partition('source_id')}/${partition('date')}/`,
        errorOutputPrefix: datedPrefixes(destination.errorPrefix).errorOutputPrefix,
        bufferingInterval: Duration.seconds(destination.bufferSeconds),
        bufferingSize: Size.mebibytes(destination.bufferMiB),
        loggingConfig: new firehose.EnableLogging(errorLogs.group),
      }),
    });
    // The L2 would pair a customer-managed key with a role of its own that Direct PUT never
    // uses; Firehose manages its grant on the key itself, so the setting goes on the resource.
    this.cfnDeliveryStream.deliveryStreamEncryptionConfigurationInput = streamEncryption(encryptionKey);
    // The stream may start writing as soon as it exists: give it its permissions first.
    this.deliveryStream.node.addDependency(access.policy);
  }

  get cfnDeliveryStream(): firehose.CfnDeliveryStream {
    return this.deliveryStream.node.defaultChild as firehose.CfnDeliveryStream;
  }

  get deliveryStreamName(): string {
    return this.deliveryStream.deliveryStreamName;
  }

  grantPutRecords(grantee: iam.IGrantable): iam.Grant {
    return this.deliveryStream.grantPutRecords(grantee);
  }
}
