import type { ActionTrailEvent } from '../../../shared/providers/alibaba/actiontrail/map';
import { lateDelay, Random, type GenerateBase } from '../../common/random';

/** An ActionTrail event as LookupEvents returns it, every field the generator writes present. */
export type ActionTrailRecord = ActionTrailEvent & { eventId: string; eventTime: string; eventName: string };

/** An event plus when the API starts returning it (late arrival). */
export interface SimulatedEvent {
  record: ActionTrailRecord;
  /** Unix seconds; defaults to the event time. */
  visibleAt?: number;
}

export interface GenerateOptions extends GenerateBase {
  /** Default 1751234567890123 (a made-up account id). */
  accountId?: string;
  /** The region the events are looked up in; default cn-hangzhou. */
  region?: string;
}

interface Caller {
  type: 'root-account' | 'ram-user' | 'assumed-role';
  userName: string;
  principalId: string;
  accessKeyId: string;
}

interface Context {
  r: Random;
  caller: Caller;
  region: string;
  account: string;
}

interface Action {
  name: string;
  service: string;
  /** The endpoint the call reached; `{region}` filled in. */
  source: string;
  rw: 'Read' | 'Write';
  weight: number;
  /** A console sign-in (its own eventType and fields). */
  signIn?: boolean;
  /** Only the account itself (root) does it. */
  rootOnly?: boolean;
  params?: (context: Context) => Record<string, string>;
  resource?: (context: Context) => { type: string; id: string };
}

const SUB_USERS = ['alice', 'bob', 'ci-deployer', 'ops-readonly', 'secops'];
const ROLE = 'ecs-deploy-role';
// Documentation address ranges (RFC 5737): realistic, never anyone's real address.
const IP_PREFIXES = ['203.0.113.', '198.51.100.', '192.0.2.'];
const USER_AGENTS = ['AlibabaCloud (Linux; x64) Node.js/v20.18.0 Core/1.0.1 TeaDSL/2', 'aliyun-cli/3.0.230', 'Terraform/1.9.8 terraform-provider-alicloud/1.235.0', 'AlibabaCloud API Workbench'];
const CONSOLE_AGENT = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';
const FAILURES = [
  { errorCode: 'Forbidden.RAM', errorMessage: 'User not authorized to operate on the specified resource, or this API does not support RAM.' },
  { errorCode: 'InvalidParameter', errorMessage: 'The specified parameter is not valid.' },
  { errorCode: 'EntityNotExist.User', errorMessage: 'The user does not exist.' },
];

const instance = ({ r }: Context) => ({ type: 'ACS::ECS::Instance', id: `i-bp1${r.token(17)}` });
const securityGroup = ({ r }: Context) => ({ type: 'ACS::ECS::SecurityGroup', id: `sg-bp1${r.token(17)}` });
const bucket = ({ r }: Context) => ({ type: 'ACS::OSS::Bucket', id: `logs-${r.token(6)}` });
const key = ({ r }: Context) => ({ type: 'ACS::KMS::Key', id: r.uuid() });
const trail = () => ({ type: 'ACS::ActionTrail::Trail', id: 'audit-prod' });
const otherUser = ({ r, caller }: Context) => r.pick(SUB_USERS.filter((name) => name !== caller.userName));

/**
 * The mix of an account's day, everyday calls heavily weighted; the sensitive
 * variants (trail stopped, admin policy attached, 0.0.0.0/0 opened, ...) are
 * rare, as in a real account, and have everyday twins (a trail read, a
 * read-only policy, a private range) so rules must tell them apart.
 */
