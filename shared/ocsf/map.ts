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
  const time = Date.parse(read.text('@timestamp') ?? '');

  const user = compact({
    uid: read.text('user.id'),
    name: read.text('user.name'),
    email_addr: read.text('user.email', (email) => matchesFormat('email_t', email)),
    domain: read.text('user.domain'),
    full_name: read.text('user.full_name'),
  });
  const srcEndpoint = compact({ ip: read.text('source.ip', (ip) => matchesFormat('ip_t', ip)), domain: read.text('source.domain'), port: read.integer('source.port') });
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
    time: Number.isFinite(time) ? time : undefined,
    // cloudtap writes every time in UTC.
    timezone_offset: 0,
    message: read.text('message'),
    metadata: compact({
      version: OCSF_VERSION,
      profiles: ['cloud'],
      uid: read.text('event.id'),
      product: compact({ name: 'cloudtap', vendor_name: read.text('cloud.provider'), feature: compact({ name: read.text('cloudtap.source_type') }) }),
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
    record.api = compact({ operation: action, service });
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

/** Reads document fields by dotted path and remembers which it read: the rest is `unmapped`. */
function reader(document: EcsDocument) {
  const used = new Set<string>();
  const value = (path: string): unknown => {
    used.add(path);
    let current: unknown = document;
    for (const key of path.split('.')) {
      if (current === null || typeof current !== 'object') return undefined;
      current = (current as Record<string, unknown>)[key];
    }
    return current ?? undefined;
  };
  /** A non-empty string (numbers as text); with `accept`, only a value it accepts counts as read. */
  const text = (path: string, accept?: (found: string) => boolean): string | undefined => {
    const found = value(path);
    const result = typeof found === 'string' && found !== '' ? found : typeof found === 'number' ? String(found) : undefined;
    if (result === undefined || !accept || accept(result)) return result;
    used.delete(path);
    return undefined;
  };
  return {
    used,
    value,
    text,
    list: (path: string): string[] => {
      const found = value(path);
      return Array.isArray(found) ? found.filter((item): item is string => typeof item === 'string') : typeof found === 'string' ? [found] : [];
    },
    integer: (path: string): number | undefined => {
      const found = value(path);
      return Number.isInteger(found) ? (found as number) : undefined;
    },
    time: (path: string): number | undefined => {
      const found = Date.parse(text(path) ?? '');
      return Number.isFinite(found) ? found : undefined;
    },
  };
}
