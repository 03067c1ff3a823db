import { randomBytes } from 'node:crypto';
import { EventStore, newestFirst, type Position, type Stored } from '../../common/event-store';
import { AlibabaApiError, AlibabaApiServer, type ActionContext, type SimulatorAccessKey } from '../server';
import type { ActionTrailRecord, SimulatedEvent } from './events';

export { formatEventTime, generateActionTrailEvents } from './events';
export type { ActionTrailRecord, GenerateOptions, SimulatedEvent } from './events';

const DAY = 86_400;

/** LookupEvents (2020-07-06) rules, from its documentation (docs/sources/alibaba-actiontrail.md). */
export const LOOKUP_EVENTS = {
  action: 'LookupEvents',
  version: '2020-07-06',
  requestsPerSecond: 2,
  maxResults: 50,
  /** Not documented; the SDK's example value. */
  defaultMaxResults: 20,
  maxSpanSeconds: 30 * DAY,
  retentionSeconds: 90 * DAY,
  /** Without StartTime and EndTime: the last 7 days. */
  defaultSpanSeconds: 7 * DAY,
  maxLookupAttributes: 2,
} as const;

/** LookupAttribute key -> the event value it matches (the documented keys the simulator can evaluate). */
const ATTRIBUTES: Record<string, (event: ActionTrailRecord) => unknown> = {
  ServiceName: (event) => event.serviceName,
  EventName: (event) => event.eventName,
  User: (event) => event.userIdentity?.userName,
  EventId: (event) => event.eventId,
  ResourceType: (event) => event.resourceType,
  ResourceName: (event) => event.resourceName,
  EventRW: (event) => event.eventRW,
  EventAccessKeyId: (event) => event.userIdentity?.accessKeyId,
  SourceIpAddress: (event) => event.sourceIpAddress,
  EventType: (event) => event.eventType,
  SensitiveAction: () => 'false',
  RoleName: (event) => (event.userIdentity?.type === 'assumed-role' ? event.userIdentity.userName?.split(':')[0] : undefined),
};

interface TokenState {
  query: string;
  /** The last event returned. */
  position: Position;
}

const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

const invalid = (message: string) => new AlibabaApiError(400, 'InvalidParameter', message);

/** In-memory ActionTrail: an event store and the LookupEvents handler. */
export class ActionTrailSimulator {
  private readonly store = new EventStore<ActionTrailRecord>((record) => ({ time: Date.parse(record.eventTime) / 1000, id: record.eventId }));
  private readonly tokens = new Map<string, TokenState>();

  addEvents(events: Iterable<SimulatedEvent | ActionTrailRecord>): void {
    this.store.add([...events].map((item) => ('record' in item ? item : { record: item })));
  }

  /** Every stored record, visible or not. */
  get records(): ActionTrailRecord[] {
    return this.store.records;
  }

  /** Register LookupEvents on `server`; `enforceRateLimit` answers Throttling.User beyond 2 req/s. */
  install(server: AlibabaApiServer, options: { enforceRateLimit?: boolean | number } = {}): void {
    const limit = options.enforceRateLimit;
    server.register(LOOKUP_EVENTS.action, {
      version: LOOKUP_EVENTS.version,
      rateLimitPerSecond: limit === true ? LOOKUP_EVENTS.requestsPerSecond : typeof limit === 'number' ? limit : undefined,
      handler: (context) => this.lookupEvents(context),
    });
  }

