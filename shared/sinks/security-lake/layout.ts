/**
 * Where Security Lake wants a custom source's objects (docs/destinations/security-lake.md):
 * one custom source per OCSF class, under `ext/<source name>/`, partitioned as
 * `region=<region>/accountId=<account id>/eventDay=<YYYYMMDD>/`. The local sink computes the
 * partition in code, Firehose with the JQ below: both must agree, and a test runs the JQ.
 */

/** What of an OCSF record decides its partition (OcsfRecord has these attributes). */
export interface PartitionedRecord {
  class_uid: number;
  /** Epoch milliseconds, as OCSF's timestamp_t. */
  time: number;
  cloud?: { region?: string; account?: { uid?: string } };
}

export interface LakePartition {
  region: string;
  accountId: string;
  /** The UTC day of the event's `time`, YYYYMMDD. */
  eventDay: string;
}

/**
 * API Activity: the class every source type's events have. Where one stream must be named
 * (the stack's DeliveryStreamName output, alarms, replay's default prefix), it is this class's.
 */
export const API_ACTIVITY_CLASS_UID = 6003;

/** The value of a partition the record does not name: a provider that reports no region or account. */
export const UNKNOWN = 'unknown';

/** The custom source one OCSF class is registered as: `<prefix>-<class uid>`, e.g. cloudtap-6003. */
export function customSourceName(prefix: string, classUid: number): string {
  return `${prefix}-${classUid}`;
}

/** The key prefix of a class's objects in the Security Lake bucket. */
export function sourceLocation(prefix: string, classUid: number): string {
  return `ext/${customSourceName(prefix, classUid)}/`;
}

/** The provider's region and account the event happened in, and its UTC day. */
export function partitionOf(record: PartitionedRecord): LakePartition {
  return {
    region: record.cloud?.region ?? UNKNOWN,
    accountId: record.cloud?.account?.uid ?? UNKNOWN,
    // A time that is no number cannot name a day; Firehose's JQ fails on it too and keeps the record in its error prefix.
    eventDay: Number.isFinite(record.time) ? new Date(record.time).toISOString().slice(0, 10).replaceAll('-', '') : UNKNOWN,
  };
}

/** `region=.../accountId=.../eventDay=.../` */
export function partitionPath(partition: LakePartition): string {
  return `region=${partition.region}/accountId=${partition.accountId}/eventDay=${partition.eventDay}/`;
}

/** The same three values as JQ 1.6 over the OCSF JSON, for Firehose's metadata extraction. */
export const PARTITION_JQ: Record<keyof LakePartition, string> = {
  region: `.cloud.region // "${UNKNOWN}"`,
  accountId: `.cloud.account.uid // "${UNKNOWN}"`,
  eventDay: '.time / 1000 | floor | strftime("%Y%m%d")',
};
