import { contentEventId } from '../../../core/event-id';
import type { MappingContext } from '../../../core/ports/source';
import type { VendorDocument } from '../../../ecs/document';
import { compact, distinct, eventTypeFromAction, ipOrUndefined, text } from '../../../ecs/fields';

export const ACTIONTRAIL_TYPE = 'alibaba-actiontrail';

/**
 * One item of LookupEvents' `Events`: an ActionTrail event as the management
 * event structure documents it (every field optional in practice).
 */
export interface ActionTrailEvent {
  eventId?: string;
  eventName?: string;
  eventTime?: string;
  eventType?: string;
  eventRW?: string;
  eventSource?: string;
  eventVersion?: string | number;
  eventCategory?: string;
  serviceName?: string;
  acsRegion?: string;
  sourceIpAddress?: string;
  userAgent?: string;
  requestId?: string;
  apiVersion?: string;
  errorCode?: string;
  errorMessage?: string;
  isGlobal?: boolean;
  resourceName?: string;
  resourceType?: string;
  referencedResources?: Record<string, unknown>;
  requestParameters?: Record<string, unknown>;
  responseElements?: unknown;
  additionalEventData?: Record<string, unknown>;
  userIdentity?: {
    type?: string;
    principalId?: string;
    accountId?: string;
    accessKeyId?: string;
    userName?: string;
    sessionContext?: { attributes?: { mfaAuthenticated?: string | boolean; creationDate?: string } };
  };
}

type Json = Record<string, any>;

/** ISO 8601 UTC, to the second or finer, as `eventTime` is documented ("2021-01-01T00:00:00Z"). */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** The event time in unix seconds; throws on anything but an ISO 8601 UTC time. */
export function actionTrailEventTime(event: ActionTrailEvent): number {
  const time = event?.eventTime;
  const ms = typeof time === 'string' && ISO_UTC.test(time) ? Date.parse(time) : NaN;
  if (!Number.isFinite(ms)) throw new Error(`eventTime ${JSON.stringify(time)} is not an ISO 8601 UTC time`);
  return Math.floor(ms / 1000);
}

const IAM_SERVICES = new Set(['ram', 'sts', 'ims', 'aascustomer']);
const SIGN_IN = new Set(['ConsoleSignin', 'ConsoleSignout']);
/** Error codes of a call refused for its caller's rights or credentials (the gateway's and RAM's). */
const DENIED = /^(Forbidden|NoPermission|AccessDenied|InvalidAccessKeyId|SignatureDoesNotMatch|IncompleteSignature)|NoPermission$/i;
/** requestParameters keys holding a security-group rule's source range (`SourceCidrIp`, `Permissions.1.SourceCidrIp`, ...). */
const CIDR_KEY = /(^|\.)(SourceCidrIp|Ipv6SourceCidrIp)$/;
/** requestParameters keys holding a canned ACL (ECS-style `ACL`, OSS's `x-oss-acl` header, `acl`). */
const ACL_KEY = /^(x-oss-acl|x-oss-object-acl|acl|ACL)$/;

const asObject = (value: unknown): Json => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});

/** A flag written as a boolean or as "true"/"false". */
function flag(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

/** The values of `parameters` whose keys match `key`, as distinct texts. */
function valuesOf(parameters: Json, key: RegExp): string[] | undefined {
  return distinct(...Object.entries(parameters).flatMap(([name, value]) => (key.test(name) ? [text(value)] : [])));
}

/** `referencedResources` ({ "ACS::ECS::Instance": ["i-..."] }) as resource ids. */
function resourceIds(referenced: unknown, resourceName: unknown): string[] | undefined {
  const listed = Object.values(asObject(referenced)).flatMap((ids) => (Array.isArray(ids) ? ids.map(text) : []));
  const named = typeof resourceName === 'string' ? resourceName.split(/[,;]/).map(text) : [];
  return distinct(...listed, ...named);
}

/**
 * Map one ActionTrail event to ECS. Pure. `event.id` is ActionTrail's
 * eventId; the outcome is a failure when the event records an error code or
 * message (what ActionTrail writes for a failed call, assumed for failed
 * sign-ins too: docs/sources/alibaba-actiontrail.md).
 */
export function mapActionTrailEvent(event: ActionTrailEvent, _context: MappingContext): VendorDocument {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) throw new Error('event is not an object');
  const timestamp = new Date(actionTrailEventTime(event) * 1000).toISOString();
  const identity = asObject(event.userIdentity);
  const attributes = asObject(asObject(identity.sessionContext).attributes);
  const additional = asObject(event.additionalEventData);
  const parameters = asObject(event.requestParameters);

  const action = text(event.eventName) ?? 'unknown';
  const eventType = text(event.eventType);
  const service = text(event.serviceName);
  const errorCode = text(event.errorCode);
  const errorMessage = text(event.errorMessage);
  const failed = errorCode !== undefined || errorMessage !== undefined;
  const signIn = SIGN_IN.has(action) || (eventType !== undefined && SIGN_IN.has(eventType));
  const isIam = (service !== undefined && IAM_SERVICES.has(service.toLowerCase())) || /(User|Policy|Role|AccessKey|Group|MFA|Password|LoginProfile)/.test(action);
  const readOnly = text(event.eventRW)?.toLowerCase() === 'read';
  const denied = failed && DENIED.test(errorCode ?? '');

  const userName = text(identity.userName);
  const userId = text(identity.principalId);
  const sourceIp = ipOrUndefined(event.sourceIpAddress);
  const types = [signIn ? (action === 'ConsoleSignout' ? 'end' : 'start') : eventTypeFromAction(action, readOnly ? 'access' : 'change')];
  if (denied) types.push('denied');
  const mfa = flag(additional.isMFAChecked) ?? flag(additional.MFAUsed) ?? flag(attributes.mfaAuthenticated);

  return compact<VendorDocument>({
    '@timestamp': timestamp,
    event: {
      id: text(event.eventId) ?? contentEventId(ACTIONTRAIL_TYPE, event),
      kind: 'event',
      category: ['api', ...(isIam ? ['iam'] : []), ...(signIn ? ['authentication'] : [])],
      type: types,
      action,
      outcome: failed ? 'failure' : 'success',
      provider: text(event.eventSource),
    },
    cloud: {
      provider: 'alibabacloud',
      account: { id: text(identity.accountId) },
      region: text(event.acsRegion),
      service: { name: service },
    },
    user: { id: userId, name: userName },
    source: sourceIp ? { ip: sourceIp } : undefined,
    user_agent: text(event.userAgent) ? { original: text(event.userAgent) } : undefined,
    related: { user: distinct(userName, userId, text(additional.loginAccount)), ip: distinct(sourceIp) },
    error: failed ? { code: errorCode, message: errorMessage } : undefined,
    cloudtap: {
      resource: { type: text(event.resourceType), name: text(event.resourceName), ids: resourceIds(event.referencedResources, event.resourceName) },
      alibaba: {
        audited_request_id: text(event.requestId),
        access_key_id: text(identity.accessKeyId),
        identity_type: text(identity.type),
        event_type: eventType,
        event_rw: text(event.eventRW),
        event_category: text(event.eventCategory),
        api_version: text(event.apiVersion),
        is_global: typeof event.isGlobal === 'boolean' ? event.isGlobal : undefined,
        mfa,
        login_account: text(additional.loginAccount),
        source_ip_text: sourceIp ? undefined : text(event.sourceIpAddress),
        source_cidrs: valuesOf(parameters, CIDR_KEY),
        acl: valuesOf(parameters, ACL_KEY),
        request_parameters: event.requestParameters ?? undefined,
      },
    },
  });
}
