import { readFileSync } from 'node:fs';
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
  documentedExample: () => JSON.parse(readFileSync(new URL('../../../fixtures/huawei-dbss/operation-log-seed.json', import.meta.url), 'utf8')).operate_log[0],
  splunkSourcetype: 'huaweicloud:dbss',
  splunkVendorProduct: 'Huawei Cloud DBSS',
  secretFields: ['accessKeyId', 'secretAccessKey', 'securityToken', 'domainName', 'userName', 'password'],
};
