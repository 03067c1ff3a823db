import { formatBeijingTime, parseBeijingTime } from '../../../shared/providers/tencent/ssl/beijing-time';
import { Random } from '../../common/random';
import { TencentApiError, TencentApiServer, type ActionContext, type SimulatorCredential } from '../api-server';
import type { SimulatedSslEvent, SslOperationLogRecord } from './events';

export { generateSslEvents, sslRecordTime } from './events';
export type { GenerateSslOptions, SimulatedSslEvent, SslOperationLogRecord } from './events';

const DAY = 86_400;

/** DescribeCertificateOperateLogs (2019-12-05) rules, from its documentation. */
export const DESCRIBE_CERTIFICATE_OPERATE_LOGS = {
  action: 'DescribeCertificateOperateLogs',
  version: '2019-12-05',
  requestsPerSecond: 10,
  defaultLimit: 20,
  /** "if it exceeds 1000, it will be treated as 1000" */
  maxLimit: 1000,
  /** StartTime defaults to 15 days ago, EndTime to now. */
  defaultLookbackSeconds: 15 * DAY,
} as const;

/**
 * Error codes the simulator answers with: `InvalidParameter` (the gateway's
 * for a value of the wrong type or format) and the API's documented
 * `FailedOperation.InvalidParam` for values that parse but make no sense.
 */
export const SSL_ERRORS = { type: 'InvalidParameter', invalid: 'FailedOperation.InvalidParam' } as const;

export interface SslSimulatorOptions {
  /**
   * `time` (default): CreatedOn descending, later insertions first within a
   * second. `insertion`: newest insertion first, as `ORDER BY id DESC` would
   * list records that arrived late, out of time order.
   */
  order?: 'time' | 'insertion';
  /** Shuffle records of the same second on every request, as `ORDER BY time` without a tie-breaker may. */
  unstableTies?: boolean;
  /** Records older than this (seconds before now) are gone. Default: kept forever. */
  retentionSeconds?: number;
  /** Serve at most this many records a page whatever Limit asks (default: the documented 1000), to test small pages. */
  maxLimit?: number;
  /** Treat EndTime as exclusive. The documentation does not say; the default is inclusive, like StartTime. */
  endTimeExclusive?: boolean;
}

interface Stored {
  record: SslOperationLogRecord;
  time: number;
  visibleAt: number;
  /** Insertion order, the simulated auto-increment id. */
  seq: number;
}

/** In-memory SSL operation log and the DescribeCertificateOperateLogs handler. */
export class SslSimulator {
  private readonly events: Stored[] = [];
  private seq = 0;
  private readonly shuffle = new Random(20191205);

  constructor(private readonly options: SslSimulatorOptions = {}) {}

  /** Add records (or SimulatedSslEvents with a visibleAt for late arrival). Identical records are separate entries. */
  addEvents(events: Iterable<SimulatedSslEvent | SslOperationLogRecord>): void {
    for (const item of events) {
      const { record, visibleAt } = 'record' in item ? item : { record: item, visibleAt: undefined };
      const time = parseBeijingTime(record.CreatedOn);
      this.events.push({ record, time, visibleAt: visibleAt ?? time, seq: ++this.seq });
    }
  }

  /** Every stored record, visible or not, in insertion order. */
  get records(): SslOperationLogRecord[] {
    return this.events.map((event) => event.record);
  }

  /** Register the action on `server`; `enforceRateLimit` answers RequestLimitExceeded beyond 10 req/s. */
  install(server: TencentApiServer, options: { enforceRateLimit?: boolean | number } = {}): void {
    const limit = options.enforceRateLimit;
    server.register(DESCRIBE_CERTIFICATE_OPERATE_LOGS.action, {
      version: DESCRIBE_CERTIFICATE_OPERATE_LOGS.version,
      rateLimitPerSecond: limit === true ? DESCRIBE_CERTIFICATE_OPERATE_LOGS.requestsPerSecond : typeof limit === 'number' ? limit : undefined,
      handler: (context) => this.describeCertificateOperateLogs(context),
    });
  }

  describeCertificateOperateLogs({ params, now }: ActionContext): Record<string, unknown> {
    const nowSeconds = Math.floor(now / 1000);
    const offset = integerParam(params, 'Offset', 0);
    const requested = integerParam(params, 'Limit', DESCRIBE_CERTIFICATE_OPERATE_LOGS.defaultLimit);
    if (offset < 0) throw new TencentApiError(SSL_ERRORS.invalid, 'Offset must not be negative.');
    if (requested < 1) throw new TencentApiError(SSL_ERRORS.invalid, 'Limit must be at least 1.');
    const limit = Math.min(requested, this.options.maxLimit ?? DESCRIBE_CERTIFICATE_OPERATE_LOGS.maxLimit);
    const start = timeParam(params, 'StartTime', nowSeconds - DESCRIBE_CERTIFICATE_OPERATE_LOGS.defaultLookbackSeconds);
    const end = timeParam(params, 'EndTime', nowSeconds);
    if (start > end) throw new TencentApiError(SSL_ERRORS.invalid, 'StartTime cannot be later than EndTime.');

    const oldest = this.options.retentionSeconds === undefined ? -Infinity : nowSeconds - this.options.retentionSeconds;
    const matches = this.events.filter(
      (event) =>
        event.visibleAt <= nowSeconds &&
        event.time >= oldest &&
        event.time >= start &&
        (this.options.endTimeExclusive ? event.time < end : event.time <= end),
    );
    if (this.options.order === 'insertion') {
      matches.sort((a, b) => b.seq - a.seq);
    } else {
      // Random tie keys, drawn afresh per request, model an unstable sort.
      const tie = new Map(matches.map((event) => [event, this.options.unstableTies ? this.shuffle.next() : event.seq]));
      matches.sort((a, b) => b.time - a.time || tie.get(b)! - tie.get(a)!);
    }
    const page = matches.slice(offset, offset + limit).map((event) => event.record);
    // "OperateLogs ... may return null": it does when there is nothing to list.
    return { AllTotal: matches.length, TotalCount: page.length, OperateLogs: page.length > 0 ? page : null };
  }
}

function integerParam(params: Record<string, unknown>, name: string, fallback: number): number {
  const value = params[name];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new TencentApiError(SSL_ERRORS.type, `The value type of parameter \`${name}\` is not valid.`);
  }
  return value;
}

function timeParam(params: Record<string, unknown>, name: string, fallback: number): number {
  const value = params[name];
  if (value === undefined || value === null) return fallback;
  try {
    return parseBeijingTime(value);
  } catch {
    throw new TencentApiError(SSL_ERRORS.type, `The value of parameter \`${name}\` must be a time like ${formatBeijingTime(0)}.`);
  }
}

export interface StartSslOptions extends SslSimulatorOptions {
  credentials: SimulatorCredential[];
  now?: () => number;
  enforceRateLimit?: boolean | number;
  latencyMs?: () => number;
}

/** Start a server (credential scope `ssl`) with the action installed. Stop it with `server.close()`. */
export async function startSslSimulator(options: StartSslOptions): Promise<{ server: TencentApiServer; ssl: SslSimulator }> {
  const { credentials, now, enforceRateLimit, latencyMs, ...simulatorOptions } = options;
  const server = await TencentApiServer.start({ service: 'ssl', credentials, now, latencyMs });
  const ssl = new SslSimulator(simulatorOptions);
  ssl.install(server, { enforceRateLimit });
  return { server, ssl };
}
