/**
 * An Elasticsearch ingest node in miniature, for the processors and options the
 * shipped pipeline uses, with Elasticsearch's semantics: classic dotted field
 * access (a literal "a.b" key is not reachable as a.b), `if` conditions in a
 * Painless subset, mustache templates, pipeline-level on_failure, and reroute
 * (stops the pipeline, runs the new target's default pipeline, refuses cycles).
 * Anything outside the subset throws, so the pipeline cannot use it unchecked.
 */

export type Json = Record<string, any>;
export interface Processor {
  [type: string]: Json;
}
export interface Pipeline {
  processors: Processor[];
  on_failure?: Processor[];
  [key: string]: unknown;
}
interface Doc {
  source: Json;
  meta: { _index: string; _id?: string };
  ingest: Json;
  rerouted: boolean;
}
export interface Cluster {
  pipelines: Record<string, Pipeline>;
  defaultPipeline(index: string): string | undefined;
}

const COMMON = ['tag', 'description', 'if', 'ignore_failure', 'on_failure'];
const OPTIONS: Record<string, string[]> = {
  rename: ['field', 'target_field', 'ignore_missing'],
  remove: ['field', 'ignore_missing'],
  dot_expander: ['field', 'override'],
  json: ['field', 'add_to_root', 'add_to_root_conflict_strategy'],
  set: ['field', 'value', 'copy_from', 'override'],
  append: ['field', 'value', 'allow_duplicates'],
  pipeline: ['name', 'ignore_missing_pipeline'],
  reroute: ['dataset', 'namespace'],
};

class Stop {}
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

function get(doc: Doc, path: string): unknown {
  if (path === '_index' || path === '_id') return doc.meta[path];
  const [root, ...rest] = path.split('.');
  let value: unknown = root === '_ingest' ? doc.ingest : doc.source[root!];
  for (const key of rest) value = isObject(value) ? value[key] : undefined;
  return value;
}

function set(doc: Doc, path: string, value: unknown): void {
  if (path === '_index' || path === '_id') {
    doc.meta[path] = String(value);
    return;
  }
  const keys = path.split('.');
  let node = doc.source;
  for (const key of keys.slice(0, -1)) {
    if (node[key] === undefined) node[key] = {};
    if (!isObject(node[key])) throw new Error(`cannot set [${path}]: [${key}] is not an object`);
    node = node[key];
  }
  node[keys.at(-1)!] = value;
}

function remove(doc: Doc, path: string, ignoreMissing: boolean): void {
  const keys = path.split('.');
  let node: unknown = doc.source;
  for (const key of keys.slice(0, -1)) node = isObject(node) ? node[key] : undefined;
  if (!isObject(node) || !(keys.at(-1)! in node)) {
    if (ignoreMissing) return;
    throw new Error(`field [${path}] not present as part of path [${path}]`);
  }
  delete node[keys.at(-1)!];
}

/** Mustache as ingest renders it: {{path}} or {{{path}}}, missing values render empty. */
export function render(template: string, doc: Doc): string {
  return template.replace(/\{\{\{?\s*([^{}\s]+)\s*\}?\}\}/g, (_, path: string) => {
    const value = get(doc, path);
    return value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  });
}

/** Check a Painless condition against the subset, then translate it to JavaScript. */
export function painless(source: string): (ctx: Json) => boolean {
  const token = /\s*(ctx|[A-Za-z_]\w*|'(?:[^'\\]|\\.)*'|\?\.|&&|\|\||==|!=|[.()!+])/y;
  let depth = 0;
  for (token.lastIndex = 0; token.lastIndex < source.length; ) {
    const match = token.exec(source);
    if (!match) throw new Error(`painless: cannot read ${JSON.stringify(source.slice(token.lastIndex))}`);
    depth += match[1] === '(' ? 1 : match[1] === ')' ? -1 : 0;
    if (depth < 0) throw new Error(`painless: unbalanced ) in ${source}`);
  }
  if (depth !== 0) throw new Error(`painless: unbalanced ( in ${source}`);
  for (const call of source.matchAll(/\.(\w+)\(/g)) {
    if (!['startsWith', 'endsWith', 'trim', 'contains'].includes(call[1]!)) throw new Error(`painless: method ${call[1]} is not in the checked subset`);
  }
  const js = source.replace(/(ctx(?:\??\.[A-Za-z_]\w*)*)\s+instanceof\s+(String|Map)\b/g, (_, path: string, type: string) => `__is${type}(${path})`);
  if (/\binstanceof\b/.test(js)) throw new Error(`painless: instanceof only on ctx fields, with String or Map: ${source}`);
  const fn = new Function('ctx', '__isString', '__isMap', `return (${js});`);
  return (ctx) => Boolean(fn(ctx, (v: unknown) => typeof v === 'string', isObject));
}

function runProcessor(processor: Processor, doc: Doc, cluster: Cluster): void {
  const entries = Object.entries(processor);
  if (entries.length !== 1) throw new Error(`a processor has exactly one type: ${JSON.stringify(processor)}`);
  const [type, options] = entries[0]!;
  if (!OPTIONS[type]) throw new Error(`processor ${type} is not in the checked subset`);
  const unknown = Object.keys(options).filter((key) => !COMMON.includes(key) && !OPTIONS[type]!.includes(key));
  if (unknown.length) throw new Error(`${type}: options ${unknown.join(', ')} are not in the checked subset`);
  try {
    if (options.if && !painless(options.if)({ ...doc.source, _index: doc.meta._index, _id: doc.meta._id })) return;
    apply(type, options, doc, cluster);
  } catch (error) {
    if (error instanceof Stop) throw error;
    if (options.ignore_failure) return;
    Object.assign(doc.ingest, { on_failure_message: (error as Error).message, on_failure_processor_type: type, on_failure_processor_tag: options.tag ?? '' });
    throw error;
  }
}

