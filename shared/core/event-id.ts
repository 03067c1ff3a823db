import { canonicalJson, sha256Hex } from '../lib/hashing';

/**
 * Each record's canonical text, made once: a page's occurrences and then each
 * record's id both need it, and it was the costliest step of mapping a record
 * without an id. Records are never changed once parsed, so the text stays true.
 */
const canonicalTexts = new WeakMap<object, string>();

function canonicalTextOf(raw: unknown): string {
  if (raw === null || typeof raw !== 'object') return canonicalJson(raw);
  let text = canonicalTexts.get(raw);
  if (text === undefined) {
    text = canonicalJson(raw);
    canonicalTexts.set(raw, text);
  }
  return text;
}

/**
 * A deterministic id for records the provider gives no id: a hash of the
 * source type and the record's canonical content. `occurrence` tells apart
 * records identical in every field (the nth copy within one window page run),
 * which are distinct events that happened to be logged alike.
 */
export function contentEventId(sourceType: string, raw: unknown, occurrence = 0): string {
  const suffix = occurrence > 0 ? `\n#${occurrence}` : '';
  return sha256Hex(`${sourceType}\n${canonicalTextOf(raw)}${suffix}`).slice(0, 32);
}

/** For each record, how many records identical to it (same canonical content) come before it in `records`. */
export function occurrencesWithin(records: readonly unknown[]): number[] {
  const seen = new Map<string, number>();
  return records.map((raw) => {
    const key = canonicalTextOf(raw);
    const occurrence = seen.get(key) ?? 0;
    seen.set(key, occurrence + 1);
    return occurrence;
  });
}