const ACTIONS: Action[] = [
  { name: 'DescribeInstances', service: 'Ecs', source: 'ecs.{region}.aliyuncs.com', rw: 'Read', weight: 30 },
  { name: 'DescribeSecurityGroups', service: 'Ecs', source: 'ecs.{region}.aliyuncs.com', rw: 'Read', weight: 8 },
  { name: 'StartInstance', service: 'Ecs', source: 'ecs.{region}.aliyuncs.com', rw: 'Write', weight: 4, resource: instance },
  { name: 'StopInstance', service: 'Ecs', source: 'ecs.{region}.aliyuncs.com', rw: 'Write', weight: 3, resource: instance },
  { name: 'AuthorizeSecurityGroup', service: 'Ecs', source: 'ecs.{region}.aliyuncs.com', rw: 'Write', weight: 3, resource: securityGroup, params: ({ r }) => ({ IpProtocol: 'tcp', PortRange: '443/443', SourceCidrIp: r.pick(['10.0.0.0/8', '172.16.0.0/12', '192.168.10.0/24']) }) },
  { name: 'AuthorizeSecurityGroup', service: 'Ecs', source: 'ecs.{region}.aliyuncs.com', rw: 'Write', weight: 0.3, resource: securityGroup, params: () => ({ IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: '0.0.0.0/0' }) },
  { name: 'ListUsers', service: 'Ram', source: 'ram.aliyuncs.com', rw: 'Read', weight: 10 },
  { name: 'GetUser', service: 'Ram', source: 'ram.aliyuncs.com', rw: 'Read', weight: 5, params: ({ r }) => ({ UserName: r.pick(SUB_USERS) }) },
  { name: 'CreateAccessKey', service: 'Ram', source: 'ram.aliyuncs.com', rw: 'Write', weight: 2, params: ({ caller }) => ({ UserName: caller.userName }) },
  { name: 'CreateAccessKey', service: 'Ram', source: 'ram.aliyuncs.com', rw: 'Write', weight: 0.3, params: (context) => ({ UserName: otherUser(context) }) },
  { name: 'AttachPolicyToUser', service: 'Ram', source: 'ram.aliyuncs.com', rw: 'Write', weight: 2, params: ({ r }) => ({ PolicyType: 'System', PolicyName: r.pick(['AliyunECSReadOnlyAccess', 'AliyunOSSReadOnlyAccess', 'AliyunActionTrailReadOnlyAccess']), UserName: r.pick(SUB_USERS) }) },
  { name: 'AttachPolicyToUser', service: 'Ram', source: 'ram.aliyuncs.com', rw: 'Write', weight: 0.3, params: ({ r }) => ({ PolicyType: 'System', PolicyName: 'AdministratorAccess', UserName: r.pick(SUB_USERS) }) },
  { name: 'UnbindMFADevice', service: 'Ram', source: 'ram.aliyuncs.com', rw: 'Write', weight: 0.3, params: ({ r }) => ({ UserName: r.pick(SUB_USERS) }) },
  { name: 'AssumeRole', service: 'Sts', source: 'sts.aliyuncs.com', rw: 'Read', weight: 6, params: ({ account }) => ({ RoleArn: `acs:ram::${account}:role/${ROLE}`, RoleSessionName: 'deploy' }) },
  { name: 'GetBucketInfo', service: 'Oss', source: 'oss-{region}.aliyuncs.com', rw: 'Read', weight: 6, resource: bucket },
  { name: 'PutBucketAcl', service: 'Oss', source: 'oss-{region}.aliyuncs.com', rw: 'Write', weight: 1.5, resource: bucket, params: () => ({ 'x-oss-acl': 'private' }) },
  { name: 'PutBucketAcl', service: 'Oss', source: 'oss-{region}.aliyuncs.com', rw: 'Write', weight: 0.3, resource: bucket, params: ({ r }) => ({ 'x-oss-acl': r.pick(['public-read', 'public-read-write']) }) },
  { name: 'DescribeKey', service: 'Kms', source: 'kms.{region}.aliyuncs.com', rw: 'Read', weight: 4, resource: key },
  { name: 'ScheduleKeyDeletion', service: 'Kms', source: 'kms.{region}.aliyuncs.com', rw: 'Write', weight: 0.3, resource: key, params: () => ({ PendingWindowInDays: '7' }) },
  { name: 'LookupEvents', service: 'Actiontrail', source: 'actiontrail.{region}.aliyuncs.com', rw: 'Read', weight: 6 },
  { name: 'DescribeTrails', service: 'Actiontrail', source: 'actiontrail.{region}.aliyuncs.com', rw: 'Read', weight: 3 },
  { name: 'StopLogging', service: 'Actiontrail', source: 'actiontrail.{region}.aliyuncs.com', rw: 'Write', weight: 0.3, resource: trail, params: () => ({ Name: 'audit-prod' }) },
  { name: 'DeleteTrail', service: 'Actiontrail', source: 'actiontrail.{region}.aliyuncs.com', rw: 'Write', weight: 0.2, resource: trail, params: () => ({ Name: 'audit-prod' }) },
  { name: 'UpdateTrail', service: 'Actiontrail', source: 'actiontrail.{region}.aliyuncs.com', rw: 'Write', weight: 0.3, resource: trail, params: () => ({ Name: 'audit-prod', OssBucketName: 'audit-archive' }) },
  { name: 'ConsoleSignin', service: 'AasSub', source: 'signin.aliyun.com', rw: 'Write', weight: 5, signIn: true },
  { name: 'ConsoleSignin', service: 'AasCustomer', source: 'http://account.aliyun.com/login/login_aliyun.htm', rw: 'Write', weight: 0.3, signIn: true, rootOnly: true },
];
const TOTAL_WEIGHT = ACTIONS.reduce((sum, action) => sum + action.weight, 0);

