import { readFileSync } from 'node:fs';
import { parquetMetadata, parquetReadObjects, parquetSchema, type SchemaTree } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { glueColumns, ocsfParquet, OCSF_CLASSES, toOcsf, type OcsfClassUid, type OcsfRecord } from '../../shared/ocsf/index';
import { API_TYPES, documentedExample, generateRaw, mapRecords } from '../detection/corpus';

const pinned = JSON.parse(readFileSync(new URL('../../shared/ocsf/schema/ocsf-1.1.0.json', import.meta.url), 'utf8'));

/** Every source type's documents (the ucloud Login/Logout records are Authentication), grouped by class. */
const records: OcsfRecord[] = API_TYPES.flatMap((type) =>
  mapRecords(type, [documentedExample(type), ...generateRaw(type, 60, 7)]).map((document) => toOcsf(document, { rawData: true })),
);
const login = mapRecords('ucloud-operations', [{ ...(documentedExample('ucloud-operations') as object), Api: 'Login' }]).map((document) => toOcsf(document));
const byClass = (uid: OcsfClassUid): OcsfRecord[] => [...records, ...login].filter((record) => record.class_uid === uid);

/** What a reader gives back, in JSON's terms: absent for null, numbers for INT64. */
function asJson(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(asJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== null && member !== undefined).map(([key, member]) => [key, asJson(member)]));
  }
  return value;
}

/** The Hive type of a Parquet schema node, read from the file the way Glue would declare it. */
function hiveOf(node: SchemaTree): string {
  const { element, children } = node;
  if (element.converted_type === 'LIST') return `array<${hiveOf(children[0]!.children[0]!)}>`;
  if (element.converted_type === 'MAP') {
    const [key, value] = children[0]!.children;
    return `map<${hiveOf(key!)},${hiveOf(value!)}>`;
  }
  if (children.length > 0) return `struct<${children.map((child) => `${child.element.name}:${hiveOf(child)}`).join(',')}>`;
  const primitive: Record<string, string> = { BYTE_ARRAY: 'string', INT32: 'int', INT64: 'bigint', DOUBLE: 'double', BOOLEAN: 'boolean' };
  return primitive[element.type!]!;
}

/** Paths of a Hive type's leaves: `actor.user.name`, `resources[].uid`, `unmapped{}`. */
function hivePaths(type: string, prefix: string, out: Set<string>): void {
  if (type.startsWith('array<')) return hivePaths(type.slice(6, -1), `${prefix}[]`, out);
  if (type.startsWith('map<')) return void out.add(`${prefix}{}`);
  if (!type.startsWith('struct<')) return void out.add(prefix);
  let depth = 0;
  let start = 7;
  for (let i = 7; i < type.length - 1; i++) {
    if (type[i] === '<') depth++;
    if (type[i] === '>') depth--;
    if ((type[i] === ',' && depth === 0) || i === type.length - 2) {
      const member = type.slice(start, i === type.length - 2 ? i + 1 : i);
      const colon = member.indexOf(':');
      hivePaths(member.slice(colon + 1), `${prefix}.${member.slice(0, colon)}`, out);
      start = i + 1;
    }
  }
}

/** Paths of a record's values, in the same notation. */
function recordPaths(value: unknown, prefix: string, out: Set<string>, mapAt: string[]): void {
  if (mapAt.includes(prefix)) return void out.add(`${prefix}{}`);
  if (Array.isArray(value)) return value.forEach((item) => recordPaths(item, `${prefix}[]`, out, mapAt));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).forEach(([key, member]) => recordPaths(member, prefix ? `${prefix}.${key}` : key, out, mapAt));
  }
  out.add(prefix);
}

describe.each(OCSF_CLASSES.map((info) => info.uid))('class %i', (classUid) => {
  const written = byClass(classUid);

  it('has records from the corpus to write', () => {
    expect(written.length).toBeGreaterThan(0);
  });

  it('reads back from Parquet with hyparquet as the records written, nested fields included', async () => {
    const file = ocsfParquet(classUid, written);
    const rows = await parquetReadObjects({ file: file.buffer as ArrayBuffer });
    expect(rows.map(asJson)).toEqual(JSON.parse(JSON.stringify(written)));
  });

  it('writes a file whose columns are the Glue columns, type for type', () => {
    const file = ocsfParquet(classUid, written.slice(0, 1));
    const metadata = parquetMetadata(file.buffer as ArrayBuffer);
    expect(metadata.key_value_metadata).toEqual([
      { key: 'ocsf.version', value: '1.1.0' },
      { key: 'ocsf.class_uid', value: String(classUid) },
    ]);
    const tree = parquetSchema(metadata);
    expect(tree.children.map((child) => ({ name: child.element.name, type: hiveOf(child) }))).toEqual(glueColumns(classUid));
  });

  it('has a Glue column for every attribute of the pinned class, and for every value the records carry', () => {
    const pinnedClass = pinned.classes.find((candidate: { uid: number }) => candidate.uid === classUid);
    expect(glueColumns(classUid).map((column) => column.name).sort()).toEqual(Object.keys(pinnedClass.attributes).sort());
    const columns = new Set<string>();
    glueColumns(classUid).forEach((column) => hivePaths(column.type, column.name, columns));
    const used = new Set<string>();
    written.forEach((record) => recordPaths(record, '', used, ['unmapped']));
    expect([...used].filter((path) => !columns.has(path))).toEqual([]);
  });
});

describe('glueColumns', () => {
  it('types the classification, time and unmapped columns as Athena reads them', () => {
    const columns = Object.fromEntries(glueColumns(6003).map((column) => [column.name, column.type]));
    expect(columns).toMatchObject({
      class_uid: 'int',
      type_uid: 'bigint',
      time: 'bigint',
      raw_data: 'string',
      unmapped: 'map<string,string>',
      cloud: expect.stringMatching(/^struct<account:struct<name:string,type:string,type_id:int,uid:string>,.*provider:string,region:string,zone:string>$/),
      resources: expect.stringMatching(/^array<struct<.*uid:string,version:string>>$/),
    });
  });

  it('refuses a class it does not write', () => {
    expect(() => glueColumns(4001 as never)).toThrow('OCSF class 4001 is not one cloudtap writes (6003, 3002)');
  });
});

describe('ocsfParquet', () => {
  it('refuses a record of another class, naming it', () => {
    expect(() => ocsfParquet(3002, byClass(6003).slice(0, 1))).toThrow('record 0 is of class 6003, not 3002');
  });

  it('refuses an attribute no column holds rather than dropping it', () => {
    const [record] = byClass(6003);
    expect(() => ocsfParquet(6003, [{ ...record!, vendor_field: 'x' }])).toThrow('record 0: vendor_field is not an attribute of the pinned OCSF class, so no column holds it');
  });
});
