import { contentEventId } from '../../../core/event-id';
import type { MappingContext } from '../../../core/ports/source';
import type { VendorDocument } from '../../../ecs/document';
import { compact, decodeNested, distinct, epochSeconds, eventTypeFromAction, ipOrUndefined, text } from '../../../ecs/fields';

export const CTS_TYPE = 'huawei-cts';

/** The operator, as ListTraces documents `user` (UserInfo) and the official SDK models it. */
export interface CtsUser {
  id?: string;
  name?: string;
  user_name?: string;
  domain?: { id?: string; name?: string };
  account_id?: string;
  access_key_id?: string;
  principal_id?: string;
  principal_urn?: string;
  /** "true" | "false", a string in the SDK's model. */
  principal_is_root_user?: string | boolean;
  type?: string;
}

/** One item of `traces`, as ListTraces returns it. */
export interface CtsTrace {
  trace_id?: string;
  trace_name?: string;
  /** normal | warning | incident */
  trace_rating?: string;
  /** ApiCall | ConsoleAction | SystemAction */
  trace_type?: string;
  /** The operation's request, as text (usually JSON). */
  request?: unknown;
  /** Its response, as text; the documented example shows an object. */
  response?: unknown;
  /** The HTTP status the operation answered; a string in the reference, a number in its example. */
  code?: string | number;
  api_version?: string;
  message?: string;
  /** Epoch ms: when the operation happened (what `from`/`to` select on). */
  time?: number | string;
  /** Epoch ms: when CTS recorded it. */
  record_time?: number | string;
  user?: CtsUser;
  service_type?: string;
  resource_type?: string;
  resource_name?: string;
  resource_id?: string;
  source_ip?: string;
  request_id?: string;
  location_info?: string;
  endpoint?: string;
  resource_url?: string;
}

/** Where the traces come from; a trace names no region or project itself. */
export interface CtsScope {
  region?: string;
  projectId: string;
}

/** Epoch ms of a trace's `time`. Throws when it is not one. */
export function ctsEventTimeMs(record: CtsTrace): number {
  const value = record?.time;
  const ms = typeof value === 'string' && /^\d{13}$/.test(value.trim()) ? Number(value) : value;
  if (typeof ms === 'number' && Number.isSafeInteger(ms) && ms >= 1e12) return ms;
  throw new Error(`time ${JSON.stringify(value)} is not epoch milliseconds`);
}

/** Unix seconds (fractions dropped) of a trace's `time`. */
export const ctsEventTime = (record: CtsTrace): number => Math.floor(ctsEventTimeMs(record) / 1000);

/**
 * CTS's own verdict first (normal = the operation succeeded, warning = it
 * failed, incident = it failed with serious consequences), else the HTTP
 * status it answered.
 */
export function ctsOutcome(record: CtsTrace): 'success' | 'failure' | 'unknown' {
  const rating = text(record.trace_rating)?.toLowerCase();
  if (rating === 'normal') return 'success';
  if (rating === 'warning' || rating === 'incident') return 'failure';
  const status = httpStatus(record.code);
  if (status === undefined) return 'unknown';
  return status < 400 ? 'success' : 'failure';
}

function httpStatus(code: unknown): number | undefined {
  const value = typeof code === 'string' && /^\d{3}$/.test(code.trim()) ? Number(code) : code;
  return typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599 ? value : undefined;
}

/** Text of a field documented as a string that may arrive as JSON (the example's `response`). */
function asText(value: unknown): string | undefined {
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return text(value);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The IAM user an access-key operation is for: IAM's createCredential body is
 * `{"credential": {"user_id": ...}}`; other services name `user_id` at the top.
 */
function targetUserId(request: unknown): string | undefined {
  const decoded = decodeNested(request).value;
  if (!isObject(decoded)) return undefined;
  const inner = isObject(decoded.credential) ? decoded.credential : decoded;
  return text(inner.user_id);
}

/** The account's root user: flagged by CTS, or (older traces) a user named as the account is. */
function isRootUser(user: CtsUser | undefined): boolean | undefined {
  if (user === undefined) return undefined;
  const flag = user.principal_is_root_user;
  if (flag === true || flag === 'true') return true;
  if (flag === false || flag === 'false') return false;
  const name = text(user.name);
  const domain = isObject(user.domain) ? text(user.domain.name) : undefined;
  return name !== undefined && domain !== undefined ? name === domain : undefined;
}

function categories(service: string | undefined, action: string | undefined): string[] {
  if (action && /^(login|logout)|Login(Success|Failed)?$|LoginFailed$/i.test(action)) return ['authentication'];
  if (service === 'IAM') return ['iam'];
  return ['configuration'];
}

/**
 * Map one CTS management trace to ECS. Pure. `event.action` keeps the trace
 * name verbatim (`deleteTracker`, `createSecurity-group-rule`): the names are
 * what Huawei's "operations supported by CTS" tables list.
 */
export function mapCtsRecord(record: CtsTrace, context: MappingContext, scope: CtsScope): VendorDocument {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) throw new Error('record is not an object');
  const timeMs = ctsEventTimeMs(record);
  const action = text(record.trace_name);
  const service = text(record.service_type);
  const user = isObject(record.user) ? (record.user as CtsUser) : undefined;
  const userName = text(user?.user_name) ?? text(user?.name);
  const domain = isObject(user?.domain) ? user!.domain : undefined;
  const targetId = action && /Credential$/.test(action) ? targetUserId(record.request) : undefined;
  const recordTime = epochSeconds(record.record_time);
  const verb = action ? action.charAt(0).toUpperCase() + action.slice(1) : '';

  return compact<VendorDocument>({
    '@timestamp': new Date(timeMs).toISOString(),
    message: text(record.message),
    event: {
      id: text(record.trace_id) ?? contentEventId(CTS_TYPE, record, context.occurrence),
      kind: 'event',
      category: categories(service, action),
      type: [eventTypeFromAction(verb, 'change')],
      action,
      outcome: ctsOutcome(record),
      provider: service?.toLowerCase(),
    },
    cloud: {
      provider: 'huaweicloud',
      region: scope.region,
      project: { id: scope.projectId },
      account: { id: text(domain?.id) ?? text(user?.account_id), name: text(domain?.name) },
      service: { name: service?.toLowerCase() },
    },
    user: {
      id: text(user?.id),
      name: userName,
      domain: text(domain?.name),
      target: targetId ? { id: targetId } : undefined,
    },
    source: { ip: ipOrUndefined(record.source_ip) },
    related: { user: distinct(userName), ip: distinct(ipOrUndefined(record.source_ip)) },
    cloudtap: {
      resource: { type: text(record.resource_type), name: text(record.resource_name), id: text(record.resource_id) },
      huaweicloud: {
        cts: {
          trace_name: action,
          trace_type: text(record.trace_type),
          trace_rating: text(record.trace_rating),
          code: asText(record.code),
          api_version: text(record.api_version),
          request_id: text(record.request_id),
          record_time: recordTime !== undefined ? new Date(recordTime * 1000).toISOString() : undefined,
          access_key_id: text(user?.access_key_id),
          root_user: isRootUser(user),
          request: asText(record.request),
          response: asText(record.response),
        },
      },
    },
  });
}
