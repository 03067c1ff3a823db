import { contentEventId } from '../../../core/event-id';
import type { MappingContext } from '../../../core/ports/source';
import type { VendorDocument } from '../../../ecs/document';
import { compact, decodeNested, distinct, epochSeconds, eventTypeFromAction, ipOrUndefined, isoFromUnixSeconds, text } from '../../../ecs/fields';

export const CLOUDAUDIT_TYPE = 'tencent-cloudaudit';

/** One item of DescribeEvents' `Events`, as the API returns it (all fields optional in practice). */
export interface CloudAuditRecord {
  EventId?: string;
  Username?: string;
  EventTime?: number | string;
  /** The full audit record as a JSON string, itself holding JSON strings. */
  CloudAuditEvent?: string;
  ResourceTypeCn?: string;
  ErrorCode?: number | string;
  EventName?: string;
  SecretId?: string;
  EventSource?: string;
  RequestID?: string;
  ResourceRegion?: string;
  AccountID?: number | string;
  SourceIPAddress?: string;
  EventNameCn?: string;
  Resources?: { ResourceType?: string; ResourceName?: string } | null;
  EventRegion?: string;
  Location?: string;
}

type Json = Record<string, any>;

const IAM_SERVICES = new Set(['cam', 'sts', 'cam-iam']);
const IAM_ACTIONS = /(User|Policy|Policies|Role|AccessKey|Group|Mfa|MFA|Password|Permission|SubAccount|Collaborator)/;
/** API and CAM error codes of a refused call (errorMessage is no guide: CloudAudit writes "permission verify" on successes). */
const DENIED_CODES = /^(AuthFailure|UnauthorizedOperation|OperationDenied)/;

/** CloudAudit's event time in unix seconds (documented as seconds; milliseconds are read as such). */
export function cloudAuditEventTime(record: CloudAuditRecord): number {
  const time = epochSeconds(record.EventTime);
  if (time === undefined) throw new Error(`EventTime ${JSON.stringify(record.EventTime)} is not unix seconds`);
  return time;
}

/**
 * Map one DescribeEvents record to ECS. Pure. The nested JSON strings
 * (CloudAuditEvent, and inside it sessionContext, requestParameters,
 * resources) are decoded so a SIEM can search their fields; one that does not
 * decode is kept as text and flagged rather than failing the record.
 */
export function mapCloudAuditRecord(record: CloudAuditRecord, context: MappingContext): VendorDocument {
  if (record === null || typeof record !== 'object') throw new Error('record is not an object');
  const timestamp = isoFromUnixSeconds(cloudAuditEventTime(record));
  const decodeErrors: string[] = [];
  const decode = (name: string, value: unknown): unknown => {
    const decoded = decodeNested(value);
    if (!decoded.ok) decodeErrors.push(name);
    return decoded.value;
  };

  const inner = asObject(decode('CloudAuditEvent', record.CloudAuditEvent));
  const identity = asObject(inner.userIdentity);
  const session = asObject(decode('userIdentity.sessionContext', identity.sessionContext));
  const requestParameters = decode('requestParameters', inner.requestParameters);
  const resources = decode('resources', inner.resources);

  const action = text(record.EventName) ?? text(inner.eventName) ?? 'unknown';
  const service = text(record.Resources?.ResourceType) ?? text(inner.resourceType);
  const errorCode = text(record.ErrorCode) ?? text(inner.errorCode);
  const apiErrorCode = text(inner.apiErrorCode);
  const failed = (errorCode !== undefined && errorCode !== '0') || (apiErrorCode !== undefined && apiErrorCode !== '0');
  const readOnly = text(inner.actionType)?.toLowerCase() === 'read';
  const isIam = (service !== undefined && IAM_SERVICES.has(service)) || IAM_ACTIONS.test(action);
  const isLogin = /Login/i.test(action);
  const denied = failed && (DENIED_CODES.test(apiErrorCode ?? '') || DENIED_CODES.test(errorCode ?? ''));

  const userName = text(record.Username) ?? text(identity.userName);
  const userId = text(identity.principalId) ?? text(session.uin);
  const sourceIp = ipOrUndefined(record.SourceIPAddress) ?? ipOrUndefined(inner.sourceIPAddress);
  const sessionIp = ipOrUndefined(session.userIp);
  const accountId = text(record.AccountID) ?? text(identity.accountId) ?? text(session.ownerUin);
  const resourceName = text(record.Resources?.ResourceName) ?? text(inner.resourceName);

  const types = [eventTypeFromAction(action, readOnly ? 'access' : 'change')];
  if (denied) types.push('denied');

  return compact<VendorDocument>({
    '@timestamp': timestamp,
    event: {
      id: text(record.EventId) ?? text(inner.eventID) ?? contentEventId(CLOUDAUDIT_TYPE, record),
      kind: 'event',
      category: ['api', ...(isIam ? ['iam'] : []), ...(isLogin ? ['authentication'] : [])],
      type: types,
      action,
      outcome: failed ? 'failure' : 'success',
      provider: text(record.EventSource) ?? text(inner.eventSource),
    },
    cloud: {
      provider: 'tencentcloud',
      account: { id: accountId },
      region: text(record.EventRegion) ?? text(inner.eventRegion) ?? text(record.ResourceRegion),
      service: { name: service },
    },
    user: { id: userId, name: userName },
    source: sourceIp ? { ip: sourceIp } : undefined,
    user_agent: text(inner.userAgent) ? { original: text(inner.userAgent) } : undefined,
    http: text(inner.httpMethod) ? { request: { method: text(inner.httpMethod) } } : undefined,
    related: { user: distinct(userName, userId), ip: distinct(sourceIp, sessionIp) },
    error: failed
      ? {
          code: apiErrorCode && apiErrorCode !== '0' ? apiErrorCode : errorCode,
          message: text(inner.apiErrorMessage) ?? text(inner.errorMessage),
        }
      : undefined,
    tags: decodeErrors.length > 0 ? ['cloudtap_decode_error'] : undefined,
    cloudtap: {
      resource: { type: service, name: resourceName, ids: resourceIds(resources) },
      decode_errors: decodeErrors.length > 0 ? decodeErrors : undefined,
      tencent: {
        audited_request_id: text(record.RequestID) ?? text(inner.requestID),
        access_key_id: text(record.SecretId) ?? text(identity.secretId),
        identity_type: text(identity.type),
        event_type: text(inner.eventType),
        action_type: text(inner.actionType),
        api_version: text(inner.apiVersion),
        sensitive_action: text(inner.sensitiveAction),
        is_risk: text(inner.isRisk) === '1' ? true : undefined,
        mfa: session.mfa === undefined ? undefined : Number(session.mfa) === 1,
        session_ip: sessionIp,
        location: text(record.Location),
        event_name_cn: text(record.EventNameCn),
        resource_type_cn: text(record.ResourceTypeCn),
        request_parameters: requestParameters,
      },
    },
  });
}

function asObject(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

/** `resources` is a JSON list of ids ("*" meaning all); keep the concrete ones. */
function resourceIds(resources: unknown): string[] | undefined {
  if (!Array.isArray(resources)) return undefined;
  return distinct(...resources.map((id) => (id === '*' ? undefined : text(id))));
}
