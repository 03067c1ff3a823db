import { JsonInteger } from '../../../shared/providers/tencent/json';
import { TencentApiError, TencentApiServer, type ActionContext, type SimulatorCredential } from '../api-server';
import type { CloudAuditEventRecord, SimulatedEvent } from './events';

export { generateCloudAuditEvents } from './events';
export type { CloudAuditEventRecord, GenerateOptions, SimulatedEvent } from './events';

const DAY = 86_400;

/** DescribeEvents (2019-03-19) rules, from its documentation. */
export const DESCRIBE_EVENTS = {
  action: 'DescribeEvents',
  version: '2019-03-19',
  requestsPerSecond: 20,
  maxResults: 50,
  defaultMaxResults: 20,
  /** "the time range for query is less than 30 days" */
  maxSpanSeconds: 30 * DAY,
  /** StartTime may be at most 90 days old. */
  retentionSeconds: 90 * DAY,
} as const;

/**
 * Error codes the simulator answers with. DescribeEvents documents only
 * FailedOperation, InternalError, InvalidParameter and LimitExceeded.OverAmount;
 * the finer codes are CloudAudit's own (tencentcloud-sdk-go cloudaudit/v20190319
 * errors.go), documented for LookUpEvents over the same event store.
 */
export const CLOUDAUDIT_ERRORS = {
  /** "StartTime and EndTime are required and must be integer timestamps (seconds)". */
  time: 'InvalidParameter.Time',
  /** "StartTime cannot be greater than EndTime". */
  timeOrder: 'InvalidParameterValue.Time',
  /** The searchable time range is exceeded (span or retention). */
  overTime: 'LimitExceeded.OverTime',
  /** "at most 50 results per query". */
  maxResults: 'InvalidParameterValue.MaxResult',
  attributeKey: 'InvalidParameterValue.attributeKey',
  invalid: 'InvalidParameter',
} as const;

/** LookupAttributes key -> the event value it matches. */
const ATTRIBUTES: Record<string, (event: CloudAuditEventRecord, inner: Record<string, any>) => unknown> = {
  RequestId: (event) => event.RequestID,
  EventName: (event) => event.EventName,
  ActionType: (_event, inner) => String(inner.actionType).toLowerCase(),
  ReadOnly: (_event, inner) => String(inner.actionType === 'Read'),
  PrincipalId: (_event, inner) => inner.userIdentity?.principalId,
  Username: (event) => event.Username,
  ResourceType: (event) => event.Resources.ResourceType,
  ResourceName: (event) => event.Resources.ResourceName,
  AccessKeyId: (event) => event.SecretId,
  SensitiveAction: (_event, inner) => inner.sensitiveAction,
  ApiErrorCode: (_event, inner) => inner.apiErrorCode,
  CamErrorCode: (_event, inner) => inner.errorCode,
};

interface Stored {
  record: CloudAuditEventRecord;
  visibleAt: number;
  inner: Record<string, any>;
}

/** A place in the (EventTime desc, EventId desc) order. */
interface Position {
  time: number;
  id: string;
}

interface TokenState {
  query: string;
  /** The last event returned. */
  position: Position;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** In-memory CloudAudit: an event store and the DescribeEvents handler. */
export class CloudAuditSimulator {
  private readonly events: Stored[] = [];
  private readonly ids = new Set<string>();
  private readonly tokens = new Map<string, TokenState>();
  private tokenSeq = 0;
  /** The events in API order, rebuilt after additions: a page costs a binary search, not a scan of the store. */
  private ordered?: Stored[];

  /** Add events (records, or SimulatedEvents with a visibleAt for late arrival). */
  addEvents(events: Iterable<SimulatedEvent | CloudAuditEventRecord>): void {
    for (const item of events) {
      const { record, visibleAt } = 'record' in item ? item : { record: item, visibleAt: undefined };
      if (this.ids.has(record.EventId)) throw new Error(`duplicate EventId ${record.EventId}`);
      this.ids.add(record.EventId);
      this.events.push({ record, visibleAt: visibleAt ?? record.EventTime, inner: JSON.parse(record.CloudAuditEvent) });
    }
    this.ordered = undefined;
  }

  /** Every stored record, visible or not. */
  get records(): CloudAuditEventRecord[] {
    return this.events.map((event) => event.record);
  }

  /** Register DescribeEvents on `server`; `enforceRateLimit` answers RequestLimitExceeded beyond 20 req/s. */
  install(server: TencentApiServer, options: { enforceRateLimit?: boolean | number } = {}): void {
    const limit = options.enforceRateLimit;
    server.register(DESCRIBE_EVENTS.action, {
      version: DESCRIBE_EVENTS.version,
      requireRegion: true,
      rateLimitPerSecond: limit === true ? DESCRIBE_EVENTS.requestsPerSecond : typeof limit === 'number' ? limit : undefined,
      handler: (context) => this.describeEvents(context),
    });
  }

