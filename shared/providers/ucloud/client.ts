import { systemClock, type Clock } from '../../core/clock';
import { MalformedResponseError, ProviderError } from '../../core/errors';
import { silentLog, type Log } from '../../core/logger';
import { RateLimiter } from '../../core/rate-limiter';
import { retry } from '../../core/retry';
import { signParams, type UCloudKeys } from './signature';

const PROVIDER = 'ucloud';
const EXCERPT_CHARS = 200;

/** The public API gateway (docs.ucloud.cn/api/summary/gateway). */
export const UCLOUD_ENDPOINT = 'https://api.ucloud.cn';
/** The gateway for accounts of the international site (ucloud-global.com). */
export const UCLOUD_GLOBAL_ENDPOINT = 'https://api.ucloud-global.com';
/** The response header carrying the request id (all official SDKs read it). */
export const REQUEST_ID_HEADER = 'x-ucloud-request-uuid';

/** The platform RetCodes of docs.ucloud.cn/api/summary/public ("错误码说明"). */
export const UCLOUD_RET_CODES = {
  timeout: 110,
  gatewayFault: 130,
  serviceUnavailable: 150,
  throttled: 153,
  missingAction: 160,
  actionNotFound: 161,
  missingSignature: 170,
  signatureError: 171,
  userNotFound: 172,
  /** Not in the platform list, but what the gateway answers for a bad parameter ("Params [X] not available"). */
  invalidParams: 230,
  projectNotFound: 292,
  iamDenied: 299,
} as const;

/**
 * RetCodes worth another attempt: the API timed out (110), the gateway or its
 * auth service failed (130), the service is down for now (150), the request was
 * throttled (153). Everything else describes the request, the key or its
 * permissions, which a retry will not change. (The SDKs also retry every
 * product code >= 2000 by convention; no product code of this API is
 * documented, so cloudtap does not guess.)
 */
export function isRetryableUCloudRetCode(code: number): boolean {
  return code === 110 || code === 130 || code === 150 || code === 153;
}

export interface UCloudRetryOptions {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  random?: () => number;
}

export interface UCloudClientOptions {
  /** Full URL; default https://api.ucloud.cn (international accounts: https://api.ucloud-global.com). */
  endpoint?: string;
  credentials: UCloudKeys;
  /** Requests are paced evenly to this rate. */
  requestsPerSecond: number;
  clock?: Clock;
  log?: Log;
  /** Per attempt, including reading the body. Default 10 s. */
  timeoutMs?: number;
  retry?: Partial<UCloudRetryOptions>;
  /** More values that must never reach an error or a log (e.g. the ProjectId). */
  redact?: string[];
}

export interface UCloudResult<T> {
  /** The whole response body (RetCode 0). */
  response: T;
  /** From the X-UCloud-Request-UUID header; absent when the gateway sent none. */
  requestId?: string;
}

const DEFAULT_RETRY: UCloudRetryOptions = { attempts: 4, baseDelayMs: 250, maxDelayMs: 5_000 };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const transientStatus = (status: number): boolean => status >= 500 || status === 429;

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause;
  const detail = [cause?.code, cause?.message].filter((part) => typeof part === 'string' && part).join(' ');
  return detail || (error instanceof Error ? error.message : String(error));
}

/** A UCloud API client: signed form POSTs, paced, retried, with typed errors. */
export class UCloudClient {
  private readonly url: URL;
  private readonly clock: Clock;
  private readonly log: Log;
  private readonly limiter: RateLimiter;
  private readonly timeoutMs: number;
  private readonly retryOptions: UCloudRetryOptions;
  // ES private fields: util.inspect and JSON.stringify of the client never show them.
  readonly #keys: UCloudKeys;
  readonly #secrets: string[];

