import { randomBytes } from 'node:crypto';
import { UCLOUD_RET_CODES } from '../../../shared/providers/ucloud/client';
import type { UCloudKeys } from '../../../shared/providers/ucloud/signature';
import { UCloudApiError, UCloudApiServer, type ActionContext } from '../server';
import type { SimulatedOperationEvent, UserOperationEventRecord } from './events';

export { generateOperationEvents } from './events';
export type { GenerateOperationEventsOptions, SimulatedOperationEvent, UserOperationEventRecord } from './events';

const DAY = 86_400;

/**
 * GetUserOperationEvents as the simulator enforces it. Documented: the 365-day
 * limit and NextToken paging with unchanged parameters. Not documented, so
 * assumed: MaxResults 1..100 (default 20), 5 requests/s when rate limiting is on,
 * RetCode 230 for bad parameters and 292 for an unknown project.
 */
export const GET_USER_OPERATION_EVENTS = {
  action: 'GetUserOperationEvents',
  maxResults: 100,
  defaultMaxResults: 20,
  retentionSeconds: 365 * DAY,
  requestsPerSecond: 5,
  defaultProjectId: 'org-default',
} as const;

interface Stored {
  record: UserOperationEventRecord;
  visibleAt: number;
  projectId: string;
  /** Insertion order: the tie-breaker that makes the listing order total. */
  seq: number;
}

/** A place in the (OperateTime desc, seq desc) order. */
interface Position {
  time: number;
  seq: number;
}

interface TokenState {
  /** Every request parameter but NextToken, and the key: what later pages must repeat. */
  query: string;
  position: Position;
}

const invalid = (name: string, why?: string) =>
  new UCloudApiError(UCLOUD_RET_CODES.invalidParams, `Params [${name}] not available${why ? `: ${why}` : ''}`);

/** In-memory ULog: an operation-event store and the GetUserOperationEvents handler. */
export class OperationsSimulator {
  private readonly events: Stored[] = [];
  private readonly tokens = new Map<string, TokenState>();
  private readonly projects: Set<string>;
  readonly defaultProjectId: string;

  constructor(options: { defaultProjectId?: string; projects?: string[] } = {}) {
    this.defaultProjectId = options.defaultProjectId ?? GET_USER_OPERATION_EVENTS.defaultProjectId;
    this.projects = new Set([this.defaultProjectId, ...(options.projects ?? [])]);
  }

  /** Add events (records, or SimulatedOperationEvents with a visibleAt or projectId). */
  addEvents(events: Iterable<SimulatedOperationEvent | UserOperationEventRecord>): void {
    for (const item of events) {
      const event: SimulatedOperationEvent = 'record' in item ? item : { record: item };
      const projectId = event.projectId ?? this.defaultProjectId;
      this.projects.add(projectId);
      this.events.push({ record: event.record, visibleAt: event.visibleAt ?? event.record.OperateTime, projectId, seq: this.events.length });
    }
  }

  /** Every stored record, visible or not, in insertion order. */
  get records(): UserOperationEventRecord[] {
    return this.events.map((event) => event.record);
  }

  /** Register the action on `server`; `enforceRateLimit` answers RetCode 153 beyond 5 req/s (or the given rate). */
  install(server: UCloudApiServer, options: { enforceRateLimit?: boolean | number } = {}): void {
    const limit = options.enforceRateLimit;
    server.register(GET_USER_OPERATION_EVENTS.action, {
      rateLimitPerSecond: limit === true ? GET_USER_OPERATION_EVENTS.requestsPerSecond : typeof limit === 'number' ? limit : undefined,
      handler: (context) => this.getUserOperationEvents(context),
    });
  }

  getUserOperationEvents({ params, publicKey, now }: ActionContext): Record<string, unknown> {
    const rules = GET_USER_OPERATION_EVENTS;
    const nowSeconds = Math.floor(now / 1000);
    const earliest = nowSeconds - rules.retentionSeconds;
    const integer = (name: string, fallback: number): number => {
      const value = params[name];
      if (value === undefined || value === '') return fallback;
      if (!/^\d{1,12}$/.test(value)) throw invalid(name, 'must be an integer');
      return Number(value);
    };
    const begin = integer('BeginTime', earliest);
    const end = integer('EndTime', nowSeconds);
    if (begin > end) throw invalid('BeginTime', 'BeginTime is after EndTime');
    if (begin < earliest) throw invalid('BeginTime', 'only the logs from the past 365 days can be queried');
    const maxResults = integer('MaxResults', rules.defaultMaxResults);
    if (maxResults < 1 || maxResults > rules.maxResults) throw invalid('MaxResults', `must be 1 to ${rules.maxResults}`);
    const projectId = params.ProjectId || this.defaultProjectId;
    if (!this.projects.has(projectId)) throw new UCloudApiError(UCLOUD_RET_CODES.projectNotFound, 'Project not exists');
    const resourceId = params.ResourceID || undefined;

    const { NextToken: token, ...rest } = params;
    const query = JSON.stringify([publicKey, Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
    let after: Position | undefined;
    if (token) {
      const state = this.tokens.get(token);
      if (!state) throw invalid('NextToken');
      if (state.query !== query) throw invalid('NextToken', 'the request parameters must be consistent with the previous request');
      after = state.position;
    }

    const matches = this.events
      .filter((event) => event.visibleAt <= nowSeconds && event.projectId === projectId)
      .filter(({ record }) => record.OperateTime >= begin && record.OperateTime <= end)
      .filter(({ record }) => !resourceId || record.RelatedResource.some((resource) => resource.ResourceId === resourceId))
      .filter((event) => !after || order(positionOf(event), after) > 0)
      .sort((a, b) => order(positionOf(a), positionOf(b)));
    const page = matches.slice(0, maxResults);
    const response: Record<string, unknown> = { Events: page.map((event) => event.record) };
    const last = page[page.length - 1];
    if (matches.length > maxResults && last) response.NextToken = this.issueToken({ query, position: positionOf(last) });
    return response;
  }

  /** An opaque token naming a stable position (events added later cannot shift it, unlike an offset). */
  private issueToken(state: TokenState): string {
    const token = randomBytes(12).toString('base64url');
    this.tokens.set(token, state);
    return token;
  }
}

const positionOf = (event: Stored): Position => ({ time: event.record.OperateTime, seq: event.seq });

/** Newest first, insertion order breaking ties (newest insertion first). */
function order(a: Position, b: Position): number {
  if (a.time !== b.time) return b.time - a.time;
  return b.seq - a.seq;
}

export interface StartOperationsSimulatorOptions {
  credentials: UCloudKeys[];
  now?: () => number;
  enforceRateLimit?: boolean | number;
  latencyMs?: () => number;
  projects?: string[];
}

/** Start a gateway with GetUserOperationEvents installed. Stop it with `server.close()`. */
export async function startUCloudOperationsSimulator(
  options: StartOperationsSimulatorOptions,
): Promise<{ server: UCloudApiServer; operations: OperationsSimulator }> {
  const server = await UCloudApiServer.start({ credentials: options.credentials, now: options.now, latencyMs: options.latencyMs });
  const operations = new OperationsSimulator({ projects: options.projects });
  operations.install(server, { enforceRateLimit: options.enforceRateLimit });
  return { server, operations };
}
