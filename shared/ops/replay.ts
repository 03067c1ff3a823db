/**
 * Replay of records Firehose could not deliver and backed up to S3: the S3
 * destination's error prefix (`<errorPrefix><error-output-type>/YYYY/MM/DD/`),
 * Splunk's `<backupPrefix>splunk-failed/`, Elastic's `<backupPrefix>http-endpoint-failed/`,
 * Security Lake's `<errorPrefix><source>/` per OCSF class (API Activity's by default).
 * Each object is gzipped JSON lines `{"attemptsMade","arrivalTimestamp","errorCode",
 * "errorMessage","attemptEndingTimestamp","rawData",...}` where `rawData` is the
 * original record, base64. The records go back byte for byte to the delivery
 * stream; an object whose records were all acknowledged moves under
 * `<prefix>replayed/`, so a second replay never sends it again.
 */
import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { gunzipSync } from 'node:zlib';
import type { DestinationConfig } from '../config/schema';
import { DeliveryError } from '../lib/errors';
import { silentLog, type Log } from '../lib/logger';
import { API_ACTIVITY_CLASS_UID, customSourceName } from '../sinks/security-lake/layout';

/** Where replayed objects go, under the replayed prefix; keys with this folder are never replayed again. */
export const REPLAYED_FOLDER = 'replayed';

