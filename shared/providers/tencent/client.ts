import { systemClock, unixSeconds, type Clock } from '../../core/clock';
import { MalformedResponseError, ProviderError } from '../../core/errors';
import { silentLog, type Log } from '../../core/logger';
import { RateLimiter } from '../../core/rate-limiter';
import { retry } from '../../core/retry';
import { parseJson, stringifyJson } from './json';
import { buildTc3Headers } from './tc3';

export { JsonInteger } from './json';

const PROVIDER = 'tencent';
const EXCERPT_CHARS = 200;

export interface TencentCredentials {
  secretId: string;
  secretKey: string;
  /** STS session token for temporary credentials. */
  token?: string;
}

export interface TencentRetryOptions {
  /** Total attempts including the first. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** For deterministic tests. */
  random?: () => number;
}

export interface TencentClientOptions {
  /** The product, e.g. `cloudaudit`; part of the signature's credential scope. */
  service: string;
  /** The API version, e.g. `2019-03-19`. */
  version: string;
  /** Full URL (http://127.0.0.1:PORT for the simulator); default https://{service}.tencentcloudapi.com. */
  endpoint?: string;
  region?: string;
  credentials: TencentCredentials;
  /** The API's documented request rate; requests are paced evenly to it. */
  requestsPerSecond: number;
  clock?: Clock;
  log?: Log;
  /** Per attempt, including reading the body. Default 10 s. */
  timeoutMs?: number;
  retry?: Partial<TencentRetryOptions>;
  /** X-TC-Language (`en-US` / `zh-CN`). */
  language?: string;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface TencentResult<T> {
  /** The `Response` object of the envelope (RequestId included). */
  response: T;
  requestId: string;
}

const DEFAULT_RETRY: TencentRetryOptions = { attempts: 4, baseDelayMs: 250, maxDelayMs: 5_000 };

/**
 * Error codes worth another attempt. Throttling (`RequestLimitExceeded`,
 * `RequestLimitExceeded.UinLimitExceeded`, ...) and `InternalError*` are
 * transient by definition. `ResourceUnavailable*`, `FailedOperation*` and
 * `LimitExceeded*` describe the account or resource state (a quota, a locked
 * resource), which a retry seconds later will not change, so they are not retried.
 */
export function isRetryableTencentCode(code: string): boolean {
  return /^(RequestLimitExceeded|InternalError)(\.|$)/.test(code);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const transientStatus = (status: number): boolean => status >= 500 || status === 429;

/** The request id, from a body that did not parse (e.g. truncated after it). */
function requestIdIn(text: string): string | undefined {
  return /"RequestId"\s*:\s*"([^"\\]{1,100})"/.exec(text)?.[1];
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause;
  const detail = [cause?.code, cause?.message].filter((part) => typeof part === 'string' && part).join(' ');
  return detail || (error instanceof Error ? error.message : String(error));
}

/** A Tencent Cloud API 3.0 client: signed JSON POSTs, paced, retried, with typed errors. */
export class TencentClient {
  private readonly url: URL;
  private readonly clock: Clock;
  private readonly log: Log;
  private readonly limiter: RateLimiter;
  private readonly timeoutMs: number;
  private readonly retryOptions: TencentRetryOptions;
  // ES private fields: util.inspect and JSON.stringify of the client never show them.
  readonly #credentials: TencentCredentials;
  readonly #secrets: string[];
  private readonly options: Omit<TencentClientOptions, 'credentials'>;

