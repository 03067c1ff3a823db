/**
 * The compact form: an entry whose `credentials` is a list of set names, or
 * which has `regions`, stands for one instance per set and region, with the
 * id `<id>[-<set>][-<region>]` (sets outer, regions inner).
 */

/** Expanded ids name resources and cursor keys too, and may be longer than a written id. */
export const MAX_EXPANDED_ID_LENGTH = 63;

/** One instance an entry stands for. */
export interface Expansion {
  id: string;
  /** Whether the id was made from the entry's lists (not written as is). */
  expanded: boolean;
  /** The set named by a `credentials` list, for this instance. */
  setName?: string;
  /** The region from `regions`, for this instance. */
  region?: string;
}

const REGION_IN_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * The instances an entry with the given id stands for, from the raw
 * `credentials` and `regions` (wrong types are the shape check's to report).
 * Problems of the expanded ids are appended to `problems`.
 */
export function expandEntry(id: string, credentials: unknown, regions: unknown, at: string, problems: string[]): Expansion[] {
  const expanded = Array.isArray(credentials) || Array.isArray(regions);
  if (!expanded) return [{ id, expanded }];
  const setNames = Array.isArray(credentials) ? credentials.filter((name): name is string => typeof name === 'string') : [undefined];
  const places = Array.isArray(regions) ? regions.map((region, index) => ({ region, index })).filter((place): place is { region: string; index: number } => typeof place.region === 'string') : [{ region: undefined, index: -1 }];

  for (const { region, index } of places) {
    if (region !== undefined && !REGION_IN_ID.test(region)) {
      problems.push(`${at}.regions[${index}]: "${region}" becomes part of the instance ids; expected lowercase letters, digits and single hyphens, e.g. ap-guangzhou`);
    }
  }
  const expansions: Expansion[] = [];
  for (const setName of setNames) {
    for (const { region } of places) {
      const expandedId = [id, setName, region].filter((part) => part !== undefined).join('-');
      if (expandedId.length > MAX_EXPANDED_ID_LENGTH) {
        problems.push(`${at}.id: expanded id "${expandedId}" has ${expandedId.length} characters; at most ${MAX_EXPANDED_ID_LENGTH}`);
      }
      expansions.push({ id: expandedId, expanded, setName, region });
    }
  }
  return expansions;
}
