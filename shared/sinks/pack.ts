import { MAX_CALL_BYTES, MAX_RECORD_BYTES, MAX_RECORDS_PER_CALL } from './encode';

/** One Firehose record: whole NDJSON lines, and which input documents they are. */
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
  /** One document per record, for destinations that cannot split NDJSON records. */
  onePerRecord?: boolean;
  maxRecordBytes?: number;
  maxRecordsPerCall?: number;
  maxCallBytes?: number;
}

/**
 * Group encoded lines into records, in order. Firehose bills each record
 * rounded up to 5 KB, so many small lines share a record up to the record limit.
 */
export function packRecords(lines: readonly Buffer[], options: PackOptions = {}): PackedRecord[] {
  const maxBytes = options.maxRecordBytes ?? MAX_RECORD_BYTES;
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
    if (options.onePerRecord || bytes + line.length > maxBytes) flush(i);
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

/** Lines to records to calls. */
export function pack(lines: readonly Buffer[], options: PackOptions = {}): PackedCall[] {
  return packCalls(packRecords(lines, options), options);
}
