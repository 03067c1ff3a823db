import { Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { DestinationConfig } from '../../shared/config/schema';
import { destinationFormatOf, type DestinationFormat } from '../../shared/sinks/encoders/for-format';
import { auditBucket } from './audit-bucket';
import type { Delivery } from './delivery-contract';
import { DeliveryLogs, FirehoseAccess, destinationSecret, grantPutRecords, streamEncryption } from './delivery-common';

/** What the stream's destination configuration is made from. */
export interface EndpointDeliveryParts {
  readonly bucket: s3.Bucket;
  readonly secret: secretsmanager.Secret;
  readonly errorLogs: DeliveryLogs;
  /** Firehose's role ARN. */
  readonly role: string;
}

export interface EndpointDeliveryProps {
  readonly destination: Extract<DestinationConfig, { type: 'splunk' | 'elastic' }>;
  /** Encrypts the stream, the backup bucket and the endpoint's secret. */
  readonly encryptionKey: kms.IKey;
  /** The secret holding the endpoint's credential: construct id, name, JSON field, and what it is (its description). */
  readonly secret: { id: string; name: string; field: string; what: string };
  /** The log stream Firehose writes the endpoint's delivery errors to, beside BackupDelivery. */
  readonly deliveryLogStream: string;
  /** The stream's destination-specific configuration (`splunkDestinationConfiguration`, ...). */
  readonly destinationConfiguration: (parts: EndpointDeliveryParts) => Omit<firehose.CfnDeliveryStreamProps, 'deliveryStreamType'>;
}

/**
 * A Direct PUT stream to a third-party endpoint (Splunk, Elastic): its backup bucket, the
 * endpoint's credential in Secrets Manager (never in the template), error logs, and
 * Firehose's role, which the stream waits for so it never delivers without its permissions.
 */
/**
 * `cloudtap/...` as `<stackName>/...`, so two stacks in one region do not share the
 * secret; the default stack `Cloudtap` keeps the name it always had.
 */
export function stackScopedName(scope: Construct, name: string): string {
  const stackName = Stack.of(scope).stackName;
  return stackName === 'Cloudtap' ? name : name.replace(/^cloudtap\//, `${stackName}/`);
}

export abstract class EndpointDelivery extends Construct implements Delivery {
  abstract readonly type: 'splunk' | 'elastic';
  readonly bucket: s3.Bucket;
  readonly secret: secretsmanager.Secret;
  readonly secretName: string;
  readonly cfnDeliveryStream: firehose.CfnDeliveryStream;
  readonly functionDestination: DestinationFormat;

  protected constructor(scope: Construct, id: string, props: EndpointDeliveryProps) {
    super(scope, id);
    const { encryptionKey } = props;
    const { id: secretId, ...secret } = props.secret;
    this.functionDestination = destinationFormatOf(props.destination);
    this.secretName = stackScopedName(this, secret.name);
    this.bucket = auditBucket(this, 'BackupBucket', { encryptionKey });
    this.secret = destinationSecret(this, secretId, { ...secret, name: this.secretName, encryptionKey });
    const errorLogs = new DeliveryLogs(this, 'ErrorLogs', [props.deliveryLogStream, 'BackupDelivery']);
    const access = new FirehoseAccess(this, 'Firehose', { bucket: this.bucket, logResources: errorLogs.streamArns(), secret: this.secret });
    this.cfnDeliveryStream = new firehose.CfnDeliveryStream(this, 'Stream', {
      deliveryStreamType: 'DirectPut',
      deliveryStreamEncryptionConfigurationInput: streamEncryption(encryptionKey),
      ...props.destinationConfiguration({ bucket: this.bucket, secret: this.secret, errorLogs, role: access.role.roleArn }),
    });
    this.cfnDeliveryStream.node.addDependency(access.policy);
  }

  get deliveryStreamName(): string {
    return this.cfnDeliveryStream.ref;
  }

  grantPutRecords(grantee: iam.IGrantable): iam.Grant {
    return grantPutRecords(grantee, this.cfnDeliveryStream.attrArn);
  }
}
