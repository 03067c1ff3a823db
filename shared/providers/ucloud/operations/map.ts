import { contentEventId } from '../../../core/event-id';
import type { MappingContext } from '../../../core/ports/source';
import type { VendorDocument } from '../../../ecs/document';
import { compact, distinct, epochSeconds, eventTypeFromAction, isoFromUnixSeconds, text } from '../../../ecs/fields';

export const UCLOUD_OPERATIONS_TYPE = 'ucloud-operations';

/** One item of GetUserOperationEvents' `Events` (every field optional, as documented). */
export interface UCloudOperationRecord {
  Region?: string;
  Api?: string;
  IsSuccess?: boolean;
  /** Unix seconds. */
  OperateTime?: number | string;
  UserName?: string;
  UserEmail?: string;
  RelatedResource?: { ResourceId?: string; ResourceName?: string }[] | null;
}

/** What the mapping needs from the source instance. */
export interface UCloudOperationsMapOptions {
  /** The ProjectId the instance queries; absent for the account's default project. */
  projectId?: string;
}

/**
 * The IAM and UAccount actions (ucloud-sdk-go services/iam, services/uaccount,
 * services/sts): users, groups, roles, policies, keys, projects and members.
 */
const IAM_ACTIONS = new Set([
  'AddUserToGroup', 'AttachPoliciesToGroup', 'AttachPoliciesToRole', 'AttachPoliciesToUser', 'CreateAccessKey', 'CreateGroup',
  'CreateIAMPolicy', 'CreateProject', 'CreateRole', 'CreateUser', 'DeleteAccessKey', 'DeleteGroup', 'DeleteIAMPolicy',
  'DeleteProject', 'DeleteRole', 'DeleteUser', 'DetachPoliciesFromGroup', 'DetachPoliciesFromRole', 'DetachPoliciesFromUser',
  'GetGroup', 'GetIAMPolicy', 'GetLoginProfile', 'GetRole', 'GetUser', 'GetUserMFAInfo', 'ListAccessKeys', 'ListEntitiesForPolicy',
  'ListEntitiesForProject', 'ListGroups', 'ListPolicies', 'ListPoliciesForGroup', 'ListPoliciesForRole', 'ListPoliciesForUser',
  'ListProjects', 'ListRoles', 'ListUsers', 'ListUsersForGroup', 'ModifyProject', 'RemoveUserFromGroup', 'RemoveUserFromProject',
  'UpdateAccessKey', 'UpdateGroup', 'UpdateIAMPolicy', 'UpdateIAMPolicyName', 'UpdateLoginProfile', 'UpdateUser',
  'CreateCharacter', 'DescribeCharacterList', 'DescribeMemberList', 'GetNetworkMask', 'GetProjectList', 'GetUserInfo',
  'InviteSubaccount', 'ModifyCharacter', 'RemoveMemberFromProject', 'SetNetworkMask', 'TerminateCharacter', 'TerminateMember',
  'TerminateProject', 'AssumeRole',
]);
/** Newer IAM actions not in the list above. */
const IAM_PATTERN = /AccessKey|IAMPolic|LoginProfile|Subaccount|MFA/;
const LOGIN = /^(Login|Logout)/;

/** OperateTime in unix seconds (documented as seconds; milliseconds are read as such). */
export function operationEventTime(record: UCloudOperationRecord): number {
  const value = record?.OperateTime;
  const time = epochSeconds(value);
  if (time === undefined) throw new Error(`OperateTime ${JSON.stringify(value)} is not unix seconds`);
  return time;
}

/**
 * Map one GetUserOperationEvents record to ECS. Pure. The records carry no id,
 * so `event.id` hashes the record with `context.occurrence`, which tells apart
 * records identical in every field (two equal calls in one second).
 */
export function mapUCloudOperationRecord(
  record: UCloudOperationRecord,
  context: MappingContext,
  options: UCloudOperationsMapOptions = {},
): VendorDocument {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) throw new Error('record is not an object');
  const timestamp = isoFromUnixSeconds(operationEventTime(record));
  if (record.RelatedResource !== undefined && record.RelatedResource !== null && !Array.isArray(record.RelatedResource)) {
    throw new Error('RelatedResource is not an array');
  }
  const action = text(record.Api) ?? 'unknown';
  const resources = (record.RelatedResource ?? [])
    .filter((resource) => resource !== null && typeof resource === 'object')
    .map((resource) => ({ id: text(resource.ResourceId), name: text(resource.ResourceName) }));
  const ids = distinct(...resources.map((resource) => resource.id));
  const names = distinct(...resources.map((resource) => resource.name));
  const userName = text(record.UserName);
  const userEmail = text(record.UserEmail);
  const outcome = record.IsSuccess === true ? 'success' : record.IsSuccess === false ? 'failure' : 'unknown';
  const isIam = IAM_ACTIONS.has(action) || IAM_PATTERN.test(action);
  const isLogin = LOGIN.test(action);

  return compact<VendorDocument>({
    '@timestamp': timestamp,
    event: {
      id: contentEventId(UCLOUD_OPERATIONS_TYPE, record, context.occurrence),
      kind: 'event',
      category: ['api', ...(isIam ? ['iam'] : []), ...(isLogin ? ['authentication'] : [])],
      // An operation log records operations: a verb not listed is most likely a change.
      type: [isLogin ? (action.startsWith('Logout') ? 'end' : 'start') : eventTypeFromAction(action, 'change')],
      action,
      outcome,
      provider: 'ulog',
    },
    cloud: {
      provider: 'ucloud',
      region: text(record.Region),
      project: options.projectId ? { id: options.projectId } : undefined,
    },
    user: { name: userName, email: userEmail },
    related: { user: distinct(userName, userEmail) },
    cloudtap: {
      resource: { type: resourceType(ids), name: names?.length === 1 ? names[0] : undefined, ids, names },
      ucloud: {
        // The id/name pairs, which the two flat lists above cannot keep.
        related_resources: resources.length > 0 ? resources.map((resource) => compact({ ...resource })) : undefined,
      },
    },
  });
}

/** UCloud ids read `<product>-<suffix>` (uhost-…, eip-…, udisk-…): the shared prefix, when there is one. */
function resourceType(ids: string[] | undefined): string | undefined {
  const prefixes = distinct(...(ids ?? []).map((id) => /^([a-z][a-z0-9]*)-[A-Za-z0-9]/.exec(id)?.[1]));
  return prefixes?.length === 1 ? prefixes[0] : undefined;
}
