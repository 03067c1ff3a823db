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

/**
 * Security Lake registers each custom source as `<sourceName>-<OCSF class uid>`, one per class,
 * and names its provider role `AmazonSecurityLake-Provider-<source name>-<region>`, which caps a
 * source name at 20 characters (CreateCustomLogSource's documentation): 15 here plus `-6003`.
 */
export const SECURITY_LAKE_SOURCE_NAME_MAX = 15;

const securityLakeDestination = z
  .object({
    type: z.literal('security-lake'),
    /** The Security Lake bucket of the stack's region, `aws-security-data-lake-<region>-<id>` (Security Lake console > Regions). */
    bucket: z.string({ error: (issue) => (issue.input === undefined ? 'required: the Security Lake S3 bucket of this region' : 'expected a bucket name') })
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'expected an S3 bucket name, e.g. aws-security-data-lake-eu-west-1-abc123' }),
    /** Prefix of the custom source names; each OCSF class registers `<sourceName>-<class uid>` under `ext/`. */
    sourceName: z
      .string()
      .regex(new RegExp(`^[A-Za-z0-9_-]{1,${SECURITY_LAKE_SOURCE_NAME_MAX}}$`), {
        message: `expected 1 to ${SECURITY_LAKE_SOURCE_NAME_MAX} letters, digits, _ or -: Security Lake caps a source name at 20 characters and cloudtap adds -<class uid>`,
      })
      .default('cloudtap'),
    /** The custom sources' version, as registered. */
    sourceVersion: z.string().regex(/^[A-Za-z0-9._-]{1,32}$/, { message: 'expected letters, digits, ., _ or -' }).default('1.0'),
    /** The external id the provider role's trust requires (CreateCustomLogSource providerIdentity.externalId). */
    externalId: z.string().regex(/^[\w+=,.@:/-]{2,1224}$/, { message: 'expected 2 or more letters, digits or +=,.@:/-' }).default('cloudtap'),
    /** The lake bucket's customer-managed KMS key, when Security Lake was set up with one: Firehose may then use it for its writes. */
    kmsKeyArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/, { message: 'expected a KMS key ARN, arn:aws:kms:<region>:<account>:key/<key id>' })
      .optional(),
    /** Register the custom sources with Security Lake on deploy (and remove them on delete); false when they exist already. */
    register: z.boolean().default(true),
    /** Keep each event's raw record in OCSF `raw_data` (larger objects, the provider's original kept). */
    rawData: z.boolean().default(false),
    errorPrefix: prefix('cloudtap-security-lake-errors/'),
    /** Security Lake asks for objects no more often than every 5 minutes; Firehose buffers at most 900 s. */
    bufferSeconds: z
      .number()
      .int()
      .min(300, { message: 'at least 300: Security Lake asks custom sources to write objects no more often than every 5 minutes' })
      .max(900)
      .default(900),
    /** MiB Firehose buffers per partition before writing a Parquet object; conversion and partitioning need at least 64. */
    bufferMiB: z
      .number()
      .int()
      .min(64, { message: 'at least 64: Firehose converts to Parquet and partitions, which needs a 64 MiB buffer or more' })
      .max(128)
      .default(128),
  })
  .strict();

export const destinationSchema = z.discriminatedUnion('type', [s3Destination, splunkDestination, elasticDestination, securityLakeDestination], {
  error: 'expected type s3, splunk, elastic or security-lake',
});

/** Local runs: the NDJSON file by default, straight to a SIEM for users without AWS, or Security Lake's Parquet layout in a folder. */
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
  z
    .object({
      type: z.literal('security-lake'),
      /** The folder standing in for the Security Lake bucket: files land under <dir>/ext/<sourceName>-<class uid>/region=.../accountId=.../eventDay=.../ */
      dir: z.string().min(1).default('.cloudtap/security-lake'),
      sourceName: z
        .string()
        .regex(new RegExp(`^[A-Za-z0-9_-]{1,${SECURITY_LAKE_SOURCE_NAME_MAX}}$`), { message: `expected 1 to ${SECURITY_LAKE_SOURCE_NAME_MAX} letters, digits, _ or -` })
        .default('cloudtap'),
      rawData: z.boolean().default(false),
    })
    .strict(),
], { error: 'expected type file, splunk-hec, elasticsearch or security-lake' });

export type DestinationConfig = z.infer<typeof destinationSchema>;
export type LocalSinkConfig = z.infer<typeof localSinkSchema>;
