import { isDeepStrictEqual } from 'node:util';
import type { estypes } from '@elastic/elasticsearch';
import type { SourceDefinition } from '../../providers/definition';
import { readTemplate } from './templates';

type Definition = Pick<SourceDefinition, 'type' | 'siem'>;
type Json = Record<string, any>;

/** The bodies `cloudtap elastic-setup` installs. */
export interface ElasticAssets {
  componentTemplate: Json;
  indexTemplate: Json;
  pipeline: Json;
}

/** Each asset's template in siem/elastic/, and the name `cloudtap siem-assets` writes it under. */
export const ELASTIC_ASSET_FILES = {
  componentTemplate: 'component-template-cloudtap-ecs.json',
  pipeline: 'ingest-pipeline-logs-cloudtap.json',
  indexTemplate: 'index-template-logs-cloudtap.json',
} as const satisfies Record<keyof ElasticAssets, string>;

/** The entry of the pipeline template that the sources' own processors take the place of. */
export const SOURCE_PROCESSORS = 'cloudtap:source-processors';

/**
 * The Elastic assets, rendered from the generic templates in siem/elastic/ and
 * the facts each definition declares: its mappings under `cloudtap.<namespace>`
 * join the component template, its ingest processors take the place of the
 * pipeline's "cloudtap:source-processors" entry. The index template is generic.
 */
export function elasticAssets(definitions: readonly Definition[]): ElasticAssets {
  const read = (asset: keyof ElasticAssets) => JSON.parse(readTemplate(`elastic/${ELASTIC_ASSET_FILES[asset]}`)) as Json;
  const componentTemplate = read('componentTemplate');
  addMappings(componentTemplate.template.mappings.properties.cloudtap.properties, definitions);
  const pipeline = read('pipeline');
  pipeline.processors = withSourceProcessors(pipeline.processors, definitions);
  return { componentTemplate, indexTemplate: read('indexTemplate'), pipeline };
}

/** Each source's fields under `cloudtap.<namespace>`; sources sharing a namespace must map a shared field alike. */
function addMappings(cloudtap: Json, definitions: readonly Definition[]): void {
  const namespaces = new Set<string>();
  /** `namespace.field` -> the source type that mapped it first. */
  const owners = new Map<string, string>();
  for (const { type, siem } of definitions) {
    const { namespace, properties } = siem.elastic;
    if (!/^[a-z0-9_]+$/.test(namespace)) throw new Error(`${type}: siem.elastic.namespace ${JSON.stringify(namespace)} may hold only a-z, 0-9 and _`);
    if (cloudtap[namespace] && !namespaces.has(namespace)) throw new Error(`${type}: cloudtap.${namespace} is a field every source has; pick another namespace`);
    namespaces.add(namespace);
    const fields = (cloudtap[namespace] ??= { properties: {} }).properties as Json;
    for (const [field, mapping] of Object.entries(properties)) {
      const owner = owners.get(`${namespace}.${field}`);
      if (owner && !isDeepStrictEqual(fields[field], mapping)) throw new Error(`${type}: cloudtap.${namespace}.${field} is mapped differently by ${owner}`);
      owners.set(`${namespace}.${field}`, owner ?? type);
      fields[field] = mapping;
    }
  }
}

function withSourceProcessors(template: readonly (estypes.IngestProcessorContainer | string)[], definitions: readonly Definition[]): unknown[] {
  const at = template.indexOf(SOURCE_PROCESSORS);
  if (at < 0 || template.lastIndexOf(SOURCE_PROCESSORS) !== at) throw new Error(`the pipeline template must hold "${SOURCE_PROCESSORS}" once`);
  const processors = [...template.slice(0, at), ...definitions.flatMap((definition) => definition.siem.elastic.processors ?? []), ...template.slice(at + 1)];
  // Failures name the processor by its tag, so every processor has one of its own.
  const tags = processors.map((processor) => (Object.values(processor as Json)[0] as { tag?: string } | undefined)?.tag);
  const bad = tags.findIndex((tag, i) => !tag || tags.indexOf(tag) !== i);
  if (bad >= 0) throw new Error(`ingest processor ${bad + 1} has ${tags[bad] ? `the tag ${tags[bad]} of another` : 'no tag'}`);
  return processors;
}
