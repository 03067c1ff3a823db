import type { EcsDocument } from '../../ecs/document';

/**
 * How one event travels to a destination. Firehose bills every record rounded
 * up to 5 KB, so where the destination accepts several events in one record
 * (S3 NDJSON, concatenated Splunk HEC events) they are packed; Elastic indexes
 * one document per record, so its events travel alone.
 */
export interface Encoder {
  readonly format: 'ndjson' | 'splunk-hec' | 'elastic' | 'ocsf';
  /** Whether several encoded events may share one Firehose record. */
  readonly packable: boolean;
  /** At most this many events in one record, where the destination splits records itself. */
  readonly maxEventsPerRecord?: number;
  /** One event, ready to concatenate (a trailing newline where the format needs one). Never drops data silently. */
  encode(document: EcsDocument): Buffer;
}
