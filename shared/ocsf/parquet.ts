import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import type { SchemaElement } from 'hyparquet-writer';
import { classDefinition, OCSF_VERSION, type OcsfClassUid, type OcsfField } from './definitions';
import type { OcsfRecord } from './record';

/**
 * One Parquet file holding records of one class. Its schema is generated from
 * the pinned definitions, the same ones `glueColumns` reads, so the file and the
 * Glue table agree column for column: structs for objects, 3-level LISTs for
 * arrays, a MAP of strings for `unmapped`, every column optional.
 */
export function ocsfParquet(classUid: OcsfClassUid, records: OcsfRecord[]): Uint8Array {
  const { fields } = classDefinition(classUid);
  records.forEach((record, index) => {
    if (record.class_uid !== classUid) throw new Error(`record ${index} is of class ${record.class_uid}, not ${classUid}`);
  });
  const rows = records.map((record, index) => toParquetValue(record, fields, `record ${index}`));
  const schema: SchemaElement[] = [{ name: 'root', num_children: fields.length }, ...fields.flatMap(schemaOf)];
  const writer = new ByteWriter();
  parquetWrite({
    writer,
    schema,
    columnData: fields.map((field) => ({ name: field.name, data: rows.map((row) => row[field.name]) })),
    kvMetadata: [
      { key: 'ocsf.version', value: OCSF_VERSION },
      { key: 'ocsf.class_uid', value: String(classUid) },
    ],
    createdBy: 'cloudtap',
  });
  return new Uint8Array(writer.getBuffer());
}

const STRING = { type: 'BYTE_ARRAY', converted_type: 'UTF8' } as const;
const LEAF: Record<Exclude<OcsfField['kind'], 'struct' | 'object'>, Omit<SchemaElement, 'name'>> = {
  string_t: STRING,
  json_t: STRING,
  integer_t: { type: 'INT32' },
  long_t: { type: 'INT64' },
  timestamp_t: { type: 'INT64' },
  float_t: { type: 'DOUBLE' },
  boolean_t: { type: 'BOOLEAN' },
};

function schemaOf(field: OcsfField): SchemaElement[] {
  const item = itemSchema(field);
  if (!field.array) return [{ ...item[0]!, name: field.name }, ...item.slice(1)];
  return [
    { name: field.name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    { ...item[0]!, name: 'element' },
    ...item.slice(1),
  ];
}

/** The elements of one value of the field (the first named after the field; a list renames it `element`). */
function itemSchema(field: OcsfField): SchemaElement[] {
  if (field.kind === 'struct') {
    return [{ name: field.name, repetition_type: 'OPTIONAL', num_children: field.children!.length }, ...field.children!.flatMap(schemaOf)];
  }
  if (field.kind === 'object') {
    return [
      { name: field.name, repetition_type: 'OPTIONAL', converted_type: 'MAP', num_children: 1 },
      { name: 'key_value', repetition_type: 'REPEATED', num_children: 2 },
      { name: 'key', repetition_type: 'REQUIRED', ...STRING },
      { name: 'value', repetition_type: 'OPTIONAL', ...STRING },
    ];
  }
  return [{ name: field.name, repetition_type: 'OPTIONAL', ...LEAF[field.kind] }];
}

/** A record's values in the writer's terms: bigint for INT64, JSON text for json_t, string values in maps. */
function toParquetValue(value: Record<string, unknown>, fields: readonly OcsfField[], where: string): Record<string, unknown> {
  const byName = new Map(fields.map((field) => [field.name, field]));
  const out: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(value)) {
    const field = byName.get(name);
    if (!field) throw new Error(`${where}: ${name} is not an attribute of the pinned OCSF class, so no column holds it`);
    if (member === undefined || member === null) continue;
    out[name] = field.array ? (member as unknown[]).map((item, index) => convert(item, field, `${where}.${name}[${index}]`)) : convert(member, field, `${where}.${name}`);
  }
  return out;
}

function convert(value: unknown, field: OcsfField, where: string): unknown {
  switch (field.kind) {
    case 'struct':
      return toParquetValue(value as Record<string, unknown>, field.children!, where);
    case 'object':
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, typeof item === 'string' ? item : JSON.stringify(item)]));
    case 'json_t':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'long_t':
    case 'timestamp_t':
      return BigInt(value as number);
    default:
      return value;
  }
}
