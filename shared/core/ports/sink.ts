import type { EcsDocument } from '../../ecs/document';

export interface DeliveryReport {
  /** Documents acknowledged by the destination. */
  delivered: number;
  /** Destination records or calls used (Firehose records, files appended...). */
  records: number;
  /** Calls that had to be retried, whole or in part. */
  retries: number;
}

/**
 * A destination. `deliver` resolves only once every document is acknowledged;
 * otherwise it throws DeliveryError after its retries, and the caller must not
 * checkpoint. Redelivering the same documents is always safe: ids are stable.
 */
export interface Sink {
  /** A short name for logs: `firehose:my-stream`, `file:out/events.ndjson`. */
  readonly name: string;
  deliver(documents: EcsDocument[]): Promise<DeliveryReport>;
  /** Flush and free resources. */
  close?(): Promise<void>;
}
