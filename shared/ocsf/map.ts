import type { EcsDocument } from '../ecs/document';
import { classDefinition, fieldOf, matchesFormat, OCSF_PROFILES, OCSF_VERSION, type OcsfClassDefinition } from './definitions';
import type { OcsfRecord } from './record';
import { flatten } from './unmapped';
import { documentReader, type DocumentReader } from './document-reader';
import { isGap, validateOcsf } from './validate';

/** Document fields no record keeps: the ECS version is ECS's own, and `event.original` is `raw_data` when asked for. */
const NEVER_UNMAPPED = new Set(['ecs.version', 'event.original']);

/** OCSF 1.1.0 API Activity: Create, Read, Update, Delete, from ECS `event.type`. */
const API_ACTIVITY: Record<string, number> = { creation: 1, access: 2, change: 3, deletion: 4 };
/** OCSF 1.1.0 Authentication: Logon, Logoff, from ECS `event.type` start / end, else from the action's verb. */
const AUTHENTICATION_ACTIVITY: Record<string, number> = { start: 1, end: 2 };
const LOGOFF_ACTION = /log_?(out|off)|sign_?(out|off)/i;
const LOGON_ACTION = /log_?(in|on)|sign_?in/i;
const OTHER = 99;
/** OCSF status_id from ECS `event.outcome`: Success, Failure; Unknown (0) otherwise. */
const STATUS: Record<string, number> = { success: 1, failure: 2 };
const SEVERITY_INFORMATIONAL = 1;

/**
 * The OCSF record of one normalized document (docs/ocsf.md has the table).
 * Authentication (3002) when ECS `event.category` holds `authentication`, else
 * API Activity (6003). Never throws: document fields with no OCSF home go to
 * `unmapped`, and when the document lacks what the class requires, the record
 * is still delivered, its `status_detail` naming what is missing and the whole
 * document in `unmapped` (`validateOcsf` then lists the same gaps).
 */
export function toOcsf(document: EcsDocument, options: { rawData?: boolean } = {}): OcsfRecord {
  const read = documentReader(document);
  const isAuthentication = read.list('event.category').includes('authentication');
  const definition = classDefinition(isAuthentication ? 3002 : 6003);
  const user = userOf(read);
  const service = compact({ name: read.text('cloud.service.name') });
  const record: Record<string, unknown> = {
    ...classification(read, definition, isAuthentication),
    status_code: read.text('error.code'),
    status_detail: read.text('error.message'),
    time: read.time('@timestamp'),
    // cloudtap writes every time in UTC.
    timezone_offset: 0,
    message: read.text('message'),
    metadata: metadataOf(read),
    cloud: compact({
      provider: read.text('cloud.provider'),
      region: read.text('cloud.region'),
      zone: read.text('cloud.availability_zone'),
      project_uid: read.text('cloud.project.id'),
      account: compact({ uid: read.text('cloud.account.id'), name: read.text('cloud.account.name') }),
    }),
    src_endpoint: sourceEndpointOf(read),
    http_request: compact({ http_method: read.text('http.request.method'), user_agent: read.text('user_agent.original') }),
    actor: user ? { user } : undefined,
  };
  if (isAuthentication) {
    record.user = user;
    // The class needs a service or a destination: the service signed in to, else the log's provider.
    record.service = service ?? compact({ name: read.text('event.provider') });
  } else {
    // ECS http.request.id: the audited call's request id, where a mapping records it.
    record.api = compact({ operation: read.text('event.action'), service, request: compact({ uid: read.text('http.request.id') }) });
    record.resources = resources(read);
  }
  if (options.rawData) record.raw_data = read.text('event.original');
  return withUnmapped(compact(record) as OcsfRecord, document, read, definition);
}

/**
 * `unmapped` holds the document fields no attribute took. A record missing what
 * its class requires is still delivered: what is there is true, `status_detail`
 * names the gap, and the whole document travels in `unmapped`.
 */
function withUnmapped(record: OcsfRecord, document: EcsDocument, read: DocumentReader, definition: OcsfClassDefinition): OcsfRecord {
  const gaps = validateOcsf(record).filter(isGap);
  const unmapped = flatten(document, (path) => NEVER_UNMAPPED.has(path) || (gaps.length === 0 && read.used.has(path)));
  if (Object.keys(unmapped).length > 0) record.unmapped = unmapped;
  if (gaps.length > 0) record.status_detail = `incomplete OCSF ${OCSF_VERSION} ${definition.name} record: ${gaps.join('; ')}`;
  return record;
}

