import { canonicalJson, sha256Hex } from '../lib/hashing';

/**
 * A deterministic id for records the provider gives no id: a hash of the
 * source type and the record's canonical content. `occurrence` tells apart
 * records identical in every field (the nth copy within one window page run),
 * which are distinct events that happened to be logged alike.
 */
export function contentEventId(sourceType: string, raw: unknown, occurrence = 0): string {
  const suffix = occurrence > 0 ? `\n#${occurrence}` : '';
  return sha256Hex(`${sourceType}\n${canonicalJson(raw)}${suffix}`).slice(0, 32);
}

/** For each record, how many records identical to it (same canonical content) come before it in `records`. */
export function occurrencesWithin(records: readonly unknown[]): number[] {
  const seen = new Map<string, number>();
  return records.map((raw) => {
    const key = canonicalJson(raw);
    const occurrence = seen.get(key) ?? 0;
    seen.set(key, occurrence + 1);
    return occurrence;
  });
}
