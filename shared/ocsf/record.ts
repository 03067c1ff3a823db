import type { OcsfClassUid } from './definitions';

/** One OCSF event record, as JSON would carry it (numbers for timestamps, nested objects). */
export type OcsfRecord = {
  class_uid: OcsfClassUid;
  time: number;
  cloud: { region?: string; account?: { uid?: string } };
  [attribute: string]: unknown;
};
