import { contentEventId } from '../../../core/event-id';
import type { MappingContext } from '../../../core/ports/source';
import type { VendorDocument } from '../../../ecs/document';
import { compact, distinct, epochSeconds, eventTypeFromAction, text } from '../../../ecs/fields';
import { unixSecondsOfCivil } from '../../../lib/civil-time';

export const DBSS_TYPE = 'huawei-dbss';

/** One item of `operate_log` (OperateLogInfo), as the API returns it. */
export interface DbssOperateLog {
  id?: string;
  /** The console/API user who acted. */
  user?: string;
  /** "yyyy-MM-dd HH:mm:ss" in UTC in every example; documented as "a timestamp", so epoch values are accepted too. */
  time?: string | number;
  /** Create, Update, Delete, Download, Operate (switches); case varies. */
  action?: string;
  /** The feature area, e.g. "Database list.", "Databases". */
  function?: string;
  /** The object operated on; often with stray spaces ("db01 "). */
  name?: string;
  description?: string;
  /** success | fail */
  result?: string;
}

/** Where the records come from; DBSS records carry none of it themselves. */
export interface DbssScope {
  region?: string;
  projectId: string;
  instanceId: string;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?Z?$/;

/** The record's time in unix seconds (fractions dropped). Throws when it is not a time. */
export function dbssEventTime(record: DbssOperateLog): number {
  const value = record?.time;
  if (typeof value === 'string' && DATE_TIME.test(value.trim())) {
    const [, y, mo, d, h, mi, s] = DATE_TIME.exec(value.trim())!.map(Number) as number[];
    const seconds = unixSecondsOfCivil(y!, mo!, d!, h!, mi!, s!);
    if (seconds !== undefined) return seconds;
  }
  const epoch = epochSeconds(value);
  if (epoch !== undefined) return epoch;
  throw new Error(`time ${JSON.stringify(value)} is neither "yyyy-MM-dd HH:mm:ss" nor epoch seconds/milliseconds`);
}

/** Lower-case, hyphen-separated; letters and digits of any script kept ("Database list." -> "database-list"). */
export function slug(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * `event.action`: `<verb>-<feature>`, e.g. `update-database-list`, so one
 * term finds a kind of change; just `<verb>` when the feature is absent.
 */
export function dbssAction(record: DbssOperateLog): string {
  const verb = slug(text(record.action) ?? '') || 'unknown';
  const feature = slug(text(record.function) ?? '');
  return feature ? `${verb}-${feature}` : verb;
}

function outcomeOf(result: string | undefined): 'success' | 'failure' | 'unknown' {
  const value = result?.toLowerCase();
  if (value === 'success' || value === 'succeed' || value === 'succeeded') return 'success';
  if (value === 'fail' || value === 'failed' || value === 'failure') return 'failure';
  return 'unknown';
}

/**
 * Map one DBSS operation log to ECS. Pure. These are changes to the DBSS
 * audit instance's own configuration (databases, agents, rules), hence the
 * categories `database` and `configuration`.
 */
export function mapDbssRecord(record: DbssOperateLog, context: MappingContext, scope: DbssScope): VendorDocument {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) throw new Error('record is not an object');
  const timestamp = new Date(dbssEventTime(record) * 1000).toISOString();
  const verb = text(record.action);
  const feature = text(record.function);
  const user = text(record.user);
  const objectName = text(record.name);
  const verbTitle = verb ? verb.charAt(0).toUpperCase() + verb.slice(1).toLowerCase() : '';
  // "Operate" is a switch turned on or off: a change.
  const type = eventTypeFromAction(verbTitle, 'change');

  return compact<VendorDocument>({
    '@timestamp': timestamp,
    message: text(record.description),
    event: {
      id: text(record.id) ?? contentEventId(DBSS_TYPE, record, context.occurrence),
      kind: 'event',
      category: ['database', 'configuration'],
      type: [type],
      action: dbssAction(record),
      outcome: outcomeOf(text(record.result)),
      provider: 'dbss',
    },
    cloud: {
      provider: 'huaweicloud',
      region: scope.region,
      project: { id: scope.projectId },
      instance: { id: scope.instanceId },
      service: { name: 'dbss' },
    },
    user: user ? { name: user } : undefined,
    related: { user: distinct(user) },
    cloudtap: {
      resource: { type: 'dbss-audit-object', name: objectName },
      huaweicloud: {
        dbss: { action: verb, function: feature, result: text(record.result) },
      },
    },
  });
}
