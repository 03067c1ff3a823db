import type { estypes } from '@elastic/elasticsearch';

/**
 * What the SIEM assets need to know about one source type. Each provider API
 * declares its own in its folder; the Splunk app and the Elastic assets are
 * rendered from these (shared/ops/siem/), so no generic file names a vendor.
 */
export interface SiemFacts {
  splunk: SplunkFacts;
  elastic: ElasticFacts;
}

export interface SplunkFacts {
  /** The sourcetype the HEC encoder gives this source's events, e.g. `vendorcloud:auditlog`. */
  sourcetype: string;
  /** The CIM `vendor` and `product`; `vendor_product` is the two joined by a space unless given. */
  vendor: string;
  product: string;
  vendorProduct?: string;
  /** What the events are, for the sourcetype's description ("cloudtap: <description> (ECS JSON)"). */
  description: string;
  /**
   * Event types of this sourcetype, each with the tags that put it in a CIM data model. The one
   * without a `name` is named `cloudtap_<source type>`; others `cloudtap_<source type>_<name>`.
   * Every search already keeps to the sourcetype and leaves out records cloudtap could not map.
   */
  eventtypes: readonly SplunkEventtype[];
  /** Search-time settings (FIELDALIAS-, EVAL-) that add to or replace the generic CIM ones. */
  props?: Readonly<Record<string, string>>;
}

export interface SplunkEventtype {
  name?: string;
  /** Extra search terms, ANDed with the sourcetype. */
  where?: string;
  description: string;
  tags: readonly string[];
}

export interface ElasticFacts {
  /** The object under `cloudtap` this source's vendor fields live in, e.g. `acme` for `cloudtap.acme.*`. */
  namespace: string;
  /** Mappings of the fields this source writes there; sources sharing a namespace must agree on shared fields. */
  properties: Readonly<Record<string, estypes.MappingProperty>>;
  /** Ingest processors this source's fields need, run after the Firehose record is unwrapped and before routing. */
  processors?: readonly estypes.IngestProcessorContainer[];
}

/** Elastic `keyword` mappings for `names`, in order: most vendor fields are identifiers and codes. */
export function keywords(...names: string[]): Record<string, estypes.MappingProperty> {
  return Object.fromEntries(names.map((name) => [name, { type: 'keyword' }]));
}

/**
 * The Splunk sourcetype of each source type, as the definitions declare it;
 * a type none declares gets `cloudtap:<type>`.
 */
export function splunkSourcetypes(definitions: Iterable<{ type: string; siem: SiemFacts }>): (sourceType: string) => string {
  const sourcetypes = new Map([...definitions].map((definition) => [definition.type, definition.siem.splunk.sourcetype]));
  return (sourceType) => sourcetypes.get(sourceType) ?? `cloudtap:${sourceType}`;
}
