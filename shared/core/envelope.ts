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
 */
export function stampEnvelope(sourceType: string, raw: unknown, fields: VendorDocument, provenance: Provenance): EcsDocument {
  const { event, cloudtap, ...rest } = fields;
  return {
    ...rest,
    ecs: { version: ECS_VERSION },
    event: {
      ...event,
      dataset: datasetOf(sourceType),
      module: 'cloudtap',
      created: provenance.ingested,
      ingested: provenance.ingested,
      original: JSON.stringify(raw) ?? String(raw),
    },
    cloudtap: {
      source_id: provenance.sourceId,
      source_type: sourceType,
      ...(provenance.requestId === undefined ? {} : { request_id: provenance.requestId }),
      ...cloudtap,
    },
  };
}
