/**
 * Pins the OCSF classes cloudtap writes (API Activity 6003, Authentication 3002)
 * from a checkout of github.com/ocsf/ocsf-schema into one compact, resolved
 * definition file: `shared/ocsf/schema/ocsf-<version>.json`. The mapping's
 * validator, the Glue columns and the Parquet schema are all generated from it.
 *
 *   mkdir -p /tmp/ocsf-1.1.0 && git -C <ocsf-schema clone> archive refs/tags/v1.1.0 | tar -x -C /tmp/ocsf-1.1.0
 *   npx tsx scripts/ocsf-pin.ts /tmp/ocsf-1.1.0
 *
 * Resolution follows the schema's own rules: `extends` chains (class and object),
 * `$include` files (profile attributes tagged with their profile), dictionary
 * types reduced to primitives, enums merged from dictionary, includes and class.
 * Descriptions are dropped; enum captions are kept (they become `*_name` values).
 * See docs/ocsf.md.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PinnedAttribute, PinnedClass, PinnedSchema, PinnedShape } from '../shared/ocsf/schema/format';

/** The classes cloudtap writes, by file under `events/`. */
const CLASS_FILES = ['application/api.json', 'iam/authentication.json'];
/** Profiles cloudtap applies (and declares in `metadata.profiles`): cloud data is what it has. */
export const APPLIED_PROFILES = ['cloud'];
/** Primitive types kept as they are; every other dictionary type reduces to one of them. */
const PRIMITIVES = new Set(['string_t', 'integer_t', 'long_t', 'float_t', 'boolean_t', 'json_t', 'timestamp_t']);

type Json = Record<string, any>;

function main(): void {
  const root = process.argv[2];
  if (!root) throw new Error('usage: tsx scripts/ocsf-pin.ts <ocsf-schema checkout>');
  const schema = pin(resolve(root));
  const out = fileURLToPath(new URL(`../shared/ocsf/schema/ocsf-${schema.version}.json`, import.meta.url));
  writeFileSync(out, `${JSON.stringify(schema)}\n`);
  console.log(`wrote ${out}: ${schema.classes.length} classes, ${Object.keys(schema.objects).length} objects`);
}

