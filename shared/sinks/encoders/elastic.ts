import type { EcsDocument } from '../../ecs/document';
import { encodeWithin, MAX_RECORD_BYTES, type Serialize } from '../encode';
import type { Encoder } from './encoder';

const json: Serialize = (document) => Buffer.from(JSON.stringify(document), 'utf8');

/**
 * Elastic's Firehose endpoint indexes one document per Firehose record, so
 * events cannot share a record: each is billed at least 5 KB. The record is
 * the ECS document as plain JSON (no newline), shrunk like every other format
 * when it would not fit a record.
 */
export const elasticEncoder: Encoder = {
  format: 'elastic',
  packable: false,
  encode: (document) => encodeWithin(document, json, MAX_RECORD_BYTES),
};

/** One record back into its document. */
export function decodeElasticRecord(data: Buffer | string): EcsDocument {
  return JSON.parse(typeof data === 'string' ? data : data.toString('utf8')) as EcsDocument;
}
