import type { EcsDocument } from '../ecs/document';

/** Firehose's hard limit for one record's data, before base64: 1,000 KiB. */
export const MAX_RECORD_BYTES = 1_024_000;
/** PutRecordBatch takes at most 500 records... */
export const MAX_RECORDS_PER_CALL = 500;
/** ...and at most 4 MiB of record data per call. */
export const MAX_CALL_BYTES = 4_194_304;

/** A document that cannot be made to fit one record even reduced to its core fields: its `event` alone is too big. */
export class DocumentTooLargeError extends Error {
  override readonly name = 'DocumentTooLargeError';
  constructor(
    readonly eventId: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`event ${eventId}: even reduced to its core fields the document is ${bytes} bytes, over the ${limit}-byte record limit`);
  }
}

/** Serializes one (possibly reduced) document into the bytes one event takes in a record. */
export type Serialize = (document: EcsDocument) => Buffer;

/** The S3 format: the document as one NDJSON line. */
export const ndjsonLine: Serialize = (document) => Buffer.from(`${JSON.stringify(document)}\n`, 'utf8');

/**
 * Encode one document as one NDJSON line (UTF-8, trailing newline) of at most
 * `maxBytes`. An oversized document is never dropped: its `event.original` is
 * cut to the longest prefix that fits and `cloudtap.original_truncated_bytes`
 * records the original's full length in bytes; if that is not enough, only its
 * core fields are kept (`cloudtap.fields_dropped` says which went). The input
 * is not modified.
 */
export function encodeDocument(document: EcsDocument, maxBytes: number = MAX_RECORD_BYTES): Buffer {
  return encodeWithin(document, ndjsonLine, maxBytes);
}

/**
 * `encodeDocument`'s policy for any format that embeds the document's JSON
 * once (a HEC envelope, an Elastic document): shrink, flag, or throw
 * DocumentTooLargeError; never drop.
 */
export function encodeWithin(document: EcsDocument, serialize: Serialize, maxBytes: number = MAX_RECORD_BYTES): Buffer {
  const full = serialize(document);
  if (full.length <= maxBytes) return full;
  const original = document.event.original ?? '';
  const fitted =
    fitOriginal(document, original, serialize, maxBytes) ?? fitOriginal(coreOf(document), original, serialize, maxBytes);
  if (fitted) return fitted;
  throw new DocumentTooLargeError(document.event.id, serialize(withOriginal(coreOf(document), original, '')).length, maxBytes);
}

function withOriginal(document: EcsDocument, original: string, text: string): EcsDocument {
  return {
    ...document,
    event: { ...document.event, original: text },
    cloudtap: { ...document.cloudtap, original_truncated_bytes: Buffer.byteLength(original, 'utf8') },
  };
}

/**
 * When the mapped fields alone overflow a record (a huge decoded request, say),
 * keep what a SIEM needs to find and triage the event, and list what was left
 * out: the event still arrives, flagged, with as much of the raw record as fits.
 */
const CORE_FIELDS = ['@timestamp', 'ecs', 'event', 'cloud', 'user', 'source', 'error', 'tags'] as const;

function coreOf(document: EcsDocument): EcsDocument {
  const core: Partial<EcsDocument> = Object.fromEntries(CORE_FIELDS.filter((key) => key in document).map((key) => [key, document[key]]));
  const dropped = Object.keys(document).filter((key) => key !== 'cloudtap' && !(CORE_FIELDS as readonly string[]).includes(key));
  const { source_id, source_type, request_id } = document.cloudtap;
  return {
    ...(core as Pick<EcsDocument, '@timestamp' | 'ecs' | 'event'>),
    cloudtap: { source_id, source_type, request_id, fields_dropped: [...dropped, 'cloudtap.*'] },
  };
}

/**
 * The encoding with the longest prefix of `original` that fits, or undefined if
 * even an empty one does not. `serialize` must embed the document's JSON once.
 */
function fitOriginal(document: EcsDocument, original: string, serialize: Serialize, maxBytes: number): Buffer | undefined {
  const empty = serialize(withOriginal(document, original, ''));
  if (empty.length > maxBytes) return undefined;
  // JSON escaping makes the cost per character uneven (quotes, control
  // characters, multi-byte UTF-8), so search for the longest prefix that fits.
  const budget = maxBytes - empty.length;
  const cost = (n: number) => Buffer.byteLength(JSON.stringify(original.slice(0, n)), 'utf8') - 2;
  let low = 0;
  let high = original.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (cost(mid) <= budget) low = mid;
    else high = mid - 1;
  }
  // Never split a surrogate pair: half of one would not survive as UTF-8.
  const code = original.charCodeAt(low - 1);
  if (low > 0 && code >= 0xd800 && code <= 0xdbff) low -= 1;
  return serialize(withOriginal(document, original, original.slice(0, low)));
}

/** Split an NDJSON buffer (one record, or a whole file) back into documents. */
export function decodeLines(data: Buffer | string): EcsDocument[] {
  const text = typeof data === 'string' ? data : data.toString('utf8');
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as EcsDocument);
}