export function pin(root: string): PinnedSchema {
  const read = (path: string): Json => JSON.parse(readFileSync(join(root, path), 'utf8'));
  const dictionary = read('dictionary.json');
  const words: Json = dictionary.attributes;
  const types: Json = dictionary.types.attributes;
  const categories: Json = read('categories.json').attributes;

  /** An `attributes` block with its `$include`s merged in (the including block wins). */
  const withIncludes = (attributes: Json): Json => {
    let merged: Json = {};
    for (const path of attributes.$include ?? []) {
      const included = read(path);
      const tagged: Json = {};
      for (const [name, attribute] of Object.entries<Json>(withIncludes(included.attributes))) {
        tagged[name] = included.meta === 'profile' && !('profile' in attribute) ? { ...attribute, profile: included.name } : attribute;
      }
      merged = mergeAttributes(merged, tagged);
    }
    const { $include: _, ...own } = attributes;
    return mergeAttributes(merged, own);
  };

  /** A definition with its `extends` chain merged, base first. */
  const resolveChain = (load: (name: string) => Json, definition: Json): { attributes: Json; chain: Json[] } => {
    const chain = [definition];
    for (let parent = definition.extends; parent; parent = chain[0]!.extends) chain.unshift(load(parent));
    let attributes: Json = {};
    for (const link of chain) attributes = mergeAttributes(attributes, withIncludes(link.attributes ?? {}));
    return { attributes, chain };
  };

  const primitive = (type: string): string => {
    let current = type;
    while (!PRIMITIVES.has(current)) {
      const next = types[current]?.type;
      if (!next) throw new Error(`dictionary type ${type} reduces to no primitive`);
      current = next;
    }
    return current;
  };

  const objects: Record<string, PinnedShape> = {};
  const formats: Record<string, string> = {};
  const loadObject = (name: string): Json => read(`objects/${name}.json`);
  const pending: string[] = [];

  const shape = (attributes: Json): Record<string, PinnedAttribute> => {
    const out: Record<string, PinnedAttribute> = {};
    for (const name of Object.keys(attributes).sort()) {
      const local = attributes[name];
      if (local.profile && !APPLIED_PROFILES.includes(local.profile)) continue;
      const word = words[name];
      if (!word) throw new Error(`attribute ${name} is not in the dictionary`);
      const declared: string = local.type ?? word.type;
      const type = types[declared] ? primitive(declared) : declared;
      if (!types[declared] && type !== 'object') pending.push(type);
      const values = { ...(word.enum ?? {}), ...(local.enum ?? {}) };
      const attribute: PinnedAttribute = { type, requirement: local.requirement ?? 'optional' };
      if (word.is_array) attribute.array = true;
      if (types[declared]?.regex) {
        attribute.format = declared;
        formats[declared] = types[declared].regex;
      }
      if (types[declared]?.range) attribute.range = types[declared].range;
      if (Object.keys(values).length > 0 && name.endsWith('_id')) {
        attribute.enum = Object.fromEntries(Object.entries<Json>(values).map(([value, entry]) => [value, entry.caption]));
      }
      out[name] = attribute;
    }
    return out;
  };

  const classes: PinnedClass[] = CLASS_FILES.map((file) => {
    const definition = read(`events/${file}`);
    const { attributes, chain } = resolveChain((name) => eventNamed(root, name), definition);
    const categoryName = chain.map((link) => link.category).filter(Boolean).pop();
    const category = categories[categoryName];
    const constraints = constraintsOf(chain, definition.name);
    return {
      uid: category.uid * 1000 + definition.uid,
      name: definition.name,
      caption: definition.caption,
      category_uid: category.uid,
      category_name: category.caption,
      attributes: shape(attributes),
      ...(constraints ? { constraints } : {}),
    };
  });

  while (pending.length > 0) {
    const name = pending.pop()!;
    if (objects[name]) continue;
    const definition = loadObject(name);
    const { attributes, chain } = resolveChain(loadObject, definition);
    const constraints = constraintsOf(chain, name);
    objects[name] = { caption: definition.caption, attributes: {}, ...(constraints ? { constraints } : {}) };
    objects[name].attributes = shape(attributes);
  }

  const sortedObjects = Object.fromEntries(Object.keys(objects).sort().map((name) => [name, objects[name]!]));
  const sortedFormats = Object.fromEntries(Object.keys(formats).sort().map((name) => [name, formats[name]!]));
  return { version: read('version.json').version, profiles: APPLIED_PROFILES, formats: sortedFormats, classes, objects: sortedObjects };
}

/** The most specific constraints of a chain; a kind validateOcsf does not check (only at_least_one) stops the pin. */
function constraintsOf(chain: Json[], name: string): PinnedShape['constraints'] {
  const constraints: Json | undefined = chain.map((link) => link.constraints).filter(Boolean).pop();
  const unknown = Object.keys(constraints ?? {}).filter((kind) => kind !== 'at_least_one');
  if (unknown.length > 0) throw new Error(`${name} has constraints validateOcsf does not check: ${unknown.join(', ')}`);
  return constraints;
}

/** The event definition whose `name` is `name` (an `extends` names a definition, not its file). */
function eventNamed(root: string, name: string): Json {
  for (const file of readdirSync(join(root, 'events'), { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.json')) continue;
    const definition = JSON.parse(readFileSync(join(root, 'events', file), 'utf8'));
    if (definition.name === name) return definition;
  }
  throw new Error(`no event definition named ${name} under ${root}/events`);
}

/** Attribute blocks merge field by field; enums merge value by value. */
function mergeAttributes(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [name, attribute] of Object.entries<Json>(over)) {
    const previous = out[name] ?? {};
    out[name] = { ...previous, ...attribute };
    if (previous.enum || attribute.enum) out[name].enum = { ...(previous.enum ?? {}), ...(attribute.enum ?? {}) };
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) main();