/** Class, category, activity, type, severity and status: the attributes every record has. */
function classification(read: DocumentReader, definition: OcsfClassDefinition, isAuthentication: boolean): Record<string, unknown> {
  const action = read.text('event.action');
  const activities = isAuthentication ? AUTHENTICATION_ACTIVITY : API_ACTIVITY;
  const fromType = read.list('event.type').map((type) => activities[type]).find((id) => id !== undefined);
  const activityId = fromType ?? (isAuthentication ? authenticationVerb(action) : OTHER);
  const activityName = activityId === OTHER ? (action ?? 'Other') : caption(definition, 'activity_id', activityId);
  const outcome = read.text('event.outcome');
  const statusId = (outcome !== undefined ? STATUS[outcome] : undefined) ?? 0;
  const severity = read.value('event.severity');
  const severityId = severity === undefined ? SEVERITY_INFORMATIONAL : Number.isInteger(severity) && (severity as number) >= 1 && (severity as number) <= 6 ? (severity as number) : OTHER;
  return {
    class_uid: definition.uid,
    class_name: definition.name,
    category_uid: definition.category_uid,
    category_name: definition.category_name,
    activity_id: activityId,
    activity_name: activityName,
    type_uid: definition.uid * 100 + activityId,
    type_name: `${definition.name}: ${activityName}`,
    severity_id: severityId,
    severity: severityId === OTHER ? String(severity) : caption(definition, 'severity_id', severityId),
    status_id: statusId,
    status: caption(definition, 'status_id', statusId),
  };
}

function metadataOf(read: DocumentReader): Record<string, unknown> | undefined {
  return compact({
    version: OCSF_VERSION,
    profiles: [...OCSF_PROFILES],
    uid: read.text('event.id'),
    product: compact({ name: 'cloudtap', vendor_name: read.text('cloud.provider'), feature: compact({ name: read.text('cloudtap.source_type') }) }),
    labels: nonEmpty(read.list('tags')),
    log_name: read.text('event.dataset'),
    log_provider: read.text('event.provider'),
    logged_time: read.time('event.created'),
    processed_time: read.time('event.ingested'),
  });
}

function userOf(read: DocumentReader): Record<string, unknown> | undefined {
  return compact({
    uid: read.text('user.id'),
    name: read.text('user.name'),
    // An address the email_t pattern rejects stays in `unmapped` under its ECS name.
    email_addr: read.text('user.email', (email) => matchesFormat('email_t', email)),
    domain: read.text('user.domain'),
    full_name: read.text('user.full_name'),
  });
}

function sourceEndpointOf(read: DocumentReader): Record<string, unknown> | undefined {
  const isIp = (value: string): boolean => matchesFormat('ip_t', value);
  return compact({
    ip: read.text('source.ip', isIp) ?? read.text('source.address', isIp),
    // ECS source.address is the source as recorded: when it is no address (a service, a masked IP) it names the endpoint.
    name: read.text('source.address', (address) => !isIp(address)),
    domain: read.text('source.domain'),
    port: read.integer('source.port'),
  });
}

/** `cloudtap.resource` as OCSF resources: one per id (named when there is one id and one name), else one per name. */
function resources(read: DocumentReader): Record<string, unknown>[] | undefined {
  const type = read.text('cloudtap.resource.type');
  const ids = read.list('cloudtap.resource.ids');
  const names = read.list('cloudtap.resource.names');
  const name = read.text('cloudtap.resource.name') ?? (names.length === 1 ? names[0] : undefined);
  const list =
    ids.length > 0
      ? ids.map((uid) => compact({ uid, name: ids.length === 1 ? name : undefined, type })!)
      : (names.length > 0 ? names : name ? [name] : []).map((each) => compact({ name: each, type })!);
  return list.length > 0 ? list : undefined;
}

const nonEmpty = (list: string[]): string[] | undefined => (list.length > 0 ? list : undefined);

function authenticationVerb(action: string | undefined): number {
  if (action === undefined) return OTHER;
  return LOGOFF_ACTION.test(action) ? 2 : LOGON_ACTION.test(action) ? 1 : OTHER;
}

function caption(definition: OcsfClassDefinition, attribute: string, id: number): string {
  return fieldOf(definition.fields, attribute).enum?.[String(id)] ?? 'Other';
}

/** Drop undefined members; undefined when nothing is left (OCSF objects are absent rather than empty). */
function compact<T extends Record<string, unknown>>(value: T): T | undefined {
  const entries = Object.entries(value).filter(([, member]) => member !== undefined);
  return entries.length > 0 ? (Object.fromEntries(entries) as T) : undefined;
}
