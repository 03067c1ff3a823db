import type { EcsDocument } from '../shared/ecs/document';
import { encodeDocument } from '../shared/sinks/encode';
import type { DeliveryReport, Sink } from '../shared/core/ports/sink';

/** Encodes every document as a real sink would, then drops it: benchmarks measure the pull, not a disk. */
export class CountingSink implements Sink {
  readonly name = 'counting';
  documents = 0;
  bytes = 0;

  async deliver(documents: EcsDocument[]): Promise<DeliveryReport> {
    for (const document of documents) this.bytes += encodeDocument(document).length;
    this.documents += documents.length;
    return { delivered: documents.length, records: 1, retries: 0 };
  }
}
