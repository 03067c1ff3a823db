import { ctsRecordTime, type CtsTraceRecord, type SimulatedCtsTrace } from './events';
import { IamSimulator, type SimulatorIamUser } from '../iam';
import { HuaweiApiError, HuaweiApiServer, type RouteContext, type SimulatorAkSk } from '../server';

export { generateCtsTraces, ctsRecordTime } from './events';
export type { CtsTraceRecord, GenerateCtsOptions, SimulatedCtsTrace } from './events';

const DAY = 86_400;

/** ListTraces rules: documented ones, and the simulator's choices where the reference is silent (docs/sources/huawei-cts.md). */
export const LIST_TRACES = {
  route: 'cts.traces',
  pattern: /^\/v3\/(?<projectId>[^/]+)\/traces\/?$/,
  /** The source's assumed pace, for `enforceRateLimit: true`. */
  requestsPerSecond: 5,
  /** "The default value is 10 and the maximum value is 200." */
  defaultLimit: 10,
  maxLimit: 200,
  /** "records of operations on resources in the last seven days". */
  retentionSeconds: 7 * DAY,
  /** Without `from`: "the default value is the timestamp of the last hour". */
  defaultSpanMs: 3_600_000,
  ratings: ['normal', 'warning', 'incident'],
} as const;

/**
 * The reference names no code for a bad query parameter or an unknown marker;
 * CTS.0003 ("The message body is empty or invalid") and CTS.0300 ("Query
 * failed") are its closest documented codes, assumed.
 */
export const CTS_ERRORS = { invalid: 'CTS.0003', queryFailed: 'CTS.0300', internal: 'CTS.0005' } as const;

const ID = /^[A-Za-z0-9_-]{32,64}$/;
const invalid = (detail: string) => new HuaweiApiError(400, CTS_ERRORS.invalid, `The message body is empty or invalid: ${detail}`);

/** A 13-digit epoch-ms query value, or undefined when absent. */
function parseMs(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  if (!/^\d{13}$/.test(value)) throw invalid(`${name} must be a 13-digit UTC millisecond timestamp`);
  return Number(value);
}

interface Stored {
  record: CtsTraceRecord;
  visibleAt: number;
}

/** Newest first, trace id breaking ties: one total order, so `next` continues exactly after its marker. */
const newestFirst = (a: CtsTraceRecord, b: CtsTraceRecord) => b.time - a.time || (a.trace_id < b.trace_id ? 1 : a.trace_id > b.trace_id ? -1 : 0);

/** A ListTraces answer, as the simulator computed it. */
export type ListTracesBody = ReturnType<CtsSimulator['listTraces']>;

export interface CtsInstallOptions {
  /** Answer APIGW.0308 beyond this many requests per second (true: 5, the source's pace). */
  enforceRateLimit?: boolean | number;
  /** Tests: what is sent instead of the computed answer (a service misbehaving); the answer itself when it returns undefined. */
  bend?: (body: ListTracesBody, context: RouteContext) => unknown;
}

/** In-memory CTS: management traces per project and the ListTraces handler. */
export class CtsSimulator {
  private readonly projects = new Map<string, Stored[]>();

  addProject(projectId: string): void {
    if (!this.projects.has(projectId)) this.projects.set(projectId, []);
  }

  addTraces(projectId: string, traces: Iterable<SimulatedCtsTrace | CtsTraceRecord>): void {
    this.addProject(projectId);
    const store = this.projects.get(projectId)!;
    const ids = new Set(store.map((s) => s.record.trace_id));
    for (const item of traces) {
      const { record, visibleAt } = 'record' in item ? item : { record: item, visibleAt: undefined };
      if (ids.has(record.trace_id)) throw new Error(`duplicate trace_id ${record.trace_id}`);
      ids.add(record.trace_id);
      store.push({ record, visibleAt: visibleAt ?? ctsRecordTime(record) });
    }
    store.sort((a, b) => newestFirst(a.record, b.record));
  }

  /** Every stored trace of a project, visible or not, newest first. */
  traces(projectId: string): CtsTraceRecord[] {
    return (this.projects.get(projectId) ?? []).map((s) => s.record);
  }

  install(server: HuaweiApiServer, options: CtsInstallOptions = {}): void {
    const limit = options.enforceRateLimit;
    server.register({
      name: LIST_TRACES.route,
      method: 'GET',
      pattern: LIST_TRACES.pattern,
      authenticated: true,
      rateLimitPerSecond: limit === true ? LIST_TRACES.requestsPerSecond : typeof limit === 'number' ? limit : undefined,
      handler: (context) => {
        const body = this.listTraces(context);
        return { body: options.bend?.(body, context) ?? body };
      },
    });
  }

