import { unmappedDocument } from '../../shared/core/map-page';
import type { EcsDocument } from '../../shared/ecs/document';
import { API_TYPES, documentedExample, generateRaw, mapRecords, splunkSourcetype, splunkVendorProduct, type ApiType } from '../detection/corpus';

/**
 * ECS documents as cloudtap produces them, for every registered API: its
 * documented example and a hundred and fifty simulated records, mapped by the
 * API's real source. Each API describes its records in
 * test/providers/<vendor>/<api>/corpus.ts.
 */

export const SOURCE_TYPES: readonly ApiType[] = API_TYPES;
export type SourceType = ApiType;

/** The Splunk sourcetype `type`'s events must carry (the expectation its corpus writes out). */
export const sourcetypeExpected = (type: SourceType): string => splunkSourcetype(type);

/** The CIM vendor_product `type`'s events must carry (its corpus writes it out). */
export const vendorProductExpected = (type: SourceType): string => splunkVendorProduct(type);

const one = (type: ApiType, raw: unknown): EcsDocument => mapRecords(type, [raw])[0]!;

/** The documented example payload of `type`, mapped. */
export const exampleDocument = (type: SourceType): EcsDocument => one(type, documentedExample(type));

/** The documented example payload of each API, mapped, in registry order. */
export const exampleDocuments = (): EcsDocument[] => SOURCE_TYPES.map(exampleDocument);

/** Simulated records of every source type, mapped; deterministic (fixed seeds). */
export function simulatedDocuments(): Record<SourceType, EcsDocument[]> {
  return Object.fromEntries(SOURCE_TYPES.map((type, index) => [type, mapRecords(type, generateRaw(type, 150, 11 + index))]));
}

/** The edge shapes: a record that could not be mapped, and CloudAudit parameters that are not JSON. */
export function edgeDocuments(): EcsDocument[] {
  const context = { sourceId: 'ssl-prod', ingested: '2026-11-21T00:00:00.000Z', requestId: 'req-1', occurrence: 0 };
  const broken = unmappedDocument('tencent-ssl', { CreatedOn: 'not a time' }, undefined, context, new Error('CreatedOn: bad'));
  const raw = documentedExample('tencent-cloudaudit') as { CloudAuditEvent: string };
  const inner = JSON.parse(raw.CloudAuditEvent);
  const notJson = one('tencent-cloudaudit', { ...raw, CloudAuditEvent: JSON.stringify({ ...inner, requestParameters: '{not json' }) });
  const scalar = one('tencent-cloudaudit', { ...raw, CloudAuditEvent: JSON.stringify({ ...inner, requestParameters: '12' }) });
  return [broken, notJson, scalar];
}