function apply(type: string, o: Json, doc: Doc, cluster: Cluster): void {
  switch (type) {
    case 'rename': {
      const value = get(doc, o.field);
      if (value === undefined) {
        if (o.ignore_missing) return;
        throw new Error(`field [${o.field}] doesn't exist`);
      }
      if (get(doc, o.target_field) !== undefined) throw new Error(`field [${o.target_field}] already exists`);
      remove(doc, o.field, false);
      return set(doc, o.target_field, value);
    }
    case 'remove':
      for (const field of [o.field].flat()) remove(doc, field, Boolean(o.ignore_missing));
      return;
    case 'dot_expander':
      if (o.field !== '*') throw new Error('dot_expander: only field "*" is in the checked subset');
      for (const key of Object.keys(doc.source).filter((k) => k.includes('.'))) {
        const value = doc.source[key];
        delete doc.source[key];
        const existing = get(doc, key);
        set(doc, key, existing === undefined || o.override ? value : [existing, value].flat());
      }
      return;
    case 'json': {
      const parsed = JSON.parse(String(get(doc, o.field)));
      if (!o.add_to_root || (o.add_to_root_conflict_strategy ?? 'replace') !== 'replace') throw new Error('json: only add_to_root with replace is checked');
      if (!isObject(parsed)) throw new Error('cannot add non-map fields to root of document');
      return void Object.assign(doc.source, parsed);
    }
    case 'set': {
      if (o.override === false && get(doc, o.field) != null) return;
      const value = o.copy_from !== undefined ? structuredClone(get(doc, o.copy_from)) : typeof o.value === 'string' ? render(o.value, doc) : o.value;
      return set(doc, o.field, value);
    }
    case 'append': {
      const value = render(o.value, doc);
      const existing = get(doc, o.field);
      const list = existing === undefined ? [] : [existing].flat();
      if (o.allow_duplicates === false && list.includes(value)) return set(doc, o.field, list.length === 1 ? list[0] : list);
      return set(doc, o.field, [...list, value]);
    }
    case 'pipeline': {
      const pipeline = cluster.pipelines[o.name];
      if (!pipeline) {
        if (o.ignore_missing_pipeline) return;
        throw new Error(`Pipeline processor configured for non-existent pipeline [${o.name}]`);
      }
      return runPipeline(pipeline, doc, cluster);
    }
    case 'reroute': {
      const [kind, dataset0, ...rest] = doc.meta._index.split('-');
      if (!dataset0 || rest.length === 0) throw new Error(`invalid data stream name: [${doc.meta._index}]`);
      const resolve = (reference: string | string[], fallback: string, disallowed: RegExp) => {
        for (const ref of [reference].flat()) {
          const field = /^\{\{\{?([^{}]+)\}?\}\}$/.exec(ref)?.[1];
          const value = field === undefined ? ref : get(doc, field);
          if (typeof value === 'string') return value.toLowerCase().slice(0, 100).replace(disallowed, '_');
        }
        return fallback;
      };
      const dataset = resolve(o.dataset ?? '{{data_stream.dataset}}', dataset0, /[\\/*?"<>| ,#:-]/g);
      const namespace = resolve(o.namespace ?? '{{data_stream.namespace}}', rest.join('-'), /[\\/*?"<>| ,#:]/g);
      doc.meta._index = `${kind}-${dataset}-${namespace}`;
      doc.rerouted = true;
      set(doc, 'data_stream.type', kind);
      set(doc, 'data_stream.dataset', dataset);
      set(doc, 'data_stream.namespace', namespace);
      if (get(doc, 'event.dataset') !== undefined) set(doc, 'event.dataset', dataset);
      throw new Stop();
    }
  }
}

function runPipeline(pipeline: Pipeline, doc: Doc, cluster: Cluster): void {
  try {
    for (const processor of pipeline.processors) runProcessor(processor, doc, cluster);
  } catch (error) {
    if (error instanceof Stop || !pipeline.on_failure) throw error;
    for (const processor of pipeline.on_failure) runProcessor(processor, doc, cluster);
  }
}

export interface Ingested {
  index: string;
  id?: string;
  source: Json;
  /** Every index the document visited, in order. */
  history: string[];
}

/** Index one document into `index` as Elasticsearch would run its pipelines (no final pipelines). */
export function ingest(cluster: Cluster, index: string, source: Json, options: { id?: string; now?: string } = {}): Ingested {
  const doc: Doc = { source: structuredClone(source), meta: { _index: index, _id: options.id }, ingest: { timestamp: options.now ?? new Date().toISOString() }, rerouted: false };
  const history = [index];
  for (let name = cluster.defaultPipeline(index); name; name = cluster.defaultPipeline(doc.meta._index)) {
    const pipeline = cluster.pipelines[name];
    if (!pipeline) throw new Error(`pipeline with id [${name}] does not exist`);
    doc.rerouted = false;
    try {
      runPipeline(pipeline, doc, cluster);
    } catch (error) {
      if (!(error instanceof Stop)) throw error;
    }
    if (doc.meta._index === history.at(-1)) break;
    if (history.includes(doc.meta._index)) throw new Error(`index cycle detected: ${[...history, doc.meta._index].join(', ')}`);
    history.push(doc.meta._index);
  }
  return { index: doc.meta._index, id: doc.meta._id, source: doc.source, history };
}
