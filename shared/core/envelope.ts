import { ECS_VERSION, datasetOf, type EcsDocument, type VendorDocument } from '../ecs/document';

/** Where a record came from and when it was pulled: the same for every record of a page. */
export interface Provenance {
  sourceId: string;
  /** When the record was pulled (ISO 8601): `event.created` and `event.ingested`. */
  ingested: string;
  /** The provider request id of the page that carried the record. */
  requestId?: string;
}

/**
 * The delivered document: a mapping's vendor fields with the envelope every
 * document carries, which no mapping writes itself: the ECS version, the
 * dataset and module, the times, the raw record as `event.original`, and the
 * source, its type and the provider request in cloudtap's namespace.
 *
 * `fields` is stamped in place and returned: a mapping builds a new document
 * for every record (Source.normalize), and copying it with spreads instead
 * cost more than the mapping itself (`npm run bench -- --only normalize`).
 */
export function stampEnvelope(sourceType: string, raw: unknown, fields: VendorDocument, provenance: Provenance): EcsDocument {
  // Stamped in place: the fields become the document (see above).
  const document = fields as unknown as EcsDocument;
  document.ecs = { version: ECS_VERSION };
  const event = document.event;
  event.dataset = datasetOf(sourceType);
  event.module = 'cloudtap';
  event.created = provenance.ingested;
  event.ingested = provenance.ingested;
  event.original = JSON.stringify(raw) ?? String(raw);
  const envelope: NonNullable<EcsDocument['cloudtap']> = { source_id: provenance.sourceId, source_type: sourceType };
  if (provenance.requestId !== undefined) envelope.request_id = provenance.requestId;
  document.cloudtap = fields.cloudtap === undefined ? envelope : Object.assign(envelope, fields.cloudtap);
  return document;
}
