import { createHash, type BinaryToTextEncoding } from 'node:crypto';

/** The SHA-256 digest of `data` (text as UTF-8), hex unless another encoding is asked for. */
export function sha256(data: string | Uint8Array, encoding: BinaryToTextEncoding = 'hex'): string {
  return createHash('sha256').update(data).digest(encoding);
}

/** The hex SHA-256 digest of `data` (text as UTF-8). */
export const sha256Hex = (data: string | Uint8Array): string => sha256(data, 'hex');

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
