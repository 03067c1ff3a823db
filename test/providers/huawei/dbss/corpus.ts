import { generateDbssEvents, type DbssEventRecord } from '../../../../simulators/huawei/dbss/events';
import type { DetectionCorpus } from '../../../detection/corpus';

/** Generated records of this API for the detection tests, and the sensitive ones among them that the default rules exist to catch. */
export const detectionCorpus: DetectionCorpus<DbssEventRecord> = {
  generate: (options) => generateDbssEvents(options).map((event) => event.record),
  sensitive: (record: DbssEventRecord) => {
    if (record.result === 'fail') return 'failed operation';
    if (record.action === 'Delete') return `${record.function} deleted`;
    if (/\bdisable\b/i.test(record.description)) return 'audit agent or rule disabled';
    return undefined;
  },
};
