import { classDefinition, type OcsfClassUid, type OcsfField, type OcsfPrimitive } from './definitions';

/**
 * The Hive type of each OCSF primitive in Glue (and so in Athena). Timestamps are
 * epoch milliseconds, as OCSF defines `timestamp_t`: bigint, like the tables of
 * Security Lake's own sources. JSON values travel as their JSON text.
 */
export const HIVE_TYPES: Record<OcsfPrimitive | 'object', string> = {
  string_t: 'string',
  json_t: 'string',
  integer_t: 'int',
  long_t: 'bigint',
  timestamp_t: 'bigint',
  float_t: 'double',
  boolean_t: 'boolean',
  object: 'map<string,string>',
};

/** The Glue table columns of a class: name and Hive type string, one per top-level attribute of the pinned class. */
export function glueColumns(classUid: OcsfClassUid): { name: string; type: string }[] {
  return classDefinition(classUid).fields.map((field) => ({ name: field.name, type: hiveType(field) }));
}

function hiveType(field: OcsfField): string {
  const item =
    field.kind === 'struct' ? `struct<${field.children!.map((child) => `${child.name}:${hiveType(child)}`).join(',')}>` : HIVE_TYPES[field.kind];
  return field.array ? `array<${item}>` : item;
}
