import { dbssRecordTime, type DbssEventRecord, type SimulatedDbssEvent } from './events';
import { IamSimulator, type SimulatorIamUser } from '../iam';
import { HuaweiApiError, HuaweiApiServer, type RouteContext, type SimulatorAkSk } from '../server';

export { generateDbssEvents, formatDbssTime, dbssRecordTime } from './events';
export type { DbssEventRecord, GenerateDbssOptions, SimulatedDbssEvent } from './events';

const DAY = 86_400;

/** ListAuditOperateLogsNew rules: documented ones, and the simulator's choices where the document is silent. */
export const OPERATION_LOG = {
  route: 'dbss.operation-log',
  pattern: /^\/v1\/(?<projectId>[^/]+)\/audit\/(?<instanceId>[^/]+)\/operation-log\/?$/,
  /** The source's pace, for `enforceRateLimit: true`. */
  requestsPerSecond: 5,
  /** Not documented; what Huawei's Terraform provider pages with. */
  maxPageSize: 100,
  retentionSeconds: 180 * DAY,
  /** Seconds back from now for each `time_range` value. */
  timeRanges: { HALF_HOUR: 1_800, HOUR: 3_600, THREE_HOUR: 10_800, TWELVE_HOUR: 43_200, DAY, WEEK: 7 * DAY, MONTH: 30 * DAY } as Record<string, number>,
  actions: ['CREATE', 'DELETE', 'DOWNLOAD', 'UPDATE', 'OPERATE'],
} as const;

/** DBSS's documented error codes. */
export const DBSS_ERRORS = {
  invalidRequest: 'DBSS.10000001',
  invalidId: 'DBSS.10020021',
  tokenAuth: 'DBSS.10020100',
  internal: 'DBSS.11000000',
} as const;

const TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const ID = /^[A-Za-z0-9_-]{32,64}$/;

