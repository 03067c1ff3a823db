import type { OcsfRecord } from '../../ocsf/index';

/** Whether the mapping put part of the document in OCSF `unmapped` (it could not be expressed in the class). */
export function hasUnmappedData(record: OcsfRecord): boolean {
  return record.unmapped !== undefined && record.unmapped !== null;
}
