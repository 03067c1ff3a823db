import { isIP } from 'node:net';

/**
 * Would Elasticsearch index this document under these mappings without a
 * mapping conflict? Every leaf must meet an explicit field of a compatible
 * type or one of the mapping's dynamic templates (ES's default dynamic
 * mapping does not count: it guesses from the first value it sees). Returns
 * the problems found, empty when the document fits.
 */

type Json = Record<string, any>;
interface DynamicTemplate {
  name: string;
  path_match?: string;
  match?: string;
  match_mapping_type?: string;
  mapping: Json;
}

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const glob = (pattern: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** The JSON type Elasticsearch's dynamic templates match on. */
function jsonType(value: unknown): string {
  if (isObject(value)) return 'object';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  return Number.isInteger(value) ? 'long' : 'double';
}

export function checkDocument(mappings: Json, document: Json): string[] {
  const problems: string[] = [];
  const templates: DynamicTemplate[] = (mappings.dynamic_templates ?? []).map((entry: Json) => {
    const [name, body] = Object.entries(entry)[0]!;
    return { name, ...(body as Omit<DynamicTemplate, 'name'>) };
  });
  const dynamicFor = (path: string, value: unknown) =>
    templates.find(
      (t) =>
        (!t.match_mapping_type || t.match_mapping_type === '*' || t.match_mapping_type === jsonType(value)) &&
        (!t.path_match || glob(t.path_match).test(path)) &&
        (!t.match || glob(t.match).test(path.split('.').at(-1)!)),
    );

  const leaf = (path: string, value: unknown, mapping: Json) => {
    const type = mapping.type ?? 'object';
    const fits: Record<string, (v: unknown) => boolean> = {
      keyword: (v) => ['string', 'number', 'boolean'].includes(typeof v),
      constant_keyword: (v) => typeof v === 'string' && (mapping.value === undefined || v === mapping.value),
      match_only_text: (v) => typeof v === 'string',
      text: (v) => typeof v === 'string',
      ip: (v) => typeof v === 'string' && isIP(v) !== 0,
      date: (v) => (typeof v === 'string' && ISO.test(v) && !Number.isNaN(Date.parse(v))) || Number.isInteger(v),
      long: (v) => Number.isInteger(v),
      float: (v) => typeof v === 'number',
      boolean: (v) => typeof v === 'boolean',
      flattened: (v) => isObject(v),
    };
    if (type === 'object' && mapping.enabled === false) return;
    if (type === 'object' || type === 'nested') {
      if (!isObject(value)) problems.push(`${path}: object field receives ${JSON.stringify(value)}`);
      else walk(value, path, mapping.properties ?? {});
      return;
    }
    if (!fits[type]) problems.push(`${path}: mapping type ${type} is not checked here`);
    else if (!fits[type]!(value)) problems.push(`${path}: ${type} field receives ${JSON.stringify(value).slice(0, 80)}`);
  };

  const field = (path: string, value: unknown, explicit: Json | undefined) => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) return value.forEach((item) => field(path, item, explicit));
    if (explicit) return leaf(path, value, explicit);
    const template = dynamicFor(path, value);
    if (template) return leaf(path, value, template.mapping);
    if (isObject(value)) return walk(value, path, {});
    problems.push(`${path}: no mapping and no dynamic template for ${jsonType(value)} ${JSON.stringify(value).slice(0, 60)}`);
  };

  function walk(object: Json, prefix: string, properties: Json) {
    for (const [key, value] of Object.entries(object)) {
      if (key.includes('.')) problems.push(`${prefix ? `${prefix}.` : ""}${key}: a dotted key in _source; expand it in the pipeline`);
      field(prefix ? `${prefix}.${key}` : key, value, properties[key]);
    }
  }

  walk(document, '', mappings.properties ?? {});
  return problems;
}
