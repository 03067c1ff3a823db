import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { DestinationConfig } from '../../shared/config/schema';
import { backupS3Configuration } from './delivery-common';
import { EndpointDelivery } from './endpoint-delivery';

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
export class DeliveryToSplunk extends EndpointDelivery {
  readonly type = 'splunk';

  constructor(scope: Construct, id: string, { destination, encryptionKey }: DeliveryToSplunkProps) {
    super(scope, id, {
      destination,
      encryptionKey,
      secret: { id: 'HecToken', name: SPLUNK_HEC_SECRET_NAME, field: 'hec_token', what: 'the Splunk HEC token' },
      deliveryLogStream: 'SplunkDelivery',
      destinationConfiguration: ({ bucket, secret, errorLogs, role }) => ({
        splunkDestinationConfiguration: {
          hecEndpoint: destination.hecEndpoint,
          hecEndpointType: 'Event',
          hecAcknowledgmentTimeoutInSeconds: destination.ackTimeoutSeconds,
          retryOptions: { durationInSeconds: destination.retrySeconds },
          bufferingHints: SPLUNK_BUFFERING,
          // Never `hecToken`: the token stays in Secrets Manager, out of the template.
          secretsManagerConfiguration: { enabled: true, secretArn: secret.secretArn, roleArn: role },
          cloudWatchLoggingOptions: errorLogs.options('SplunkDelivery'),
          s3BackupMode: destination.backup === 'all' ? 'AllEvents' : 'FailedEventsOnly',
          s3Configuration: backupS3Configuration(bucket, role, destination.backupPrefix, errorLogs),
        },
      }),
    });
  }
}
