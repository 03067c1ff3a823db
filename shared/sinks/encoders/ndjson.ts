import { decodeLines, encodeDocument } from '../encode';
import type { Encoder } from './encoder';

/**
 * S3: the ECS document as one NDJSON line. Lines concatenate into one record
 * and Firehose writes records back to back, so the objects stay NDJSON.
 */
export const ndjsonEncoder: Encoder = {
  format: 'ndjson',
  packable: true,
  // The S3 stream de-aggregates records to partition them, and Firehose splits at most 500 events per record.
  maxEventsPerRecord: 500,
  encode: (document) => encodeDocument(document),
};

/** A record (or a whole S3 object) back into documents. */
export const decodeNdjson = decodeLines;