  constructor({ credentials, ...options }: TencentClientOptions) {
    this.options = options;
    this.#credentials = { ...credentials };
    this.#secrets = [credentials.secretKey, credentials.token ?? ''].filter((s) => s.length >= 4);
    const endpoint = options.endpoint ?? `https://${options.service}.tencentcloudapi.com`;
    // API 3.0 always posts to `/`, which is also the signed path.
    this.url = new URL('/', /^[a-z]+:\/\//i.test(endpoint) ? endpoint : `https://${endpoint}`);
    this.clock = options.clock ?? systemClock;
    this.log = options.log ?? silentLog;
    // Burst 1 paces requests evenly: a full burst at start would let a calendar
    // second see about twice the documented rate and be throttled.
    this.limiter = new RateLimiter(options.requestsPerSecond, 1, this.clock);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retryOptions = { ...DEFAULT_RETRY, ...options.retry };
  }

  /** Call `action` with `params`; JsonInteger and bigint values are sent as bare integers. */
  async call<T = Record<string, unknown>>(
    action: string,
    params: Record<string, unknown> = {},
    options: CallOptions = {},
  ): Promise<TencentResult<T>> {
    const { secretId, secretKey } = this.#credentials;
    if (!secretId || !secretKey) {
      throw new ProviderError(PROVIDER, 'MissingCredentials', `${action}: secretId and secretKey are required`, undefined, false);
    }
    const payload = stringifyJson(params);
    const { signal } = options;
    return retry(
      async (attempt) => {
        await this.limiter.take(signal);
        this.log.debug('tencent request', { service: this.options.service, action, attempt });
        return this.attempt<T>(action, payload, signal);
      },
      {
        ...this.retryOptions,
        isRetryable: (error) => error instanceof ProviderError && error.retryable,
        onRetry: (error, attempt, delayMs) => {
          const { code, requestId } = error as ProviderError;
          this.log.warn('tencent request failed; retrying', { service: this.options.service, action, code, requestId, attempt, delayMs });
        },
        signal,
        clock: this.clock,
      },
    );
  }

  private async attempt<T>(action: string, payload: string, callerSignal?: AbortSignal): Promise<TencentResult<T>> {
    const { service, version, region, language } = this.options;
    const headers = buildTc3Headers({
      ...this.#credentials,
      service,
      host: this.url.host,
      payload,
      timestamp: unixSeconds(this.clock.now()),
      action,
      version,
      region,
      language,
    });
    // fetch derives Host from the URL (and ignores an override); it is the signed value.
    delete headers.Host;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
    let status: number;
    let headerRequestId: string | undefined;
    let text: string;
    try {
      const response = await fetch(this.url, { method: 'POST', headers, body: payload, signal });
      status = response.status;
      headerRequestId = response.headers.get('x-tc-requestid') ?? undefined;
      text = await response.text();
    } catch (error) {
      if (callerSignal?.aborted) throw callerSignal.reason;
      if (timeout.aborted) {
        throw this.providerError('Timeout', `${action}: no complete answer within ${this.timeoutMs} ms`, undefined, true);
      }
      throw this.providerError('NetworkError', `${action}: ${describeFetchError(error)}`, undefined, true);
    }
    return this.interpret<T>(action, status, text, headerRequestId);
  }

  private interpret<T>(action: string, status: number, text: string, headerRequestId?: string): TencentResult<T> {
    let body: unknown;
    try {
      body = parseJson(text);
    } catch {
      const requestId = requestIdIn(text) ?? headerRequestId;
      if (transientStatus(status)) throw this.providerError(`HTTP${status}`, `${action}: HTTP ${status}`, requestId, true, status);
      throw this.malformed(`${action}: body is not valid JSON (HTTP ${status}, ${text.length} bytes)`, requestId, text);
    }
    const envelope = isObject(body) && isObject(body.Response) ? body.Response : undefined;
    const requestId = typeof envelope?.RequestId === 'string' ? envelope.RequestId : headerRequestId;
    if (!envelope) {
      if (transientStatus(status)) throw this.providerError(`HTTP${status}`, `${action}: HTTP ${status}`, requestId, true, status);
      throw this.malformed(`${action}: body has no "Response" object (HTTP ${status})`, requestId, text);
    }
    if (envelope.Error !== undefined && envelope.Error !== null) {
      const error = envelope.Error;
      if (!isObject(error) || typeof error.Code !== 'string') {
        throw this.malformed(`${action}: Response.Error has no Code`, requestId, text);
      }
      const message = typeof error.Message === 'string' ? error.Message : '';
      const retryable = isRetryableTencentCode(error.Code) || transientStatus(status);
      throw this.providerError(error.Code, `${action}: ${message}`, requestId, retryable, status);
    }
    if (status !== 200) {
      throw this.providerError(`HTTP${status}`, `${action}: HTTP ${status} without an error envelope`, requestId, transientStatus(status), status);
    }
    if (!requestId) throw this.malformed(`${action}: Response.RequestId is missing`, undefined, text);
    return { response: envelope as T, requestId };
  }

  /** Remove any credential the provider might echo back before it reaches an error or a log. */
  private scrub(text: string): string {
    return this.#secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
  }

  private providerError(code: string, message: string, requestId: string | undefined, retryable: boolean, status?: number) {
    return new ProviderError(PROVIDER, this.scrub(code), this.scrub(message), requestId, retryable, status);
  }

  private malformed(detail: string, requestId: string | undefined, text: string) {
    return new MalformedResponseError(PROVIDER, this.scrub(detail), requestId, this.scrub(text).slice(0, EXCERPT_CHARS));
  }
}
