import { classDefinition, CLASS_DEFINITIONS, type OcsfField } from './definitions';
import type { OcsfRecord } from './record';

/**
 * Problems of a record against the pinned schema, each naming the attribute's
 * path: a required attribute missing, an attribute the class does not have, a
 * value of the wrong type (or pattern, for `ip_t`, `email_t`, ...; or range), an
 * enum value the schema does not list, an `at_least_one` constraint unmet, and
 * the classification values the schema derives (category_uid, type_uid =
 * class_uid * 100 + activity_id). [] when valid.
 */
export function validateOcsf(record: OcsfRecord): string[] {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return ['record: not an object'];
  const known = CLASS_DEFINITIONS.map((definition) => definition.uid);
  if (!known.includes(record.class_uid)) return [`class_uid: ${JSON.stringify(record.class_uid)} is not one of ${known.join(', ')}`];
  const definition = classDefinition(record.class_uid);
  const problems = checkObject(record, definition.fields, definition.atLeastOne, '');
  if (record.category_uid !== undefined && record.category_uid !== definition.category_uid) {
    problems.push(`category_uid: ${JSON.stringify(record.category_uid)}, class ${definition.uid} belongs to category ${definition.category_uid}`);
  }
  if (typeof record.activity_id === 'number' && record.type_uid !== undefined && record.type_uid !== definition.uid * 100 + record.activity_id) {
    problems.push(`type_uid: ${JSON.stringify(record.type_uid)}, expected ${definition.uid * 100 + record.activity_id} (class_uid * 100 + activity_id)`);
  }
  return problems;
}

const MISSING = 'required attribute missing';
const AT_LEAST_ONE = 'needs at least one of';

/** Whether a problem is a gap in the data (a required attribute, or an at_least_one unmet) rather than a wrong value. */
export const isGap = (problem: string): boolean => problem.endsWith(MISSING) || problem.includes(`: ${AT_LEAST_ONE} `);

function checkObject(value: Record<string, unknown>, fields: readonly OcsfField[], atLeastOne: readonly string[] | undefined, path: string): string[] {
  const problems: string[] = [];
  const byName = new Map(fields.map((field) => [field.name, field]));
  for (const [name, member] of Object.entries(value)) {
    const field = byName.get(name);
    if (!field) problems.push(`${path}${name}: not an attribute of the pinned schema here`);
    else if (member !== undefined && member !== null) problems.push(...checkValue(member, field, `${path}${name}`));
  }
  for (const field of fields) {
    if (field.requirement === 'required' && (value[field.name] === undefined || value[field.name] === null)) {
      problems.push(`${path}${field.name}: ${MISSING}`);
    }
  }
  if (atLeastOne && !atLeastOne.some((name) => value[name] !== undefined && value[name] !== null)) {
    problems.push(`${path.slice(0, -1) || 'record'}: ${AT_LEAST_ONE} ${atLeastOne.join(', ')}`);
  }
  return problems;
}

function checkValue(value: unknown, field: OcsfField, path: string): string[] {
  if (field.array) {
    if (!Array.isArray(value)) return [`${path}: expected an array`];
    return value.flatMap((item, index) => checkItem(item, field, `${path}[${index}]`));
  }
  return checkItem(value, field, path);
}

function checkItem(value: unknown, field: OcsfField, path: string): string[] {
  switch (field.kind) {
    case 'struct':
      if (!isPlainObject(value)) return [`${path}: expected a ${field.objectName} object`];
      return checkObject(value, field.children!, field.atLeastOne, `${path}.`);
    case 'object':
      return isPlainObject(value) ? [] : [`${path}: expected an object`];
    case 'json_t':
      return [];
    case 'string_t':
      if (typeof value !== 'string') return [`${path}: expected a string, got ${typeName(value)}`];
      return !field.format || field.format.pattern.test(value) ? [] : [`${path}: ${JSON.stringify(value)} is not a valid ${field.format.type}`];
    case 'boolean_t':
      return typeof value === 'boolean' ? [] : [`${path}: expected a boolean, got ${typeName(value)}`];
    case 'float_t':
      return typeof value === 'number' && Number.isFinite(value) ? [] : [`${path}: expected a number, got ${typeName(value)}`];
    case 'integer_t':
      if (!Number.isInteger(value) || (value as number) < -(2 ** 31) || (value as number) >= 2 ** 31) {
        return [`${path}: expected a 32-bit integer, got ${JSON.stringify(value)}`];
      }
      if (field.range && ((value as number) < field.range[0] || (value as number) > field.range[1])) {
        return [`${path}: ${value} is outside ${field.range[0]}..${field.range[1]}`];
      }
      return checkEnum(value as number, field, path);
    case 'long_t':
    case 'timestamp_t':
      return Number.isSafeInteger(value) ? checkEnum(value as number, field, path) : [`${path}: expected an integer, got ${JSON.stringify(value)}`];
  }
}

function checkEnum(value: number, field: OcsfField, path: string): string[] {
  if (!field.enum || String(value) in field.enum) return [];
  return [`${path}: ${value} is not one of ${Object.keys(field.enum).join(', ')}`];
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const typeName = (value: unknown): string => (Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value);
