import { JsonInteger, stringifyJson } from '../../../shared/providers/tencent/json';
import { lateDelay, Random, type GenerateBase } from '../../common/random';

// Its home before simulators/common; the old import path keeps working.
export { Random } from '../../common/random';

/** One item of DescribeEvents' `Events`, shaped like the documented example. */
export interface CloudAuditEventRecord {
  EventId: string;
  CloudAuditEvent: string;
  EventName: string;
  /** Unix seconds. */
  EventTime: number;
  SecretId: string;
  /** "0" on success. */
  ErrorCode: string;
  RequestID: string;
  SourceIPAddress: string;
  EventSource: string;
  EventRegion: string;
  Resources: { ResourceName: string; ResourceType: string };
  Username: string;
  ResourceTypeCn: string;
  EventNameCn: string;
  ResourceRegion: string;
  AccountID: number;
}

/** An event plus when the API starts returning it (late arrival). */
export interface SimulatedEvent {
  record: CloudAuditEventRecord;
  /** Unix seconds; defaults to EventTime. */
  visibleAt?: number;
}

export interface GenerateOptions extends GenerateBase {
  /** Account (root uin); default 100000000001. */
  accountId?: number;
}

interface Action {
  name: string;
  nameCn: string;
  service: string;
  serviceCn: string;
  actionType: 'Read' | 'Write';
  weight: number;
  /** The resource it touches, for `resources` / ResourceName. */
  resource?: (r: Random, region: string, account: number) => string;
}

const id = (prefix: string, length = 8) => (r: Random) => `${prefix}-${r.token(length)}`;
const ACTIONS: Action[] = [
  { name: 'DescribeInstances', nameCn: '查看实例列表', service: 'cvm', serviceCn: 'Cloud Virtual Machine', actionType: 'Read', weight: 30 },
  { name: 'RunInstances', nameCn: '创建实例', service: 'cvm', serviceCn: 'Cloud Virtual Machine', actionType: 'Write', weight: 4, resource: id('ins') },
  { name: 'TerminateInstances', nameCn: '退还实例', service: 'cvm', serviceCn: 'Cloud Virtual Machine', actionType: 'Write', weight: 3, resource: id('ins') },
  { name: 'ModifySecurityGroupPolicies', nameCn: '修改安全组规则', service: 'vpc', serviceCn: 'Virtual Private Cloud', actionType: 'Write', weight: 3, resource: id('sg') },
  { name: 'CreateAccessKey', nameCn: '创建访问密钥', service: 'cam', serviceCn: 'Cloud Access Management', actionType: 'Write', weight: 2, resource: (r) => `AKIDsim${r.token(12)}` },
  { name: 'AttachUserPolicy', nameCn: '绑定策略到用户', service: 'cam', serviceCn: 'Cloud Access Management', actionType: 'Write', weight: 2, resource: (r) => `policy/${r.int(1000000, 9999999)}` },
  { name: 'ListUsers', nameCn: '拉取子用户', service: 'cam', serviceCn: 'Cloud Access Management', actionType: 'Read', weight: 10 },
  { name: 'StopLogging', nameCn: '关闭跟踪集', service: 'cloudaudit', serviceCn: 'CloudAudit', actionType: 'Write', weight: 1, resource: () => 'audit-prod' },
  { name: 'DeleteAudit', nameCn: '删除跟踪集', service: 'cloudaudit', serviceCn: 'CloudAudit', actionType: 'Write', weight: 1, resource: () => 'audit-prod' },
  { name: 'LookUpEvents', nameCn: '检索日志', service: 'cloudaudit', serviceCn: 'CloudAudit', actionType: 'Read', weight: 8 },
  { name: 'DescribeCertificates', nameCn: '获取证书列表', service: 'ssl', serviceCn: 'SSL Certificates', actionType: 'Read', weight: 6 },
  { name: 'DeleteCertificate', nameCn: '删除证书', service: 'ssl', serviceCn: 'SSL Certificates', actionType: 'Write', weight: 2, resource: (r) => r.token(8) },
  { name: 'PutBucketAcl', nameCn: '设置存储桶ACL', service: 'cos', serviceCn: 'Cloud Object Storage', actionType: 'Write', weight: 2, resource: (r) => `logs-${r.int(1250000000, 1259999999)}` },
];
const TOTAL_WEIGHT = ACTIONS.reduce((sum, action) => sum + action.weight, 0);

const REGIONS = ['ap-guangzhou', 'ap-shanghai', 'ap-beijing', 'ap-hongkong', 'ap-singapore', 'eu-frankfurt'];
const SUB_USERS = ['alice', 'bob', 'ci-deployer', 'ops-readonly', 'secops'];
// Documentation address ranges (RFC 5737): realistic, never anyone's real address.
const IP_PREFIXES = ['203.0.113.', '198.51.100.', '192.0.2.'];
const USER_AGENTS = ['SDK_NODEJS_4.1.220', 'SDK_PYTHON_3.0.1200', 'TCCLI/3.0.1200', 'Mozilla/5.0 (console)', 'Terraform/1.9.8'];
const FAILURES = [
  { errorCode: '4102', errorMessage: 'you are not authorized to perform operation', apiErrorCode: 'UnauthorizedOperation' },
  { errorCode: '0', errorMessage: 'permission verify', apiErrorCode: 'ResourceNotFound' },
  { errorCode: '0', errorMessage: 'permission verify', apiErrorCode: 'InvalidParameterValue' },
];

