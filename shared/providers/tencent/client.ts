import { unixSeconds } from '../../lib/clock';
import { ProviderError } from '../../lib/errors';
import { silentLog, type Log } from '../../lib/logger';
import { isTransientStatus, readJsonBody, RedactingErrors, Transport, withScheme, type HttpAnswer, type RetryCount, type RetryTuning, type TransportOptions } from '../http';
import { parseJson, stringifyJson } from './json';
import { buildTc3Headers } from './tc3';

export { JsonInteger } from './json';

const PROVIDER = 'tencent';

export interface TencentCredentials {
  secretId: string;
  secretKey: string;
  /** STS session token for temporary credentials. */
  token?: string;
}

export type TencentRetryOptions = RetryTuning;

/** With `requestsPerSecond` (the API's documented rate), `clock`, `timeoutMs` and `retry` from TransportOptions. */
export interface TencentClientOptions extends TransportOptions {
  /** The product, e.g. `cloudaudit`; part of the signature's credential scope. */
  service: string;
  /** The API version, e.g. `2019-03-19`. */
  version: string;
  /** Full URL (http://127.0.0.1:PORT for the simulator); default https://{service}.tencentcloudapi.com. */
  endpoint?: string;
  region?: string;
  credentials: TencentCredentials;
  log?: Log;
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
  /** The retries the call took. */
  retries: RetryCount;
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

/** Throttling: `RequestLimitExceeded` and its sub-codes (`RequestLimitExceeded.UinLimitExceeded`, ...). */
export function isTencentThrottleCode(code: string): boolean {
  return code.startsWith('RequestLimitExceeded');
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The request id, from a body that did not parse (e.g. truncated after it). */
function requestIdIn(text: string): string | undefined {
  return /"RequestId"\s*:\s*"([^"\\]{1,100})"/.exec(text)?.[1];
}

/** A Tencent Cloud API 3.0 client: signed JSON POSTs, paced, retried, with typed errors. */
export class TencentClient {
  private readonly url: URL;
  private readonly http: Transport;
  private readonly log: Log;
  // ES private fields: util.inspect and JSON.stringify of the client never show them.
  readonly #credentials: TencentCredentials;
  /** Builds this client's errors with its credentials removed; sources use it for the pages they refuse. */
  readonly errors: RedactingErrors;
  private readonly options: Omit<TencentClientOptions, 'credentials'>;

  constructor({ credentials, ...options }: TencentClientOptions) {
    this.options = options;
    this.#credentials = { ...credentials };
    // The key id too: a provider quoting the request back must not put any credential into an error or a log.
    const secrets = [credentials.secretId, credentials.secretKey, credentials.token ?? ''].filter((s) => s.length >= 4);
    this.errors = new RedactingErrors(PROVIDER, () => secrets);
    const endpoint = options.endpoint ?? defaultEndpoint(options.service);
    // API 3.0 always posts to `/`, which is also the signed path.
    this.url = new URL('/', withScheme(endpoint));
    this.http = new Transport(options, DEFAULT_RETRY);
    this.log = options.log ?? silentLog;
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
    const { result, retries } = await this.http.run(
      async (attempt) => {
        this.log.debug('tencent request', { service: this.options.service, action, attempt });
        return this.attempt<T>(action, payload, signal);
      },
      signal,
      ({ code, requestId }, attempt, delayMs) => {
        this.log.warn('tencent request failed; retrying', { service: this.options.service, action, code, requestId, attempt, delayMs });
      },
    );
    return { ...result, retries };
  }

  private async attempt<T>(action: string, payload: string, callerSignal?: AbortSignal): Promise<Omit<TencentResult<T>, 'retries'>> {
    const { service, version, region, language } = this.options;
    const headers = buildTc3Headers({
      ...this.#credentials,
      service,
      host: this.url.host,
      payload,
      timestamp: unixSeconds(this.http.clock.now()),
      action,
      version,
      region,
      language,
    });
    // fetch derives Host from the URL (and ignores an override); it is the signed value.
    delete headers.Host;
    const answer = await this.http.fetch(this.url, { method: 'POST', headers, body: payload }, callerSignal, (code, detail) =>
      this.errors.provider(code, `${action}: ${detail}`, undefined, true),
    );
    return this.interpret<T>(action, answer);
  }

  private interpret<T>(action: string, answer: HttpAnswer): Omit<TencentResult<T>, 'retries'> {
    const { status, text } = answer;
    const headerRequestId = answer.headers.get('x-tc-requestid') ?? undefined;
    const body = readJsonBody(answer, { what: action, requestId: headerRequestId, requestIdInText: requestIdIn, errors: this.errors }, parseJson);
    const envelope = isObject(body) && isObject(body.Response) ? body.Response : undefined;
    const requestId = typeof envelope?.RequestId === 'string' ? envelope.RequestId : headerRequestId;
    if (!envelope) {
      if (isTransientStatus(status)) throw this.errors.provider(`HTTP${status}`, `${action}: HTTP ${status}`, requestId, true, status);
      throw this.errors.malformed(`${action}: body has no "Response" object (HTTP ${status})`, requestId, text);
    }
    if (envelope.Error !== undefined && envelope.Error !== null) {
      const error = envelope.Error;
      if (!isObject(error) || typeof error.Code !== 'string') {
        throw this.errors.malformed(`${action}: Response.Error has no Code`, requestId, text);
      }
      const message = typeof error.Message === 'string' ? error.Message : '';
      const retryable = isRetryableTencentCode(error.Code) || isTransientStatus(status);
      // The usual cause is this machine's clock, not the key: say so, since the code alone reads like a key problem.
      const hint = error.Code === 'AuthFailure.SignatureExpire' ? ' (requests are signed with the local clock, which must be within 5 minutes of Tencent Cloud\'s: check its time sync)' : '';
      throw this.errors.provider(error.Code, `${action}: ${message}${hint}`, requestId, retryable, status, isTencentThrottleCode(error.Code));
    }
    if (status !== 200) {
      throw this.errors.provider(`HTTP${status}`, `${action}: HTTP ${status} without an error envelope`, requestId, isTransientStatus(status), status);
    }
    if (!requestId) throw this.errors.malformed(`${action}: Response.RequestId is missing`, undefined, text);
    return { response: envelope as T, requestId };
  }
}

/** The SDKs' default endpoint of a service (China site); the host resolves to the nearest access region. */
export const defaultEndpoint = (service: string): string => `https://${service}.tencentcloudapi.com`;
