import { MAX_CALL_BYTES, MAX_RECORD_BYTES, MAX_RECORDS_PER_CALL } from './encode';

/** One Firehose record: whole encoded events (NDJSON lines, HEC events), and which input documents they are. */
export interface PackedRecord {
  data: Buffer;
  /** Index of the first document in the input, and how many follow it in order. */
  first: number;
  count: number;
}

/** The records of one PutRecordBatch call. */
export interface PackedCall {
  records: PackedRecord[];
  bytes: number;
}

export interface PackOptions {
  /** One event per record, for formats that are not packable (Elastic reads one document per record). */
  onePerRecord?: boolean;
  /** At most this many events in one record. */
  maxEventsPerRecord?: number;
  maxRecordBytes?: number;
  maxRecordsPerCall?: number;
  maxCallBytes?: number;
}

/**
 * Group encoded events into records, in order. Firehose bills each record
 * rounded up to 5 KB (5,120 bytes), so many small events share a record up to
 * the record limit. An event over the limit is refused, never split: a split
 * event would reach the destination as two broken ones.
 */
export function packRecords(lines: readonly Buffer[], options: PackOptions = {}): PackedRecord[] {
  const maxBytes = options.maxRecordBytes ?? MAX_RECORD_BYTES;
  const maxEvents = options.onePerRecord ? 1 : (options.maxEventsPerRecord ?? Infinity);
  const records: PackedRecord[] = [];
  let first = 0;
  let bytes = 0;
  const flush = (end: number) => {
    if (end > first) records.push({ data: Buffer.concat(lines.slice(first, end), bytes), first, count: end - first });
    first = end;
    bytes = 0;
  };
  lines.forEach((line, i) => {
    if (line.length > maxBytes) throw new RangeError(`line ${i} is ${line.length} bytes, over the ${maxBytes}-byte record limit`);
    if (i - first >= maxEvents || bytes + line.length > maxBytes) flush(i);
    bytes += line.length;
  });
  flush(lines.length);
  return records;
}

/** Group records into PutRecordBatch calls within the count and size limits, in order. */
export function packCalls(records: readonly PackedRecord[], options: PackOptions = {}): PackedCall[] {
  const maxRecords = options.maxRecordsPerCall ?? MAX_RECORDS_PER_CALL;
  const maxBytes = options.maxCallBytes ?? MAX_CALL_BYTES;
  const calls: PackedCall[] = [];
  let current: PackedCall = { records: [], bytes: 0 };
  for (const record of records) {
    if (current.records.length >= maxRecords || current.bytes + record.data.length > maxBytes) {
      if (current.records.length > 0) calls.push(current);
      current = { records: [], bytes: 0 };
    }
    current.records.push(record);
    current.bytes += record.data.length;
  }
  if (current.records.length > 0) calls.push(current);
  return calls;
}

/** Encoded events to records to calls. */
export function pack(lines: readonly Buffer[], options: PackOptions = {}): PackedCall[] {
  return packCalls(packRecords(lines, options), options);
}

/** Firehose bills each record's size rounded up to the next 5 KB, counted as 5,120 bytes. */
export const BILLING_INCREMENT_BYTES = 5_120;

/** The bytes Firehose bills for records of these sizes. */
export function billedBytes(recordSizes: Iterable<number>): number {
  let total = 0;
  for (const size of recordSizes) total += Math.max(1, Math.ceil(size / BILLING_INCREMENT_BYTES)) * BILLING_INCREMENT_BYTES;
  return total;
}
