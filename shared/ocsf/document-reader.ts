import type { EcsDocument } from '../ecs/document';

/**
 * Reads document fields by dotted path and remembers which it mapped: the rest
 * is `unmapped`. A value a reader does not take (a list of numbers where strings
 * belong, an address that is no `ip_t`) counts as not mapped, so it is kept there.
 */
export function documentReader(document: EcsDocument) {
  const used = new Set<string>();
  const take = <T>(path: string, convert: (found: unknown) => T | undefined): T | undefined => {
    let found: unknown = document;
    for (const key of path.split('.')) found = found !== null && typeof found === 'object' ? (found as Record<string, unknown>)[key] : undefined;
    const result = found === undefined || found === null ? undefined : convert(found);
    if (result !== undefined) used.add(path);
    return result;
  };
  return {
    used,
    value: (path: string): unknown => take(path, (found) => found),
    /** A non-empty string (a number as text), when `accept` (if given) takes it. */
    text: (path: string, accept: (found: string) => boolean = () => true): string | undefined =>
      take(path, (found) => {
        const result = typeof found === 'string' && found !== '' ? found : typeof found === 'number' ? String(found) : undefined;
        return result !== undefined && accept(result) ? result : undefined;
      }),
    list: (path: string): string[] =>
      take(path, (found) =>
        typeof found === 'string' ? [found] : Array.isArray(found) && found.every((item) => typeof item === 'string') ? (found as string[]) : undefined,
      ) ?? [],
    integer: (path: string): number | undefined => take(path, (found) => (Number.isInteger(found) ? (found as number) : undefined)),
    time: (path: string): number | undefined =>
      take(path, (found) => (typeof found === 'string' && Number.isFinite(Date.parse(found)) ? Date.parse(found) : undefined)),
  };
}

export type DocumentReader = ReturnType<typeof documentReader>;