  describeEvents({ params, now, region }: ActionContext): Record<string, unknown> {
    const nowSeconds = Math.floor(now / 1000);
    const { StartTime: start, EndTime: end } = params;
    if (!isInteger(start) || !isInteger(end)) {
      throw new TencentApiError(CLOUDAUDIT_ERRORS.time, 'StartTime and EndTime are required and must be integer unix timestamps in seconds.');
    }
    if (start > end) throw new TencentApiError(CLOUDAUDIT_ERRORS.timeOrder, 'StartTime cannot be greater than EndTime.');
    if (end - start >= DESCRIBE_EVENTS.maxSpanSeconds) {
      throw new TencentApiError(CLOUDAUDIT_ERRORS.overTime, 'The time range for query must be less than 30 days.');
    }
    if (start < nowSeconds - DESCRIBE_EVENTS.retentionSeconds) {
      throw new TencentApiError(CLOUDAUDIT_ERRORS.overTime, 'StartTime cannot be more than 90 days before the current time.');
    }
    const maxResults = params.MaxResults ?? DESCRIBE_EVENTS.defaultMaxResults;
    if (!isInteger(maxResults) || maxResults < 1 || maxResults > DESCRIBE_EVENTS.maxResults) {
      throw new TencentApiError(CLOUDAUDIT_ERRORS.maxResults, 'MaxResults must be an integer from 1 to 50.');
    }
    const filters = parseLookupAttributes(params.LookupAttributes);
    const query = JSON.stringify([region, start, end, filters]);

    let after: TokenState | undefined;
    if (params.NextToken !== undefined && params.NextToken !== null) {
      const token = params.NextToken;
      // The API types NextToken as Integer: a quoted token is a client bug.
      if (!(token instanceof JsonInteger) && !isInteger(token)) {
        throw new TencentApiError(CLOUDAUDIT_ERRORS.invalid, 'The value type of parameter `NextToken` is not valid.');
      }
      after = this.tokens.get(String(token));
      if (!after || after.query !== query) {
        throw new TencentApiError(CLOUDAUDIT_ERRORS.invalid, 'NextToken is invalid or does not belong to this query.');
      }
    }

    this.ordered ??= [...this.events].sort((a, b) => order(positionOf(a.record), positionOf(b.record)));
    const ordered = this.ordered;
    // The first event past the token, or the newest at or before EndTime; then older ones down to StartTime.
    const first = firstIndex(ordered, ({ record }) =>
      after ? order(positionOf(record), after.position) > 0 : record.EventTime <= end,
    );
    const matches: Stored[] = [];
    for (let i = first; i < ordered.length && matches.length <= maxResults; i++) {
      const event = ordered[i]!;
      if (event.record.EventTime < start) break;
      if (event.record.EventTime > end || event.visibleAt > nowSeconds) continue;
      if (filters.every(([key, value]) => String(ATTRIBUTES[key]!(event.record, event.inner)) === value)) matches.push(event);
    }
    const page = matches.slice(0, maxResults).map((event) => event.record);
    const listOver = matches.length <= maxResults;
    const response: Record<string, unknown> = { ListOver: listOver, TotalCount: page.length, Events: page };
    const last = page[page.length - 1];
    if (!listOver && last) response.NextToken = this.issueToken({ query, position: positionOf(last) });
    return response;
  }

  /** A fresh big integer (> 2^53, like the real tokens) naming a stable position. */
  private issueToken(state: TokenState): JsonInteger {
    let token = BigInt(state.position.time) * 10_000_000n + BigInt(++this.tokenSeq % 10_000_000);
    if (token <= MAX_SAFE) token += MAX_SAFE + 1n;
    this.tokens.set(token.toString(), state);
    return new JsonInteger(token);
  }
}

/** The first index whose event satisfies `predicate`, which must be false then true along the array. */
function firstIndex<T>(items: T[], predicate: (item: T) => boolean): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (predicate(items[mid]!)) high = mid;
    else low = mid + 1;
  }
  return low;
}

const isInteger = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value);

const positionOf = (record: CloudAuditEventRecord): Position => ({ time: record.EventTime, id: record.EventId });

/**
 * Newest first, EventId breaking ties: a total order, so a token names a
 * position that events added later cannot shift (unlike an offset).
 */
function order(a: Position, b: Position): number {
  if (a.time !== b.time) return b.time - a.time;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

function parseLookupAttributes(value: unknown): [string, string][] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new TencentApiError(CLOUDAUDIT_ERRORS.invalid, 'LookupAttributes must be an array.');
  return value.map((item) => {
    const key = item?.AttributeKey;
    const attributeValue = item?.AttributeValue;
    if (typeof key !== 'string' || !(key in ATTRIBUTES)) {
      throw new TencentApiError(CLOUDAUDIT_ERRORS.attributeKey, `AttributeKey must be one of ${Object.keys(ATTRIBUTES).join(', ')}.`);
    }
    if (typeof attributeValue !== 'string') throw new TencentApiError(CLOUDAUDIT_ERRORS.invalid, 'AttributeValue must be a string.');
    return [key, key === 'ActionType' ? attributeValue.toLowerCase() : attributeValue];
  });
}

export interface StartCloudAuditOptions {
  credentials: SimulatorCredential[];
  now?: () => number;
  enforceRateLimit?: boolean | number;
  latencyMs?: () => number;
}

/** Start a server with DescribeEvents installed. Stop it with `server.close()`. */
export async function startCloudAuditSimulator(
  options: StartCloudAuditOptions,
): Promise<{ server: TencentApiServer; cloudaudit: CloudAuditSimulator }> {
  const server = await TencentApiServer.start({
    service: 'cloudaudit',
    credentials: options.credentials,
    now: options.now,
    latencyMs: options.latencyMs,
  });
  const cloudaudit = new CloudAuditSimulator();
  cloudaudit.install(server, { enforceRateLimit: options.enforceRateLimit });
  return { server, cloudaudit };
}
