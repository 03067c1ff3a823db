/**
 * The OCSF form of cloudtap's normalized documents, for Amazon Security Lake:
 * the pinned version and classes, the mapping, its validator, the Glue columns
 * and the Parquet writer, all from one pinned definition (docs/ocsf.md).
 */
export { OCSF_VERSION, OCSF_CLASSES, type OcsfClassUid, type OcsfClassInfo } from './definitions';
export type { OcsfRecord } from './record';
export { toOcsf } from './map';
export { validateOcsf } from './validate';
export { glueColumns } from './glue';
export { ocsfParquet } from './parquet';