/** ActionTrail's eventTime: ISO 8601 UTC to the second. */
export const formatEventTime = (seconds: number): string => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

/**
 * Deterministic, realistic ActionTrail events with event times in [from, to],
 * newest first: the same options always give the same events (ids included).
 */
export function generateActionTrailEvents(options: GenerateOptions): SimulatedEvent[] {
  const r = new Random(options.seed);
  const account = options.accountId ?? '1751234567890123';
  const region = options.region ?? 'cn-hangzhou';
  const events: SimulatedEvent[] = [];
  for (let i = 0; i < options.count; i++) {
    const time = r.int(options.from, options.to);
    const record = buildEvent(r, time, account, region);
    events.push({ record, visibleAt: time + (lateDelay(r, options.late) ?? 0) });
  }
  return events.sort((a, b) => (a.record.eventTime < b.record.eventTime ? 1 : a.record.eventTime > b.record.eventTime ? -1 : 0));
}

function callerFor(r: Random, action: Action, account: string): Caller {
  if (action.rootOnly) return { type: 'root-account', userName: 'root', principalId: account, accessKeyId: '' };
  const index = r.int(0, SUB_USERS.length - 1);
  if (!action.signIn && r.next() < 0.15) {
    return { type: 'assumed-role', userName: `${ROLE}:deploy`, principalId: `30087${account.slice(-8)}:deploy`, accessKeyId: `STS.NSim${r.token(20)}` };
  }
  return { type: 'ram-user', userName: SUB_USERS[index]!, principalId: `20${account.slice(-6)}${String(index + 1).padStart(8, '0')}`, accessKeyId: `LTAIsim${account.slice(-4)}User${index + 1}` };
}

function buildEvent(r: Random, time: number, account: string, region: string): ActionTrailRecord {
  const action = r.weighted(ACTIONS, TOTAL_WEIGHT, ACTIONS[0]!);
  const caller = callerFor(r, action, account);
  const context: Context = { r, caller, region, account };
  const eventId = r.uuid().toUpperCase();
  const sourceIpAddress = r.pick(IP_PREFIXES) + r.int(1, 254);
  const failure = r.next() < 0.05 ? r.pick(FAILURES) : undefined;
  const eventTime = formatEventTime(time);
  const identity = {
    type: caller.type,
    principalId: caller.principalId,
    accountId: account,
    userName: caller.userName,
  };
  if (action.signIn) {
    const mfa = caller.type === 'root-account' ? r.next() < 0.5 : true;
    // A failed sign-in (wrong password): ActionTrail records the error; assumed shape, see the docs page.
    const failed = r.next() < 0.05;
    return {
      eventId,
      eventVersion: 1,
      eventSource: action.source,
      sourceIpAddress,
      userAgent: CONSOLE_AGENT,
      eventType: 'ConsoleSignin',
      userIdentity: identity,
      serviceName: action.service,
      additionalEventData: { loginAccount: caller.type === 'root-account' ? 'owner@example.com' : `${caller.userName}@${account}.onaliyun.com`, isMFAChecked: String(mfa) },
      requestId: eventId,
      eventTime,
      isGlobal: true,
      acsRegion: region,
      eventName: 'ConsoleSignin',
      ...(failed ? { errorCode: 'LoginFailed', errorMessage: 'The user name or password is incorrect.' } : {}),
    };
  }
  const resource = action.resource?.(context);
  const params = action.params?.(context) ?? {};
  const requestId = r.uuid().toUpperCase();
  const console = r.next() < 0.25;
  return {
    eventId,
    eventVersion: '1',
    eventCategory: 'Management',
    eventName: action.name,
    eventRW: action.rw,
    eventType: console ? 'ConsoleOperation' : 'ApiCall',
    eventSource: action.source.replace('{region}', region),
    eventTime,
    acsRegion: region,
    serviceName: action.service,
    apiVersion: action.service === 'Actiontrail' ? '2020-07-06' : '2014-05-26',
    requestId,
    sourceIpAddress,
    userAgent: console ? CONSOLE_AGENT : r.pick(USER_AGENTS),
    userIdentity: { ...identity, accessKeyId: caller.accessKeyId, sessionContext: { attributes: { mfaAuthenticated: String(console), creationDate: eventTime } } },
    requestParameters: { ...params, RegionId: region, AcsHost: action.source.replace('{region}', region), RequestId: requestId, ...(resource ? { ResourceId: resource.id } : {}) },
    ...(resource ? { resourceType: resource.type, resourceName: resource.id, referencedResources: { [resource.type]: [resource.id] } } : {}),
    errorCode: failure?.errorCode ?? '',
    errorMessage: failure?.errorMessage ?? '',
  };
}