function parseTime(value: unknown): number | undefined {
  if (typeof value !== 'string' || !TIME.test(value)) return undefined;
  const ms = Date.parse(`${value.replace(' ', 'T')}Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 19).replace('T', ' ') === value ? ms / 1000 : undefined;
}

/** `page`/`size` are documented as strings; integers are accepted too. */
function parseCount(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

const invalid = (detail: string) => new HuaweiApiError(400, DBSS_ERRORS.invalidRequest, `Enter a valid request message: ${detail}`);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

interface Stored {
  record: DbssEventRecord;
  time: number;
  visibleAt: number;
}

export interface DbssInstallOptions {
  /** Answer APIGW.0308 beyond this many requests per second (true: 5, the source's pace). */
  enforceRateLimit?: boolean | number;
  /** Silently serve at most this many records per page, whatever `size` says (a service capping size). */
  capPageSize?: number;
}

/** In-memory DBSS: operation logs per (project, instance) and the operation-log handler. */
export class DbssSimulator {
  private readonly instances = new Map<string, Stored[]>();

  /** Make an instance exist (with no logs yet). */
  addInstance(projectId: string, instanceId: string): void {
    if (!this.instances.has(`${projectId}/${instanceId}`)) this.instances.set(`${projectId}/${instanceId}`, []);
  }

  addEvents(projectId: string, instanceId: string, events: Iterable<SimulatedDbssEvent | DbssEventRecord>): void {
    this.addInstance(projectId, instanceId);
    const store = this.instances.get(`${projectId}/${instanceId}`)!;
    const ids = new Set(store.map((s) => s.record.id));
    for (const item of events) {
      const { record, visibleAt } = 'record' in item ? item : { record: item, visibleAt: undefined };
      if (ids.has(record.id)) throw new Error(`duplicate id ${record.id}`);
      ids.add(record.id);
      const time = dbssRecordTime(record);
      store.push({ record, time, visibleAt: visibleAt ?? time });
    }
  }

  /** Every stored record of an instance, visible or not. */
  records(projectId: string, instanceId: string): DbssEventRecord[] {
    return (this.instances.get(`${projectId}/${instanceId}`) ?? []).map((s) => s.record);
  }

  install(server: HuaweiApiServer, options: DbssInstallOptions = {}): void {
    const limit = options.enforceRateLimit;
    server.register({
      name: OPERATION_LOG.route,
      method: 'POST',
      pattern: OPERATION_LOG.pattern,
      authenticated: true,
      rateLimitPerSecond: limit === true ? OPERATION_LOG.requestsPerSecond : typeof limit === 'number' ? limit : undefined,
      handler: (context) => ({ body: this.operationLog(context, options.capPageSize) }),
    });
  }

  operationLog({ params, body, now, principal }: RouteContext, capPageSize?: number): Record<string, unknown> {
    const { projectId, instanceId } = params as { projectId: string; instanceId: string };
    if (!ID.test(projectId) || !ID.test(instanceId)) throw new HuaweiApiError(400, DBSS_ERRORS.invalidId, 'Invalid request parameter ID.');
    if (principal.kind === 'token' && principal.projectId !== projectId) {
      throw new HuaweiApiError(401, DBSS_ERRORS.tokenAuth, 'Failed to authenticate the token in the request: it is scoped to another project');
    }
    if (principal.kind === 'aksk' && principal.credential.projects && !principal.credential.projects.includes(projectId)) {
      throw new HuaweiApiError(403, 'APIGW.0302', 'The IAM user is not authorized to access the project.');
    }
    const store = this.instances.get(`${projectId}/${instanceId}`);
    if (!store) throw new HuaweiApiError(400, DBSS_ERRORS.invalidId, `Invalid request parameter ID: no instance ${instanceId} in project ${projectId}.`);
    if (!isObject(body)) throw invalid('the body must be a JSON object');
    const nowSeconds = Math.floor(now / 1000);
    const [start, end] = this.timeBounds(body.time, nowSeconds);
    const page = parseCount(body.page);
    const size = parseCount(body.size);
    if (page === undefined || page < 1) throw invalid('page must be an integer from 1');
    if (size === undefined || size < 1 || size > OPERATION_LOG.maxPageSize) throw invalid(`size must be an integer from 1 to ${OPERATION_LOG.maxPageSize}`);
    const userName = body.user_name;
    const action = body.action;
    const result = body.result;
    if (userName !== undefined && typeof userName !== 'string') throw invalid('user_name must be a string');
    if (action !== undefined && (typeof action !== 'string' || !OPERATION_LOG.actions.includes(action.toUpperCase() as never))) {
      throw invalid(`action must be one of ${OPERATION_LOG.actions.join(', ')}`);
    }
    if (result !== undefined && result !== 'success' && result !== 'fail') throw invalid('result must be success or fail');

    const oldest = nowSeconds - OPERATION_LOG.retentionSeconds;
    const matches = store
      .filter((s) => s.visibleAt <= nowSeconds && s.time >= oldest && s.time >= start && s.time <= end)
      .filter((s) => userName === undefined || s.record.user === userName)
      .filter((s) => action === undefined || s.record.action.toUpperCase() === (action as string).toUpperCase())
      .filter((s) => result === undefined || s.record.result === result)
      // Newest first, id breaking ties: a total order, so pages of a closed window are stable.
      .sort((a, b) => b.time - a.time || (a.record.id < b.record.id ? 1 : a.record.id > b.record.id ? -1 : 0));
    const served = Math.min(size, capPageSize ?? size);
    const offset = (page - 1) * served;
    return { total_num: matches.length, operate_log: matches.slice(offset, offset + served).map((s) => s.record) };
  }

  /** [start, end] in unix seconds, both inclusive; `time_range` wins over start/end, as documented. */
  private timeBounds(time: unknown, nowSeconds: number): [number, number] {
    if (!isObject(time)) throw invalid('time is required');
    if (time.time_range !== undefined) {
      const back = typeof time.time_range === 'string' ? OPERATION_LOG.timeRanges[time.time_range] : undefined;
      if (back === undefined) throw invalid(`time_range must be one of ${Object.keys(OPERATION_LOG.timeRanges).join(', ')}`);
      return [nowSeconds - back, nowSeconds];
    }
    if (time.start_time === undefined || time.end_time === undefined) throw invalid('start_time and end_time must be used together');
    const start = parseTime(time.start_time);
    const end = parseTime(time.end_time);
    if (start === undefined || end === undefined) throw invalid('start_time and end_time must be yyyy-MM-dd HH:mm:ss (UTC)');
    if (start > end) throw invalid('start_time must not be after end_time');
    return [start, end];
  }
}

export interface StartDbssOptions {
  credentials?: SimulatorAkSk[];
  iamUsers?: SimulatorIamUser[];
  tokenLifetimeMs?: number;
  /** (projectId, instanceId) pairs that exist from the start. */
  instances?: { projectId: string; instanceId: string }[];
  now?: () => number;
  latencyMs?: () => number;
  enforceRateLimit?: boolean | number;
  capPageSize?: number;
}

/** One server with IAM and DBSS installed. Stop it with `server.close()`. */
export async function startDbssSimulator(
  options: StartDbssOptions = {},
): Promise<{ server: HuaweiApiServer; dbss: DbssSimulator; iam: IamSimulator }> {
  const server = await HuaweiApiServer.start({ credentials: options.credentials, now: options.now, latencyMs: options.latencyMs });
  const iam = new IamSimulator(options.iamUsers ?? [], { tokenLifetimeMs: options.tokenLifetimeMs });
  iam.install(server);
  const dbss = new DbssSimulator();
  for (const { projectId, instanceId } of options.instances ?? []) dbss.addInstance(projectId, instanceId);
  dbss.install(server, { enforceRateLimit: options.enforceRateLimit, capPageSize: options.capPageSize });
  return { server, dbss, iam };
}
