import { readFileSync } from 'node:fs';
import { generateCtsTraces, type CtsTraceRecord } from '../../../../simulators/huawei/cts/events';
import type { DetectionCorpus } from '../../../detection/corpus';

/**
 * Generated traces for the detection tests, and the sensitive ones among them
 * that the default rules exist to catch (written out from the trace, not from the rules).
 */
export const detectionCorpus: DetectionCorpus<CtsTraceRecord> = {
  generate: (options) => generateCtsTraces(options).map((event) => event.record),
  sensitive: (record: CtsTraceRecord) => {
    if (record.trace_rating !== 'normal') return undefined;
    const request = record.request ?? '';
    switch (record.trace_name) {
      case 'deleteTracker':
        return 'tracker deleted';
      case 'updateTracker':
        return request.includes('"status":"disabled"') ? 'tracker disabled' : undefined;
      case 'createCredential':
        return request.includes(record.user.id) ? undefined : 'access key for another user';
      case 'attachAgencyPolicyV5':
      case 'attachGroupPolicyV5':
        return request.includes('AdministratorAccess') ? 'administrator policy attached' : undefined;
      case 'login':
        return record.user.principal_is_root_user === 'true' ? 'root console sign-in' : undefined;
      case 'UnBindMFA':
        return 'MFA device unbound';
      case 'createSecurity-group-rule':
        return /"remote_ip_prefix":"(0\.0\.0\.0\/0|::\/0)"/.test(request) ? 'security group opened to the internet' : undefined;
      case 'setBucketAcl':
        return request.includes('public-read') ? 'bucket made public' : undefined;
      case 'scheduleKeyDeletion':
        return 'KMS key deletion scheduled';
      default:
        return undefined;
    }
  },
  documentedExample: () => JSON.parse(readFileSync(new URL('../../../fixtures/huawei-cts/list-traces-seed.json', import.meta.url), 'utf8')).traces[0],
  splunkSourcetype: 'huaweicloud:cts',
  splunkVendorProduct: 'Huawei Cloud CTS',
  secretFields: ['accessKeyId', 'secretAccessKey', 'securityToken', 'domainName', 'userName', 'password'],
};
