import { readFileSync } from 'node:fs';
import { generateCloudAuditEvents, type CloudAuditEventRecord } from '../../../../simulators/tencent/cloudaudit/events';
import type { DetectionCorpus } from '../../../detection/corpus';

/** Generated records of this API for the detection tests, and the sensitive ones among them that the default rules exist to catch. */
export const detectionCorpus: DetectionCorpus<CloudAuditEventRecord> = {
  generate: (options) => generateCloudAuditEvents(options).map((event) => event.record),
  sensitive: (record: CloudAuditEventRecord) => {
    const inner = JSON.parse(record.CloudAuditEvent) as { isRisk?: string; sensitiveAction?: string; actionType?: string; userIdentity?: { type?: string } };
    if (record.EventName === 'StopLogging' || record.EventName === 'DeleteAudit') return 'audit logging stopped or deleted';
    // The generator marks every non-CVM write risky, as CloudAudit's own flag does for its sensitive-operation list.
    if (inner.isRisk === '1' || (inner.sensitiveAction ?? '') !== '') return 'flagged sensitive by CloudAudit';
    if (inner.userIdentity?.type === 'Root' && inner.actionType === 'Write') return 'root account change';
    return undefined;
  },
  documentedExample: () => JSON.parse(readFileSync(new URL('../../../fixtures/tencent-cloudaudit/describe-events-seed.json', import.meta.url), 'utf8')).Response.Events[0],
  splunkSourcetype: 'tencentcloud:cloudaudit',
  splunkVendorProduct: 'Tencent Cloud CloudAudit',
  secretFields: ['secretId', 'secretKey', 'token'],
};
