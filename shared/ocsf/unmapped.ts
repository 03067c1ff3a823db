/**
 * A document's fields as `unmapped` holds them: dotted paths to strings. A flat
 * string map is what Glue and Parquet can hold for any vendor's fields without a
 * column per field (`map<string,string>`; Athena reads `unmapped['cloudtap.x.y']`);
 * arrays and non-string values keep their JSON text. `skip` leaves out paths.
 */
export function flatten(value: unknown, skip: (path: string) => boolean, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, member] of Object.entries(value)) flatten(member, skip, prefix ? `${prefix}.${key}` : key, out);
  } else if (value !== undefined && prefix !== '' && !skip(prefix)) {
    out[prefix] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}
