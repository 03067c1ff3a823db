import pinned from './schema/ocsf-1.1.0.json';
import type { PinnedAttribute, PinnedSchema, Requirement } from './schema/format';

/**
 * The pinned OCSF definitions (shared/ocsf/schema/, written by scripts/ocsf-pin.ts
 * from the ocsf/ocsf-schema repository) expanded into field trees. The mapping's
 * validator, the Glue columns and the Parquet schema all walk these trees, so
 * they cannot disagree. See docs/ocsf.md.
 */

/** The JSON as scripts/ocsf-pin.ts writes it. */
const schema = pinned as unknown as PinnedSchema;

/** OCSF 1.1.0: the version Security Lake validates custom sources against (docs/ocsf.md says where that is written). */
export const OCSF_VERSION: string = schema.version;

/** The OCSF profiles the pinned classes include (their attributes kept), declared in every record's `metadata.profiles`. */
export const OCSF_PROFILES: readonly string[] = schema.profiles;

export type OcsfClassUid = 3002 | 6003;

export interface OcsfClassInfo {
  uid: OcsfClassUid;
  name: string;
  /** snake_case, e.g. 'api_activity' */
  slug: string;
}

/** A primitive OCSF type after the dictionary's types are reduced (ip_t -> string_t, port_t -> integer_t, ...). */
export type OcsfPrimitive = 'string_t' | 'integer_t' | 'long_t' | 'float_t' | 'boolean_t' | 'json_t' | 'timestamp_t';

/** One attribute of a class or object, its object type expanded. */
export interface OcsfField {
  name: string;
  requirement: Requirement;
  array: boolean;
  /** `object` is OCSF's free-form object (`unmapped`): a string-to-string map here (docs/ocsf.md, "unmapped"). */
  kind: OcsfPrimitive | 'object' | 'struct';
  /** For `struct`: the object's attributes. */
  children?: OcsfField[];
  /** For `struct`: the object's name (`user`, `network_endpoint`, ...). */
  objectName?: string;
  /** For `struct`: the object's `at_least_one` constraint. */
  atLeastOne?: string[];
  /** Allowed values of an enumerated `*_id` attribute, value -> caption. */
  enum?: Record<string, string>;
  /** The pattern of the attribute's dictionary type (`ip_t`, `email_t`, ...). */
  format?: { type: string; pattern: RegExp };
  /** The range of the attribute's dictionary type (`port_t`). */
  range?: [number, number];
}

export interface OcsfClassDefinition extends OcsfClassInfo {
  category_uid: number;
  category_name: string;
  fields: OcsfField[];
  atLeastOne?: string[];
}

const objects = schema.objects;
const formats = new Map(Object.entries(schema.formats).map(([type, pattern]) => [type, { type, pattern: new RegExp(pattern) }]));
const PRIMITIVES = new Set<string>(['string_t', 'integer_t', 'long_t', 'float_t', 'boolean_t', 'json_t', 'timestamp_t']);

/**
 * Attributes of an object type, expanded. An object never nests inside itself:
 * `process.parent_process`, `network_proxy.proxy_endpoint` and the like are cut
 * at their first repetition on a path, which keeps the trees (and the Glue
 * columns) finite. `path` holds the object types above.
 */
function expand(attributes: Record<string, PinnedAttribute>, path: readonly string[]): OcsfField[] {
  const fields: OcsfField[] = [];
  for (const [name, attribute] of Object.entries(attributes)) {
    const base = {
      name,
      requirement: attribute.requirement,
      array: attribute.array === true,
      ...(attribute.enum ? { enum: attribute.enum } : {}),
      ...(attribute.format ? { format: formats.get(attribute.format) } : {}),
      ...(attribute.range ? { range: attribute.range } : {}),
    };
    if (PRIMITIVES.has(attribute.type) || attribute.type === 'object') {
      fields.push({ ...base, kind: attribute.type as OcsfPrimitive | 'object' });
      continue;
    }
    const shape = objects[attribute.type];
    if (!shape) throw new Error(`OCSF ${OCSF_VERSION}: object ${attribute.type} (attribute ${name}) is not pinned`);
    if (path.includes(attribute.type)) continue;
    const children = expand(shape.attributes, [...path, attribute.type]);
    if (children.length === 0) continue;
    const atLeastOne = shape.constraints?.at_least_one?.filter((member) => children.some((child) => child.name === member));
    fields.push({ ...base, kind: 'struct', objectName: attribute.type, children, ...(atLeastOne?.length ? { atLeastOne } : {}) });
  }
  return fields;
}

export const CLASS_DEFINITIONS: readonly OcsfClassDefinition[] = schema.classes.map((pinnedClass) => ({
  uid: pinnedClass.uid as OcsfClassUid,
  name: pinnedClass.caption,
  slug: pinnedClass.name,
  category_uid: pinnedClass.category_uid,
  category_name: pinnedClass.category_name,
  fields: expand(pinnedClass.attributes, []),
  ...(pinnedClass.constraints?.at_least_one ? { atLeastOne: pinnedClass.constraints.at_least_one } : {}),
}));

export const OCSF_CLASSES: readonly OcsfClassInfo[] = CLASS_DEFINITIONS.map(({ uid, name, slug }) => ({ uid, name, slug }));

/** Whether a value matches the pattern of an OCSF dictionary type (`ip_t`, `email_t`, ...) the pinned classes use. */
export function matchesFormat(type: string, value: string): boolean {
  const format = formats.get(type);
  if (!format) throw new Error(`OCSF ${OCSF_VERSION}: no pinned pattern for ${type}`);
  return format.pattern.test(value);
}

export function classDefinition(classUid: number): OcsfClassDefinition {
  const definition = CLASS_DEFINITIONS.find((candidate) => candidate.uid === classUid);
  if (!definition) throw new Error(`OCSF class ${classUid} is not one cloudtap writes (${OCSF_CLASSES.map((known) => known.uid).join(', ')})`);
  return definition;
}

/** A class's field by name; throws for a name the pinned class lacks (a mapping bug, caught by the tests). */
export function fieldOf(fields: readonly OcsfField[], name: string): OcsfField {
  const field = fields.find((candidate) => candidate.name === name);
  if (!field) throw new Error(`OCSF ${OCSF_VERSION}: no attribute ${name}`);
  return field;
}