  lookupEvents({ params, now }: ActionContext): Record<string, unknown> {
    const nowSeconds = Math.floor(now / 1000);
    const { start, end } = timeRange(params, nowSeconds);
    const maxResults = params.MaxResults === undefined ? LOOKUP_EVENTS.defaultMaxResults : Number(params.MaxResults);
    if (!/^\d{1,3}$/.test(params.MaxResults ?? '20') || maxResults < 1 || maxResults > LOOKUP_EVENTS.maxResults) {
      throw invalid('The specified MaxResults is invalid: valid values are 1 to 50.');
    }
    const direction = params.Direction ?? 'BACKWARD';
    if (direction !== 'BACKWARD' && direction !== 'FORWARD') throw invalid('The specified Direction is invalid: valid values are FORWARD and BACKWARD.');
    const filters = lookupAttributes(params);
    // "The request parameters must be the same as those of the previous request."
    const query = JSON.stringify([start, end, maxResults, direction, filters]);

    let after: TokenState | undefined;
    if (params.NextToken !== undefined && params.NextToken !== '') {
      after = this.tokens.get(params.NextToken);
      if (!after || after.query !== query) throw invalid('The specified NextToken is invalid or does not belong to this query.');
    }
    const ordered = direction === 'BACKWARD' ? this.store.ordered() : [...this.store.ordered()].reverse();
    const sign = direction === 'BACKWARD' ? 1 : -1;
    const matches: Stored<ActionTrailRecord>[] = [];
    for (const event of ordered) {
      if (matches.length > maxResults) break;
      if (after && sign * newestFirst(this.store.position(event), after.position) <= 0) continue;
      // Both ends inclusive (assumed, see the docs page).
      if (event.time < start || event.time > end || event.visibleAt > nowSeconds) continue;
      if (filters.every(([key, value]) => String(ATTRIBUTES[key]!(event.record)) === value)) matches.push(event);
    }
    const page = matches.slice(0, maxResults);
    const response: Record<string, unknown> = { StartTime: iso(start), EndTime: iso(end), Events: page.map((event) => event.record) };
    const last = page[page.length - 1];
    response.NextToken = matches.length > maxResults && last ? this.issueToken({ query, position: this.store.position(last) }) : '';
    return response;
  }

  /** A fresh token shaped like the documented one (base64 of a JSON object) naming a stable position. */
  private issueToken(state: TokenState): string {
    const { time, id } = state.position;
    const token = Buffer.from(JSON.stringify({ eventId: id, time: time * 1000, nonce: randomBytes(6).toString('hex') })).toString('base64');
    this.tokens.set(token, state);
    return token;
  }
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

/** StartTime and EndTime as documented: both or neither, `yyyy-MM-ddTHH:mm:ssZ`, within 30 days of each other and 90 of now. */
function timeRange(params: Record<string, string>, nowSeconds: number): { start: number; end: number } {
  const { StartTime, EndTime } = params;
  if ((StartTime === undefined) !== (EndTime === undefined)) throw invalid('StartTime and EndTime must be specified together.');
  if (StartTime === undefined || EndTime === undefined) return { start: nowSeconds - LOOKUP_EVENTS.defaultSpanSeconds, end: nowSeconds };
  if (!ISO_SECONDS.test(StartTime) || !ISO_SECONDS.test(EndTime)) throw invalid('StartTime and EndTime must be in the yyyy-MM-ddTHH:mm:ssZ format (UTC).');
  const start = Date.parse(StartTime) / 1000;
  const end = Date.parse(EndTime) / 1000;
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw invalid('StartTime or EndTime is not a valid time.');
  if (start > end) throw invalid('StartTime must not be later than EndTime.');
  if (end - start > LOOKUP_EVENTS.maxSpanSeconds) throw invalid('The time range must not exceed 30 days.');
  if (start < nowSeconds - LOOKUP_EVENTS.retentionSeconds) throw invalid('Only events of the last 90 days can be looked up.');
  return { start, end };
}

function lookupAttributes(params: Record<string, string>): [string, string][] {
  const indexes = [...new Set(Object.keys(params).flatMap((name) => /^LookupAttribute\.(\d+)\.(Key|Value)$/.exec(name)?.[1] ?? []))];
  if (indexes.length > LOOKUP_EVENTS.maxLookupAttributes) throw invalid('At most 2 LookupAttribute conditions can be specified.');
  return indexes.map((index) => {
    const key = params[`LookupAttribute.${index}.Key`];
    const value = params[`LookupAttribute.${index}.Value`];
    if (key === undefined || !(key in ATTRIBUTES)) throw invalid(`LookupAttribute.${index}.Key must be one of ${Object.keys(ATTRIBUTES).join(', ')}.`);
    if (value === undefined) throw invalid(`LookupAttribute.${index}.Value is required.`);
    return [key, value];
  });
}

export interface StartActionTrailOptions {
  credentials: SimulatorAccessKey[];
  now?: () => number;
  enforceRateLimit?: boolean | number;
  latencyMs?: () => number;
}

/** Start a server with LookupEvents installed. Stop it with `server.close()`. */
export async function startActionTrailSimulator(options: StartActionTrailOptions): Promise<{ server: AlibabaApiServer; actiontrail: ActionTrailSimulator }> {
  const server = await AlibabaApiServer.start({ credentials: options.credentials, now: options.now, latencyMs: options.latencyMs });
  const actiontrail = new ActionTrailSimulator();
  actiontrail.install(server, { enforceRateLimit: options.enforceRateLimit });
  return { server, actiontrail };
}
