import * as z from 'zod';
import { encryptedUrl } from '../lib/endpoint';

/**
 * Where events go when deployed (`destination`, one Firehose delivery stream)
 * and when run locally (`local.sink`). Every field a destination cannot work
 * without is required here, so `cloudtap validate` names what is missing.
 */

const prefix = (fallback: string) =>
  z
    .string()
    .regex(/^[^!]*$/, { message: 'write a plain prefix; cloudtap adds the partition and date folders' })
    .default(fallback);

const s3Destination = z
  .object({
    type: z.literal('s3'),
    /** Objects land under <prefix>source_type=.../source_id=.../date=YYYY-MM-DD/. */
    prefix: prefix('cloudtap/'),
    errorPrefix: prefix('cloudtap-errors/'),
    /** Seconds Firehose buffers before writing an object; dynamic partitioning needs at least 60. */
    bufferSeconds: z
      .number()
      .int()
      .min(60, { message: 'at least 60: Firehose partitions objects by source and date, which needs a 60-second buffer or more' })
      .max(900)
      .default(300),
    /** MiB Firehose buffers per partition; dynamic partitioning needs at least 64. */
    bufferMiB: z
      .number()
      .int()
      .min(64, { message: 'at least 64: Firehose partitions objects by source and date, which needs a 64 MiB buffer or more' })
      .max(128)
      .default(64),
    lifecycle: z
      .object({
        /** Move objects to S3 Glacier Instant Retrieval after this many days. */
        archiveAfterDays: z.number().int().min(1).optional(),
        /** Delete objects after this many days (your retention policy). */
        expireAfterDays: z.number().int().min(1).optional(),
      })
      .strict()
      .refine((l) => !l.archiveAfterDays || !l.expireAfterDays || l.expireAfterDays > l.archiveAfterDays, {
        message: 'must be later than archiveAfterDays',
        path: ['expireAfterDays'],
      })
      .default({}),
  })
  .strict();

/** A required https URL; a missing one is named as missing, with what to put there. */
const httpsUrl = (what: string) =>
  z.url({
    protocol: /^https$/,
    error: (issue) => (issue.input === undefined ? `required: ${what}` : `expected ${what}`),
  });

/** What Firehose does with records the destination refused: S3 backup of failed records, or of all. */
const backupMode = z.enum(['failed', 'all']).default('failed');

const splunkDestination = z
  .object({
    type: z.literal('splunk'),
    /** The HEC URL Firehose posts to, e.g. https://http-inputs-firehose-<stack>.splunkcloud.com:443 */
    hecEndpoint: httpsUrl('the https URL of your Splunk HTTP Event Collector').refine((url) => !URL.canParse(url) || new URL(url).pathname === '/', {
      message: 'give the HEC base URL without a path: Firehose adds /services/collector/event itself',
    }),
    /** The Splunk index; the HEC token's default index when absent. */
    index: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,79}$/, { message: 'expected a Splunk index name: lowercase letters, digits, _ or -' })
      .optional(),
    /** Seconds Firehose waits for Splunk's indexer acknowledgement. */
    ackTimeoutSeconds: z.number().int().min(180).max(600).default(180),
    /** Seconds Firehose keeps retrying a refused delivery before backing it up to S3. */
    retrySeconds: z.number().int().min(0).max(7200).default(300),
    backup: backupMode,
    backupPrefix: prefix('cloudtap-splunk-backup/'),
  })
  .strict();

const elasticDestination = z
  .object({
    type: z.literal('elastic'),
    /** Elastic's Firehose endpoint for your deployment (Elastic Cloud console > Integrations > Amazon Data Firehose). */
    endpointUrl: httpsUrl('the https URL of your Elastic Firehose endpoint'),
    /** Data streams are logs-cloudtap.<source>-<namespace>. */
    namespace: z
      .string()
      .regex(/^[a-z0-9_]{1,100}$/, { message: 'expected lowercase letters, digits or _ (an Elastic data stream namespace)' })
      .default('default'),
    retrySeconds: z.number().int().min(0).max(7200).default(300),
    backup: backupMode,
    backupPrefix: prefix('cloudtap-elastic-backup/'),
  })
  .strict();

export const destinationSchema = z.discriminatedUnion('type', [s3Destination, splunkDestination, elasticDestination], {
  error: 'expected type s3, splunk or elastic',
});

/** Local runs: the NDJSON file by default, or straight to a SIEM for users without AWS. */
export const localSinkSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('file') }).strict(),
  z
    .object({
      type: z.literal('splunk-hec'),
      /** Base URL of the HEC, e.g. https://splunk.example.com:8088; the token travels with every request. */
      url: encryptedUrl,
      /** Environment variable holding the HEC token. */
      tokenEnv: z.string().default('SPLUNK_HEC_TOKEN'),
      index: z.string().min(1).optional(),
      /** Wait for indexer acknowledgement (the token must have it enabled). */
      ack: z.boolean().default(false),
    })
    .strict(),
  z
    .object({
      type: z.literal('elasticsearch'),
      /** Elasticsearch URL, e.g. https://my-deployment.es.eu-west-1.aws.elastic.cloud; the API key travels with every request. */
      node: encryptedUrl,
      /** Environment variable holding an Elasticsearch API key (encoded form). */
      apiKeyEnv: z.string().default('ELASTIC_API_KEY'),
      namespace: z.string().regex(/^[a-z0-9_]{1,100}$/).default('default'),
    })
    .strict(),
], { error: 'expected type file, splunk-hec or elasticsearch' });

export type DestinationConfig = z.infer<typeof destinationSchema>;
export type LocalSinkConfig = z.infer<typeof localSinkSchema>;