const folder = (prefix: string) => (prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`);

/** The failed-records prefix of a destination (Firehose's own folder names under the configured prefix). */
export function defaultReplayPrefix(destination: DestinationConfig): string {
  switch (destination.type) {
    case 's3':
      return folder(destination.errorPrefix);
    case 'splunk':
      return `${folder(destination.backupPrefix)}splunk-failed/`;
    case 'elastic':
      return `${folder(destination.backupPrefix)}http-endpoint-failed/`;
    case 'security-lake':
      // Each class's stream has its own error folder; the stack's DeliveryStreamName output is API Activity's.
      return `${folder(destination.errorPrefix)}${customSourceName(destination.sourceName, API_ACTIVITY_CLASS_UID)}/`;
  }
}

/** Sends records exactly as given (FirehoseSink.putRecords); throws DeliveryError when some are not acknowledged. */
export interface RecordSender {
  putRecords(records: readonly Buffer[]): Promise<unknown>;
}

export interface ReplayOptions {
  s3: S3Client;
  bucket: string;
  prefix: string;
  sender: RecordSender;
  /** List and count only: nothing is sent, nothing is moved. */
  dryRun?: boolean;
  log?: Log;
  /** Called once per object handled (progress). */
  onObject?: (result: ObjectResult) => void;
}

export interface ObjectResult {
  key: string;
  status: 'replayed' | 'would-replay' | 'malformed' | 'failed' | 'not-marked';
  records: number;
  reason?: string;
}

export interface ReplaySummary {
  bucket: string;
  prefix: string;
  dryRun: boolean;
  /** Objects found under the prefix, replayed ones excluded. */
  objects: number;
  /** Objects whose records were all acknowledged and that were moved (dry run: would be replayed). */
  replayed: number;
  /** Records acknowledged (dry run: that would be sent). */
  records: number;
  /** Records per Firehose error code (`errorCode` of the backup lines). */
  errorCodes: Record<string, number>;
  malformed: { key: string; reason: string }[];
  /** Objects whose records were not all acknowledged, or that could not be moved; replayed again next time. */
  failed: { key: string; reason: string }[];
}

interface DecodedObject {
  records: Buffer[];
  codes: Record<string, number>;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decode one backup object into the original records; throws with a reason naming the line. */
export function decodeBackupObject(body: Buffer): DecodedObject {
  let text: string;
  try {
    text = (body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body) : body).toString('utf8');
  } catch (error) {
    throw new Error(`not valid gzip: ${(error as Error).message}`);
  }
  const records: Buffer[] = [];
  const codes: Record<string, number> = {};
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      throw new Error(`line ${i + 1} is not JSON`);
    }
    if (typeof entry !== 'object' || entry === null) throw new Error(`line ${i + 1} is not a JSON object`);
    const e = entry as Record<string, unknown>;
    const raw = e.rawData;
    if (typeof raw !== 'string' || raw.length % 4 !== 0 || !BASE64.test(raw)) throw new Error(`line ${i + 1} has no base64 rawData`);
    // Firehose's error documents spell it errorCode (destinations) or ErrorCode (format conversion).
    const code = typeof e.errorCode === 'string' ? e.errorCode : typeof e.ErrorCode === 'string' ? e.ErrorCode : 'Unknown';
    codes[code] = (codes[code] ?? 0) + 1;
    records.push(Buffer.from(raw, 'base64'));
  }
  if (records.length === 0) throw new Error('holds no records');
  return { records, codes };
}

/** Keys under the prefix, without those already replayed (a `replayed/` folder anywhere below the prefix). */
async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      const key = object.Key;
      if (!key || key.endsWith('/')) continue;
      if (key.slice(prefix.length).split('/').slice(0, -1).includes(REPLAYED_FOLDER)) continue;
      keys.push(key);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** `<prefix>replayed/<rest of the key>`. */
export function replayedKey(prefix: string, key: string): string {
  return `${folder(prefix)}${REPLAYED_FOLDER}/${key.slice(folder(prefix).length)}`;
}

const copySource = (bucket: string, key: string) => `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;

export async function replayFailedRecords(options: ReplayOptions): Promise<ReplaySummary> {
  const { s3, bucket, prefix, sender } = options;
  const log = options.log ?? silentLog;
  const dryRun = options.dryRun ?? false;
  const summary: ReplaySummary = { bucket, prefix, dryRun, objects: 0, replayed: 0, records: 0, errorCodes: {}, malformed: [], failed: [] };
  const keys = await listKeys(s3, bucket, prefix);
  summary.objects = keys.length;
  for (const key of keys) {
    const result = await replayObject(key);
    options.onObject?.(result);
  }
  return summary;

  async function replayObject(key: string): Promise<ObjectResult> {
    let decoded: DecodedObject;
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = Buffer.from(await object.Body!.transformToByteArray());
      decoded = decodeBackupObject(body);
    } catch (error) {
      const reason = (error as Error).message;
      if ((error as { $metadata?: unknown }).$metadata) {
        summary.failed.push({ key, reason });
        return { key, status: 'failed', records: 0, reason };
      }
      log.warn('replay: skipping malformed object', { key, reason });
      summary.malformed.push({ key, reason });
      return { key, status: 'malformed', records: 0, reason };
    }
    const count = decoded.records.length;
    if (dryRun) {
      addCodes(decoded.codes);
      summary.replayed++;
      summary.records += count;
      return { key, status: 'would-replay', records: count };
    }
    try {
      await sender.putRecords(decoded.records);
    } catch (error) {
      const reason =
        error instanceof DeliveryError
          ? `${error.failedCount} of ${count} records not acknowledged (${Object.entries(error.failures).map(([c, n]) => `${c} ${n}`).join(', ')})`
          : (error as Error).message;
      log.error('replay: object not fully acknowledged; it stays for the next replay', { key, reason });
      summary.failed.push({ key, reason });
      return { key, status: 'failed', records: count, reason };
    }
    summary.records += count;
    addCodes(decoded.codes);
    try {
      await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: replayedKey(prefix, key), CopySource: copySource(bucket, key) }));
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      // Sent but not moved: the next replay sends it again (same event ids, so deduplicating destinations stay exact).
      const reason = `sent, but could not be marked replayed: ${(error as Error).message}`;
      summary.failed.push({ key, reason });
      return { key, status: 'not-marked', records: count, reason };
    }
    summary.replayed++;
    return { key, status: 'replayed', records: count };
  }

  function addCodes(codes: Record<string, number>): void {
    for (const [code, n] of Object.entries(codes)) summary.errorCodes[code] = (summary.errorCodes[code] ?? 0) + n;
  }
}
