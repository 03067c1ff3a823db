import type * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { DestinationConfig } from '../../shared/config/schema';
import { destinationFormatOf, type DestinationFormat } from '../../shared/sinks/encoders/for-format';
import type { Delivery } from './delivery-contract';
import { auditBucket } from './audit-bucket';
import { DeliveryLogs, FirehoseAccess, backupS3Configuration, destinationSecret, grantPutRecords, streamEncryption } from './delivery-common';

export type SplunkDestinationConfig = Extract<DestinationConfig, { type: 'splunk' }>;

export const SPLUNK_HEC_SECRET_NAME = 'cloudtap/destination/splunk-hec-token';

/** Firehose's Splunk defaults, written out: the HEC gets a request at least every minute. */
export const SPLUNK_BUFFERING = { intervalInSeconds: 60, sizeInMBs: 5 } as const;


export interface DeliveryToSplunkProps {
  readonly destination: SplunkDestinationConfig;
  /** Encrypts the stream, the backup bucket and the HEC token secret. */
  readonly encryptionKey: kms.IKey;
}

/**
 * A Direct PUT stream to Splunk's HTTP Event Collector, event endpoint: each record
 * already holds concatenated HEC events (`{time, host, source, sourcetype, index?, event}`),
 * which Splunk indexes as they are. Firehose reads the HEC token from Secrets Manager,
 * waits for indexer acknowledgement, retries, then backs up to S3 what Splunk refused.
 * aws-cdk-lib has no L2 for Splunk, so this is the CloudFormation resource itself.
 */
export class DeliveryToSplunk extends Construct implements Delivery {
  readonly type = 'splunk';
  readonly bucket: s3.Bucket;
  readonly secret: secretsmanager.Secret;
  readonly secretName = SPLUNK_HEC_SECRET_NAME;
  readonly cfnDeliveryStream: firehose.CfnDeliveryStream;
  readonly functionDestination: DestinationFormat;

  constructor(scope: Construct, id: string, props: DeliveryToSplunkProps) {
    super(scope, id);
    const { destination, encryptionKey } = props;
    this.functionDestination = destinationFormatOf(destination);

    this.bucket = auditBucket(this, 'BackupBucket', { encryptionKey });
    this.secret = destinationSecret(this, 'HecToken', {
      name: SPLUNK_HEC_SECRET_NAME,
      field: 'hec_token',
      what: 'the Splunk HEC token',
      encryptionKey,
    });
    const errorLogs = new DeliveryLogs(this, 'ErrorLogs', ['SplunkDelivery', 'BackupDelivery']);
    const access = new FirehoseAccess(this, 'Firehose', {
      bucket: this.bucket,
      logResources: errorLogs.streamArns(),
      secret: this.secret,
    });
    const role = access.role.roleArn;

    this.cfnDeliveryStream = new firehose.CfnDeliveryStream(this, 'Stream', {
      deliveryStreamType: 'DirectPut',
      deliveryStreamEncryptionConfigurationInput: streamEncryption(encryptionKey),
      splunkDestinationConfiguration: {
        hecEndpoint: destination.hecEndpoint,
        hecEndpointType: 'Event',
        hecAcknowledgmentTimeoutInSeconds: destination.ackTimeoutSeconds,
        retryOptions: { durationInSeconds: destination.retrySeconds },
        bufferingHints: SPLUNK_BUFFERING,
        // Never `hecToken`: the token stays in Secrets Manager, out of the template.
        secretsManagerConfiguration: { enabled: true, secretArn: this.secret.secretArn, roleArn: role },
        cloudWatchLoggingOptions: errorLogs.options('SplunkDelivery'),
        s3BackupMode: destination.backup === 'all' ? 'AllEvents' : 'FailedEventsOnly',
        s3Configuration: backupS3Configuration(this.bucket, role, destination.backupPrefix, errorLogs),
      },
    });
    // The stream may start delivering as soon as it exists: give it its permissions first.
    this.cfnDeliveryStream.node.addDependency(access.policy);
  }

  get deliveryStreamName(): string {
    return this.cfnDeliveryStream.ref;
  }

  grantPutRecords(grantee: iam.IGrantable): iam.Grant {
    return grantPutRecords(grantee, this.cfnDeliveryStream.attrArn);
  }
}
