import type { Ecs } from '@elastic/ecs';

/** Fields cloudtap adds under its own namespace on every document. */
export interface CloudtapFields {
  /** The configured source instance that pulled the record. */
  source_id: string;
  /** The source type, e.g. `acme-audit`. */
  source_type: string;
  /** Set when the raw record could not be mapped and travels as-is. */
  mapping_error?: string;
  /** Provider-specific fields worth keeping, keyed by provider. */
  [key: string]: unknown;
}

/**
 * One normalized event: an ECS 9.x document. `event.id` is always set and
 * deterministic; `event.original` keeps the raw record as the provider sent it.
 */
export type EcsDocument = Omit<Ecs, 'ecs'> & {
  '@timestamp': string;
  ecs: { version: string };
  event: NonNullable<Ecs['event']> & { id: string; original: string };
  cloudtap: CloudtapFields;
};

/** The `event` fields the core stamps on every document (see shared/core/envelope.ts). */
export type EnvelopeEventField = 'dataset' | 'module' | 'created' | 'ingested' | 'original';

/** The `cloudtap` fields the core stamps on every document. */
export type EnvelopeCloudtapField = 'source_id' | 'source_type' | 'request_id';

/**
 * What a mapping returns: a document's vendor fields (`@timestamp`, event id,
 * kind, category, ..., cloud, user, `cloudtap.<vendor>`), without the
 * envelope the core stamps (ECS version, dataset, module, times, original,
 * source id and type, request id).
 */
export type VendorDocument = Omit<EcsDocument, 'ecs' | 'event' | 'cloudtap'> & {
  event: Omit<EcsDocument['event'], EnvelopeEventField>;
  cloudtap?: { [key: string]: unknown } & { [K in EnvelopeCloudtapField]?: never };
};

export const ECS_VERSION = '9.4.0';

/** `event.dataset` for a source type: `acme-audit` -> `cloudtap.acme_audit`. */
export const datasetOf = (sourceType: string): string => `cloudtap.${sourceType.replace(/-/g, '_')}`;
