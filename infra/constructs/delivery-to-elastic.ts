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

export type ElasticDestinationConfig = Extract<DestinationConfig, { type: 'elastic' }>;

export const ELASTIC_API_KEY_SECRET_NAME = 'cloudtap/destination/elastic-api-key';

/**
 * Elastic's Firehose guide: a 1 MiB buffer keeps an uncompressed request under
 * Elasticsearch's http.max_content_length; 60 s keeps data fresh.
 */
export const ELASTIC_BUFFERING = { intervalInSeconds: 60, sizeInMBs: 1 } as const;


/**
 * Where Elastic's Firehose endpoint writes: one data stream for every source. The
 * shipped ingest pipeline reroutes each document by `event.dataset` to
 * `logs-cloudtap.<dataset>-<namespace>`, keeping this namespace.
 */
export const elasticDataStreamFor = (namespace: string): string => `logs-cloudtap.generic-${namespace}`;

export interface DeliveryToElasticProps {
  readonly destination: ElasticDestinationConfig;
  /** Encrypts the stream, the backup bucket and the API key secret. */
  readonly encryptionKey: kms.IKey;
}

/**
 * A Direct PUT stream to Elastic's Firehose endpoint (an HTTP endpoint destination),
 * gzipped requests, the API key read from Secrets Manager, `es_datastream_name` naming
 * the data stream. Elastic indexes one document per record, so the pullers send one
 * event per record. What Elastic refuses after the retry duration is backed up to S3.
 * aws-cdk-lib 2.276 has an HttpEndpoint L2, but this resource is written out like the
 * Splunk one: the same role, log streams and backup leg, and every property in sight.
 */
export class DeliveryToElastic extends Construct implements Delivery {
  readonly type = 'elastic';
  readonly bucket: s3.Bucket;
  readonly secret: secretsmanager.Secret;
  readonly secretName = ELASTIC_API_KEY_SECRET_NAME;
  readonly cfnDeliveryStream: firehose.CfnDeliveryStream;
  readonly functionDestination: DestinationFormat;
  readonly dataStreamName: string;

  constructor(scope: Construct, id: string, props: DeliveryToElasticProps) {
    super(scope, id);
    const { destination, encryptionKey } = props;
    this.functionDestination = destinationFormatOf(destination);
    this.dataStreamName = elasticDataStreamFor(destination.namespace);

    this.bucket = auditBucket(this, 'BackupBucket', { encryptionKey });
    this.secret = destinationSecret(this, 'ApiKey', {
      name: ELASTIC_API_KEY_SECRET_NAME,
      field: 'api_key',
      what: 'the Elastic API key (encoded form)',
      encryptionKey,
    });
    const errorLogs = new DeliveryLogs(this, 'ErrorLogs', ['HttpEndpointDelivery', 'BackupDelivery']);
    const access = new FirehoseAccess(this, 'Firehose', {
      bucket: this.bucket,
      logResources: errorLogs.streamArns(),
      secret: this.secret,
    });
    const role = access.role.roleArn;

    this.cfnDeliveryStream = new firehose.CfnDeliveryStream(this, 'Stream', {
      deliveryStreamType: 'DirectPut',
      deliveryStreamEncryptionConfigurationInput: streamEncryption(encryptionKey),
      httpEndpointDestinationConfiguration: {
        // Never `accessKey`: the API key stays in Secrets Manager, out of the template.
        endpointConfiguration: { url: destination.endpointUrl, name: 'Elastic' },
        secretsManagerConfiguration: { enabled: true, secretArn: this.secret.secretArn, roleArn: role },
        requestConfiguration: {
          contentEncoding: 'GZIP',
          commonAttributes: [{ attributeName: 'es_datastream_name', attributeValue: this.dataStreamName }],
        },
        bufferingHints: ELASTIC_BUFFERING,
        retryOptions: { durationInSeconds: destination.retrySeconds },
        roleArn: role,
        cloudWatchLoggingOptions: errorLogs.options('HttpEndpointDelivery'),
        s3BackupMode: destination.backup === 'all' ? 'AllData' : 'FailedDataOnly',
        s3Configuration: backupS3Configuration(this.bucket, role, destination.backupPrefix, errorLogs),
      },
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
