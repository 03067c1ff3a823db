import type { EcsDocument } from '../../ecs/document';
import { toOcsf, type OcsfRecord } from '../../ocsf/index';
import { encodeWithin, MAX_RECORD_BYTES } from '../encode';
import type { Encoder } from './encoder';

export interface OcsfEncoder extends Encoder {
  /** The OCSF record of a document, mapped once however often it is asked for. */
  recordOf(document: EcsDocument): OcsfRecord;
}

/**
 * Security Lake: the OCSF record as one JSON line. Firehose splits a record into
 * at most 500 JSON objects (JSON de-aggregation), partitions each by JQ and
 * converts it to Parquet with the class's Glue table, so lines are packed up to 500.
 * An oversized document shrinks like every format (its `event.original` first:
 * OCSF `raw_data`, when kept, comes from it).
 */
export function createOcsfEncoder(options: { rawData: boolean }): OcsfEncoder {
  // Keyed by the document object: the router maps once to choose the stream, the encoder reuses it.
  const mapped = new WeakMap<EcsDocument, OcsfRecord>();
  const recordOf = (document: EcsDocument): OcsfRecord => {
    let record = mapped.get(document);
    if (!record) {
      record = toOcsf(document, { rawData: options.rawData });
      mapped.set(document, record);
    }
    return record;
  };
  return {
    format: 'ocsf',
    packable: true,
    maxEventsPerRecord: 500,
    recordOf,
    encode: (document) => encodeWithin(document, (d) => Buffer.from(`${JSON.stringify(recordOf(d))}\n`, 'utf8'), MAX_RECORD_BYTES),
  };
}
