import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so equal content always gives equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * A deterministic id for records the provider gives no id: a hash of the
 * source type and the record's canonical content. `occurrence` tells apart
 * records identical in every field (the nth copy within one window page run),
 * which are distinct events that happened to be logged alike.
 */
export function contentEventId(sourceType: string, raw: unknown, occurrence = 0): string {
  const hash = createHash('sha256').update(sourceType).update('\n').update(canonicalJson(raw));
  if (occurrence > 0) hash.update(`\n#${occurrence}`);
  return hash.digest('hex').slice(0, 32);
}