  constructor({ credentials, redact = [], ...options }: UCloudClientOptions) {
    this.#keys = { ...credentials };
    this.#secrets = [credentials.privateKey, credentials.publicKey, ...redact].filter((s) => s.length >= 4);
    const endpoint = options.endpoint ?? UCLOUD_ENDPOINT;
    this.url = new URL(/^[a-z]+:\/\//i.test(endpoint) ? endpoint : `https://${endpoint}`);
    this.clock = options.clock ?? systemClock;
    this.log = options.log ?? silentLog;
    // Burst 1: a full bucket at start would let one calendar second see twice the rate.
    this.limiter = new RateLimiter(options.requestsPerSecond, 1, this.clock);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retryOptions = { ...DEFAULT_RETRY, ...options.retry };
  }

  /** Call `action` with `params` (nested values are flattened to `Key.N.Sub`). */
  async call<T = Record<string, unknown>>(
    action: string,
    params: Record<string, unknown> = {},
    options: { signal?: AbortSignal } = {},
  ): Promise<UCloudResult<T>> {
    if (!this.#keys.publicKey || !this.#keys.privateKey) {
      throw new ProviderError(PROVIDER, 'MissingCredentials', `${action}: publicKey and privateKey are required`, undefined, false);
    }
    // No timestamp or nonce is signed, so one signed body serves every attempt.
    const body = new URLSearchParams(signParams({ ...params, Action: action }, this.#keys)).toString();
    const { signal } = options;
    return retry(
      async (attempt) => {
        await this.limiter.take(signal);
        this.log.debug('ucloud request', { action, attempt });
        return this.attempt<T>(action, body, signal);
      },
      {
        ...this.retryOptions,
        isRetryable: (error) => error instanceof ProviderError && error.retryable,
        onRetry: (error, attempt, delayMs) => {
          const { code, requestId } = error as ProviderError;
          this.log.warn('ucloud request failed; retrying', { action, code, requestId, attempt, delayMs });
        },
        signal,
        clock: this.clock,
      },
    );
  }

  private async attempt<T>(action: string, body: string, callerSignal?: AbortSignal): Promise<UCloudResult<T>> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
    let status: number;
    let requestId: string | undefined;
    let text: string;
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'User-Agent': 'cloudtap' },
        body,
        signal,
      });
      status = response.status;
      requestId = response.headers.get(REQUEST_ID_HEADER) || undefined;
      text = await response.text();
    } catch (error) {
      if (callerSignal?.aborted) throw callerSignal.reason;
      if (timeout.aborted) throw this.providerError('Timeout', `${action}: no complete answer within ${this.timeoutMs} ms`, undefined, true);
      throw this.providerError('NetworkError', `${action}: ${describeFetchError(error)}`, undefined, true);
    }
    return this.interpret<T>(action, status, text, requestId);
  }

  private interpret<T>(action: string, status: number, text: string, requestId?: string): UCloudResult<T> {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      if (transientStatus(status)) throw this.providerError(`HTTP${status}`, `${action}: HTTP ${status}`, requestId, true, status);
      throw this.malformed(`${action}: body is not valid JSON (HTTP ${status}, ${text.length} bytes)`, requestId, text);
    }
    const retCode = isObject(body) ? body.RetCode : undefined;
    if (typeof retCode !== 'number' || !Number.isInteger(retCode)) {
      if (transientStatus(status)) throw this.providerError(`HTTP${status}`, `${action}: HTTP ${status}`, requestId, true, status);
      throw this.malformed(`${action}: body has no integer "RetCode" (HTTP ${status})`, requestId, text);
    }
    if (retCode !== 0) {
      const message = isObject(body) && typeof body.Message === 'string' ? body.Message : '';
      const retryable = isRetryableUCloudRetCode(retCode) || transientStatus(status);
      throw this.providerError(String(retCode), `${action}: ${message || 'no message'}`, requestId, retryable, status);
    }
    if (status !== 200) {
      throw this.providerError(`HTTP${status}`, `${action}: HTTP ${status} with RetCode 0`, requestId, transientStatus(status), status);
    }
    return { response: body as T, requestId };
  }

  /** Remove any credential the provider might echo back before it reaches an error or a log. */
  private scrub(text: string): string {
    return this.#secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
  }

  private providerError(code: string, message: string, requestId: string | undefined, retryable: boolean, status?: number) {
    return new ProviderError(PROVIDER, code, this.scrub(message), requestId, retryable, status);
  }

  private malformed(detail: string, requestId: string | undefined, text: string) {
    return new MalformedResponseError(PROVIDER, this.scrub(detail), requestId, this.scrub(text).slice(0, EXCERPT_CHARS));
  }
}