const pickAction = (r: Random): Action => r.weighted(ACTIONS, TOTAL_WEIGHT, ACTIONS[0]!);

/**
 * Deterministic, realistic CloudAudit events with EventTime in [from, to]:
 * the same options always give the same events (ids included).
 */
export function generateCloudAuditEvents(options: GenerateOptions): SimulatedEvent[] {
  const r = new Random(options.seed);
  const account = options.accountId ?? 100000000001;
  const events: SimulatedEvent[] = [];
  for (let i = 0; i < options.count; i++) {
    const time = r.int(options.from, options.to);
    const record = buildEvent(r, time, account);
    events.push({ record, visibleAt: time + (lateDelay(r, options.late) ?? 0) });
  }
  return events.sort((a, b) => b.record.EventTime - a.record.EventTime);
}

function buildEvent(r: Random, time: number, account: number): CloudAuditEventRecord {
  const action = pickAction(r);
  const region = r.pick(REGIONS);
  const isRoot = r.next() < 0.2;
  const userName = isRoot ? 'root' : r.pick(SUB_USERS);
  const uin = isRoot ? account : account + 100 + SUB_USERS.indexOf(userName);
  const secretId = `AKIDsim${String(uin).slice(-6)}EXAMPLE${SUB_USERS.indexOf(userName) + 1}`;
  const sourceIp = r.pick(IP_PREFIXES) + r.int(1, 254);
  const eventId = r.uuid();
  const failure = r.next() < 0.08 ? r.pick(FAILURES) : undefined;
  const resourceName = action.resource?.(r, region, account) ?? '';
  const userAgent = r.pick(USER_AGENTS);
  const micros = String(r.int(0, 999_999)).padStart(6, '0');
  const sessionContext = {
    token: 'xxx',
    userIp: sourceIp,
    uin,
    ownerUin: account,
    appId: 1250000000 + (account % 1000),
    expireTime: new Date((time + 7200) * 1000).toISOString().replace('T', ' ').slice(0, 19),
    mfa: 0,
    mfaExpireTime: '0000-00-00 00:00:00',
    interfaceName: '',
    hasPolicyFilter: 0,
    policyFilter: '',
    extraInfo: '',
  };
  const requestParameters: Record<string, unknown> = {
    Region: region,
    SecretId: secretId,
    Timestamp: String(time),
    Nonce: String(r.int(1000, 99999)),
    RequestClient: userAgent,
    Version: '2017-03-12',
    Action: action.name,
    RequestOperator: String(uin),
  };
  if (resourceName) requestParameters.ResourceId = resourceName;
  const resources = resourceName ? [`qcs::${action.service}:${region}:uin/${account}:${resourceName}`] : ['*'];
  const inner = {
    userIdentity: {
      principalId: String(uin),
      accountId: String(account),
      secretId,
      type: isRoot ? 'Root' : 'CAMUser',
      userName,
      sessionContext: JSON.stringify(sessionContext),
    },
    '@timestamp': `${new Date(time * 1000).toISOString().slice(0, 19)}.${micros}`,
    onlyRecordNotSeen: '0',
    eventRegion: region,
    eventVersion: 2,
    errorCode: failure?.errorCode ?? '0',
    errorMessage: failure?.errorMessage ?? 'permission verify',
    requestID: eventId,
    eventID: eventId,
    apiVersion: '3.0',
    eventType: userAgent.startsWith('Mozilla') ? 'ConsoleCall' : 'ApiCall',
    actionType: action.actionType,
    authMode: '0',
    isRisk: action.actionType === 'Write' && action.service !== 'cvm' ? '1' : '0',
    ruleId: '0',
    httpMethod: 'POST',
    apiErrorCode: failure?.apiErrorCode ?? '0',
    apiErrorMessage: failure ? `${failure.apiErrorCode}: the request was rejected` : '',
    userAgent,
    eventTime: time,
    // Like the real field: a bare integer beyond 2^53 inside the JSON string.
    updateEsTime: new JsonInteger(`${time}${micros}${r.int(0, 9)}`),
    sensitiveAction: '',
    eventPlatform: '0',
    sourceIPAddress: sourceIp,
    resourceType: action.service,
    eventName: action.name,
    eventSource: `${action.service}.${region}.api.tencentyun.com`,
    requestParameters: JSON.stringify(requestParameters),
    resources: JSON.stringify(resources),
    resourceName,
    cloudapi: 1,
    auth: 1,
    signature: 0,
  };
  return {
    EventId: eventId,
    CloudAuditEvent: stringifyJson(inner),
    EventName: action.name,
    EventTime: time,
    SecretId: secretId,
    ErrorCode: failure?.errorCode ?? '0',
    RequestID: eventId,
    SourceIPAddress: sourceIp,
    EventSource: inner.eventSource,
    EventRegion: region,
    Resources: { ResourceName: resourceName, ResourceType: action.service },
    Username: userName,
    ResourceTypeCn: action.serviceCn,
    EventNameCn: action.nameCn,
    ResourceRegion: resourceName ? region : '',
    AccountID: account,
  };
}
