import type { EcsDocument } from '../ecs/document';
import { classDefinition, fieldOf, matchesFormat, OCSF_VERSION, type OcsfClassDefinition } from './definitions';
import type { OcsfRecord } from './record';
import { flatten } from './unmapped';
import { validateOcsf } from './validate';

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
  const read = reader(document);
  const isAuthentication = read.list('event.category').includes('authentication');
  const definition = classDefinition(isAuthentication ? 3002 : 6003);
  const types = read.list('event.type');
  const activities = isAuthentication ? AUTHENTICATION_ACTIVITY : API_ACTIVITY;
  const action = read.text('event.action');
  const activityId = types.map((type) => activities[type]).find((id) => id !== undefined) ?? (isAuthentication ? authenticationVerb(action) : OTHER);
  const activityName = activityId === OTHER ? (action ?? 'Other') : caption(definition, 'activity_id', activityId);
  const outcome = read.text('event.outcome');
  const statusId = (outcome !== undefined ? STATUS[outcome] : undefined) ?? 0;
  const severity = read.value('event.severity');
  const severityId = Number.isInteger(severity) && (severity as number) >= 1 && (severity as number) <= 6 ? (severity as number) : severity === undefined ? SEVERITY_INFORMATIONAL : OTHER;

  const user = compact({
    uid: read.text('user.id'),
    name: read.text('user.name'),
    email_addr: read.text('user.email', (email) => matchesFormat('email_t', email)),
    domain: read.text('user.domain'),
    full_name: read.text('user.full_name'),
  });
  const isIp = (value: string): boolean => matchesFormat('ip_t', value);
  const srcEndpoint = compact({
    ip: read.text('source.ip', isIp) ?? read.text('source.address', isIp),
    // ECS source.address is the source as recorded: when it is no address (a service, a masked IP) it names the endpoint.
    name: read.text('source.address', (address) => !isIp(address)),
    domain: read.text('source.domain'),
    port: read.integer('source.port'),
  });
  const httpRequest = compact({ http_method: read.text('http.request.method'), user_agent: read.text('user_agent.original') });
  const service = compact({ name: read.text('cloud.service.name') });
  const provider = read.text('event.provider');

  const record: Record<string, unknown> = {
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
    status_code: read.text('error.code'),
    status_detail: read.text('error.message'),
    time: read.time('@timestamp'),
    // cloudtap writes every time in UTC.
    timezone_offset: 0,
    message: read.text('message'),
    metadata: compact({
      version: OCSF_VERSION,
      profiles: ['cloud'],
      uid: read.text('event.id'),
      product: compact({ name: 'cloudtap', vendor_name: read.text('cloud.provider'), feature: compact({ name: read.text('cloudtap.source_type') }) }),
      labels: nonEmpty(read.list('tags')),
      log_name: read.text('event.dataset'),
      log_provider: provider,
      logged_time: read.time('event.created'),
      processed_time: read.time('event.ingested'),
    }),
    cloud: compact({
      provider: read.text('cloud.provider'),
      region: read.text('cloud.region'),
      zone: read.text('cloud.availability_zone'),
      project_uid: read.text('cloud.project.id'),
      account: compact({ uid: read.text('cloud.account.id'), name: read.text('cloud.account.name') }),
    }),
    src_endpoint: srcEndpoint,
    http_request: httpRequest,
  };
  if (isAuthentication) {
    record.user = user;
    record.actor = user ? { user } : undefined;
    record.service = service ?? (provider ? { name: provider } : undefined);
  } else {
    record.actor = user ? { user } : undefined;
    // ECS http.request.id: the audited call's request id, where a mapping records it.
    record.api = compact({ operation: action, service, request: compact({ uid: read.text('http.request.id') }) });
    record.resources = resources(read);
  }
  if (options.rawData) record.raw_data = read.text('event.original');

  const complete = compact(record) as OcsfRecord;
  const missing = validateOcsf(complete).filter((problem) => problem.endsWith('required attribute missing') || problem.includes('needs at least one of'));
  const unmapped = flatten(document, (path) => NEVER_UNMAPPED.has(path) || (missing.length === 0 && read.used.has(path)));
  if (Object.keys(unmapped).length > 0) complete.unmapped = unmapped;
  if (missing.length > 0) {
    // Still delivered: what is there is true; the gap is named and the whole document travels in `unmapped`.
    complete.status_detail = `incomplete OCSF ${OCSF_VERSION} ${definition.name} record: ${missing.join('; ')}`;
  }
  return complete;
}

/** `cloudtap.resource` as OCSF resources: one per id (named when there is one id and one name), else one per name. */
function resources(read: Reader): Record<string, unknown>[] | undefined {
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

type Reader = ReturnType<typeof reader>;

/**
 * Reads document fields by dotted path and remembers which it mapped: the rest
 * is `unmapped`. A value a reader does not take (a list of numbers where strings
 * belong, an address that is no `ip_t`) counts as not mapped, so it is kept there.
 */
function reader(document: EcsDocument) {
  const used = new Set<string>();
  const take = <T>(path: string, convert: (found: unknown) => T | undefined): T | undefined => {
    let found: unknown = document;
    for (const key of path.split('.')) found = found !== null && typeof found === 'object' ? (found as Record<string, unknown>)[key] : undefined;
    const result = found === undefined || found === null ? undefined : convert(found);
    if (result !== undefined) used.add(path);
    return result;
  };
  return {
    used,
    value: (path: string): unknown => take(path, (found) => found),
    /** A non-empty string (a number as text), when `accept` (if given) takes it. */
    text: (path: string, accept: (found: string) => boolean = () => true): string | undefined =>
      take(path, (found) => {
        const result = typeof found === 'string' && found !== '' ? found : typeof found === 'number' ? String(found) : undefined;
        return result !== undefined && accept(result) ? result : undefined;
      }),
    list: (path: string): string[] =>
      take(path, (found) =>
        typeof found === 'string' ? [found] : Array.isArray(found) && found.every((item) => typeof item === 'string') ? (found as string[]) : undefined,
      ) ?? [],
    integer: (path: string): number | undefined => take(path, (found) => (Number.isInteger(found) ? (found as number) : undefined)),
    time: (path: string): number | undefined =>
      take(path, (found) => (typeof found === 'string' && Number.isFinite(Date.parse(found)) ? Date.parse(found) : undefined)),
  };
}
