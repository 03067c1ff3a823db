import { readFileSync } from 'node:fs';
import { generateOperationEvents, type UserOperationEventRecord } from '../../../../simulators/ucloud/operations/events';
import type { DetectionCorpus } from '../../../detection/corpus';

/** Generated records of this API for the detection tests, and the sensitive ones among them that the default rules exist to catch. */
export const detectionCorpus: DetectionCorpus<UserOperationEventRecord> = {
  generate: (options) => generateOperationEvents(options).map((event) => event.record),
  sensitive: (record: UserOperationEventRecord) => {
    if (/^(Delete|Terminate|Release)/.test(record.Api)) return 'destructive operation';
    if (['CreateAccessKey', 'AttachPoliciesToUser', 'UpdateLoginProfile'].includes(record.Api)) return 'credential or permission change';
    return undefined;
  },
  documentedExample: () => JSON.parse(readFileSync(new URL('../../../fixtures/ucloud-operations/get-user-operation-events-seed.json', import.meta.url), 'utf8')).Events[0],
  splunkSourcetype: 'ucloud:operations',
  splunkVendorProduct: 'UCloud Operation Log',
  secretFields: ['publicKey', 'privateKey'],
};