  listTraces({ params, query, now, principal }: RouteContext): { traces: CtsTraceRecord[]; meta_data: { count: number; marker: string | null } } {
    const { projectId } = params as { projectId: string };
    if (!ID.test(projectId)) throw invalid('project_id must be 32-64 characters');
    if (principal.kind === 'token' && principal.projectId !== projectId) {
      throw new HuaweiApiError(403, 'CTS.0002', 'Authentication failed or you do not have the permissions required: the token is scoped to another project');
    }
    if (principal.kind === 'aksk' && principal.credential.projects && !principal.credential.projects.includes(projectId)) {
      throw new HuaweiApiError(403, 'APIGW.0302', 'The IAM user is not authorized to access the project.');
    }
    const traceType = query.get('trace_type');
    if (traceType !== 'system' && traceType !== 'data') throw invalid('trace_type must be system or data');
    const limitText = query.get('limit');
    const limit = limitText === null ? LIST_TRACES.defaultLimit : /^\d{1,4}$/.test(limitText) ? Number(limitText) : NaN;
    if (!(limit >= 1 && limit <= LIST_TRACES.maxLimit)) throw invalid(`limit must be an integer from 1 to ${LIST_TRACES.maxLimit}`);
    const from = parseMs(query, 'from') ?? now - LIST_TRACES.defaultSpanMs;
    const to = parseMs(query, 'to') ?? now;
    if (from >= to) throw invalid('from must be before to');
    const rating = query.get('trace_rating');
    if (rating !== null && !(LIST_TRACES.ratings as readonly string[]).includes(rating)) throw invalid('trace_rating must be normal, warning or incident');

    const store = this.projects.get(projectId) ?? [];
    const nowSeconds = Math.floor(now / 1000);
    const oldestMs = now - LIST_TRACES.retentionSeconds * 1000;
    const filters: [string, (r: CtsTraceRecord) => string][] = [
      ['service_type', (r) => r.service_type],
      ['user', (r) => r.user.name],
      ['resource_type', (r) => r.resource_type],
      ['resource_name', (r) => r.resource_name],
      ['resource_id', (r) => r.resource_id],
      ['trace_name', (r) => r.trace_name],
      ['trace_rating', (r) => r.trace_rating],
    ];
    // Data traces are not simulated: a data query finds none.
    let matches = traceType === 'data' ? [] : store.filter((s) => s.visibleAt <= nowSeconds && s.record.time >= oldestMs).map((s) => s.record);
    // Both bounds exclude the times they name ("不包括传入时间").
    matches = matches.filter((r) => r.time > from && r.time < to);
    for (const [name, field] of filters) {
      const wanted = query.get(name);
      if (wanted !== null) matches = matches.filter((r) => field(r) === wanted);
    }
    const next = query.get('next');
    if (next !== null) {
      const marker = store.find((s) => s.record.trace_id === next)?.record;
      if (!marker) throw new HuaweiApiError(404, CTS_ERRORS.queryFailed, `Query failed: no trace ${next} to continue from`);
      matches = matches.filter((r) => newestFirst(marker, r) < 0);
    }
    const page = matches.slice(0, limit);
    const more = matches.length > limit;
    return { traces: page, meta_data: { count: page.length, marker: more ? page[page.length - 1]!.trace_id : null } };
  }
}

export interface StartCtsOptions {
  credentials?: SimulatorAkSk[];
  iamUsers?: SimulatorIamUser[];
  tokenLifetimeMs?: number;
  projects?: string[];
  now?: () => number;
  latencyMs?: () => number;
  enforceRateLimit?: boolean | number;
}

/** One server with IAM and CTS installed. Stop it with `server.close()`. */
export async function startCtsSimulator(options: StartCtsOptions = {}): Promise<{ server: HuaweiApiServer; cts: CtsSimulator; iam: IamSimulator }> {
  const server = await HuaweiApiServer.start({ credentials: options.credentials, now: options.now, latencyMs: options.latencyMs });
  const iam = new IamSimulator(options.iamUsers ?? [], { tokenLifetimeMs: options.tokenLifetimeMs });
  iam.install(server);
  const cts = new CtsSimulator();
  for (const projectId of options.projects ?? []) cts.addProject(projectId);
  cts.install(server, { enforceRateLimit: options.enforceRateLimit });
  return { server, cts, iam };
}
