import { readFileSync } from 'node:fs';
import { generateActionTrailEvents, type ActionTrailRecord } from '../../../../simulators/alibaba/actiontrail/events';
import type { DetectionCorpus } from '../../../detection/corpus';

/** Why a successful generated event is one the default rules exist for (written from the events, not from the rules). */
function sensitive(record: ActionTrailRecord): string | undefined {
  if (record.errorCode || record.errorMessage) return undefined;
  const parameters = (record.requestParameters ?? {}) as Record<string, string>;
  switch (record.eventName) {
    case 'StopLogging':
    case 'DeleteTrail':
    case 'UpdateTrail':
      return 'trail stopped, deleted or changed';
    case 'CreateAccessKey':
      return parameters.UserName !== record.userIdentity?.userName ? 'access key created for another user' : undefined;
    case 'AttachPolicyToUser':
      return parameters.PolicyName === 'AdministratorAccess' ? 'administrator policy attached' : undefined;
    case 'ConsoleSignin':
      return record.userIdentity?.type === 'root-account' ? 'root console sign-in' : undefined;
    case 'UnbindMFADevice':
      return 'MFA removed';
    case 'AuthorizeSecurityGroup':
      return parameters.SourceCidrIp === '0.0.0.0/0' ? 'security group opened to the internet' : undefined;
    case 'PutBucketAcl':
      return parameters['x-oss-acl']?.startsWith('public-') ? 'bucket made public' : undefined;
    case 'ScheduleKeyDeletion':
      return 'KMS key scheduled for deletion';
    default:
      return undefined;
  }
}

/** Generated records of this API for the detection tests, and the sensitive ones among them that the default rules exist to catch. */
export const detectionCorpus: DetectionCorpus<ActionTrailRecord> = {
  generate: (options) => generateActionTrailEvents(options).map((event) => event.record),
  sensitive,
  documentedExample: () => JSON.parse(readFileSync(new URL('../../../fixtures/alibaba-actiontrail/lookup-events-documented.json', import.meta.url), 'utf8')).Events[0],
  splunkSourcetype: 'alibabacloud:actiontrail',
  splunkVendorProduct: 'Alibaba Cloud ActionTrail',
  secretFields: ['accessKeyId', 'accessKeySecret', 'securityToken'],
};
