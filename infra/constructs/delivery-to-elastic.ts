import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { DestinationConfig } from '../../shared/config/schema';
import { backupS3Configuration } from './delivery-common';
import { EndpointDelivery } from './endpoint-delivery';

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
export class DeliveryToElastic extends EndpointDelivery {
  readonly type = 'elastic';
  readonly dataStreamName: string;

  constructor(scope: Construct, id: string, { destination, encryptionKey }: DeliveryToElasticProps) {
    const dataStreamName = elasticDataStreamFor(destination.namespace);
    super(scope, id, {
      destination,
      encryptionKey,
      secret: { id: 'ApiKey', name: ELASTIC_API_KEY_SECRET_NAME, field: 'api_key', what: 'the Elastic API key (encoded form)' },
      deliveryLogStream: 'HttpEndpointDelivery',
      destinationConfiguration: ({ bucket, secret, errorLogs, role }) => ({
        httpEndpointDestinationConfiguration: {
          // Never `accessKey`: the API key stays in Secrets Manager, out of the template.
          endpointConfiguration: { url: destination.endpointUrl, name: 'Elastic' },
          secretsManagerConfiguration: { enabled: true, secretArn: secret.secretArn, roleArn: role },
          requestConfiguration: {
            contentEncoding: 'GZIP',
            commonAttributes: [{ attributeName: 'es_datastream_name', attributeValue: dataStreamName }],
          },
          bufferingHints: ELASTIC_BUFFERING,
          retryOptions: { durationInSeconds: destination.retrySeconds },
          roleArn: role,
          cloudWatchLoggingOptions: errorLogs.options('HttpEndpointDelivery'),
          s3BackupMode: destination.backup === 'all' ? 'AllData' : 'FailedDataOnly',
          s3Configuration: backupS3Configuration(bucket, role, destination.backupPrefix, errorLogs),
        },
      }),
    });
    this.dataStreamName = dataStreamName;
  }
}
