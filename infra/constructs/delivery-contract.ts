import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { DestinationConfig } from '../../shared/config/schema';
import type { DestinationFormat } from '../../shared/sinks/encoders/for-format';

export type DestinationType = DestinationConfig['type'];

/** What the pullers write to: the stream's name, and the right to put records into it and nothing else. */
export interface DeliveryTarget {
  readonly deliveryStreamName: string;
  grantPutRecords(grantee: iam.IGrantable): iam.Grant;
  /** More the pullers must know to deliver (Security Lake: its stream per OCSF class). */
  readonly functionEnvironment?: Record<string, string>;
}

/** One Direct PUT Firehose stream, encrypted with the stack's key, to the configured destination, whichever it is. */
export interface Delivery extends DeliveryTarget {
  readonly type: DestinationType;
  /** The stream's CloudFormation resource, whichever construct made it. */
  readonly cfnDeliveryStream: firehose.CfnDeliveryStream;
  /** S3: where the events land. Splunk, Elastic: where Firehose backs up failed (or all) records. */
  readonly bucket: s3.IBucket;
  /** The secret Firehose reads the destination's credential from (Splunk, Elastic). */
  readonly secret?: secretsmanager.ISecret;
  /** Its name, as written (the secret's own `secretName` is a token parsed from its ARN). */
  readonly secretName?: string;
  /** What the puller functions encode for: the record format, never an endpoint or a secret. */
  readonly functionDestination: DestinationFormat;
}
