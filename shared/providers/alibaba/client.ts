import { ProviderError } from '../../lib/errors';
import { silentLog, type Log } from '../../lib/logger';
import { isTransientStatus, readJsonBody, RedactingErrors, Transport, withScheme, type HttpAnswer, type RetryCount, type RetryTuning, type TransportOptions } from '../http';
import { canonicalQueryString, flattenParams, newNonce, signRpcRequest } from './signer';

const PROVIDER = 'alibabacloud';

export interface AlibabaCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  /** STS security token of temporary credentials. */
  securityToken?: string;
}

/** With `requestsPerSecond` (the API's documented rate), `clock`, `timeoutMs`, `retry` and `pacer` from TransportOptions. */
export interface AlibabaClientOptions extends TransportOptions {
  /** The API version, e.g. `2020-07-06` (x-acs-version). */
  version: string;
  /** `https://actiontrail.cn-hangzhou.aliyuncs.com`, or a simulator's http://127.0.0.1:PORT. */
  endpoint: string;
  credentials: AlibabaCredentials;
  log?: Log;
  /** For deterministic tests; a fresh random nonce per attempt otherwise. */
  nonce?: () => string;
}

export interface AlibabaResult<T> {
  /** The JSON body of the answer (RequestId included). */
  body: T;
  requestId: string;
  retries: RetryCount;
}

const DEFAULT_RETRY: RetryTuning = { attempts: 4, baseDelayMs: 500, maxDelayMs: 8_000 };

/**
 * Throttling: `Throttling`, `Throttling.User`, `Throttling.Api`, ... (the
 * gateway's flow-control codes, answered with HTTP 400 or 429 depending on
 * the product), see docs/sources/alibaba-actiontrail.md.
 */
export const isAlibabaThrottleCode = (code: string): boolean => /^Throttling(\.|$)/.test(code);

/** Transient by definition: throttling, the gateway's ServiceUnavailable, InternalError. */
export const isRetryableAlibabaCode = (code: string): boolean =>
  isAlibabaThrottleCode(code) || /^(ServiceUnavailable|InternalError)(\.|$)/.test(code);

/** The usual cause of these is this machine's clock or a reused nonce, not the key: say so. */
const HINTS: Record<string, string> = {
  'InvalidTimeStamp.Expired': " (requests are signed with the local clock, which must agree with Alibaba Cloud's: check its time sync)",
  SignatureDoesNotMatch: ' (check the AccessKey secret; the request was signed as ACS3-HMAC-SHA256)',
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The request id from a body that did not parse (cut after it): only the
 * envelope's own, its first member; events quote the RequestId of the calls they record.
 */
const requestIdIn = (text: string): string | undefined => /^\s*\{\s*"RequestId"\s*:\s*"([^"\\]{1,100})"/.exec(text)?.[1];

/**
 * An Alibaba Cloud RPC-style OpenAPI client: `POST /?{parameters}` with an
 * empty body, signed ACS3-HMAC-SHA256, paced, retried on throttling, 5xx and
 * network faults, errors naming the RequestId.
 */
export class AlibabaClient {
  private readonly base: URL;
  private readonly http: Transport;
  private readonly log: Log;
  private readonly version: string;
  private readonly nonce: () => string;
  // ES private: util.inspect and JSON.stringify never show credentials.
  readonly #credentials: AlibabaCredentials;
  /** Builds this client's errors with its credentials removed; sources use it for the pages they refuse. */
  readonly errors: RedactingErrors;

  constructor({ credentials, ...options }: AlibabaClientOptions) {
    this.#credentials = { ...credentials };
    // The key id too: a gateway quoting the request back must not put any credential into an error or a log.
    const secrets = [credentials.accessKeyId, credentials.accessKeySecret, credentials.securityToken];
    this.errors = new RedactingErrors(PROVIDER, () => secrets);
    this.base = new URL('/', withScheme(options.endpoint));
    this.version = options.version;
    this.nonce = options.nonce ?? newNonce;
    this.http = new Transport(options, DEFAULT_RETRY);
    this.log = options.log ?? silentLog;
  }

  /** Call `action` with `params` (lists and objects flattened to `Name.1.Field`). */
  async call<T = Record<string, unknown>>(action: string, params: Record<string, unknown>, options: { signal?: AbortSignal } = {}): Promise<AlibabaResult<T>> {
    const { accessKeyId, accessKeySecret } = this.#credentials;
    if (!accessKeyId || !accessKeySecret) {
      throw new ProviderError(PROVIDER, 'MissingCredentials', `${action}: accessKeyId and accessKeySecret are required`, undefined, false);
    }
    const query = flattenParams(params);
    const { signal } = options;
    const { result, retries } = await this.http.run(
      (attempt) => {
        this.log.debug('alibabacloud request', { action, attempt });
        return this.attempt<T>(action, query, signal);
      },
      signal,
      ({ code, requestId }, attempt, delayMs) => this.log.warn('alibabacloud request failed; retrying', { action, code, requestId, attempt, delayMs }),
    );
    return { ...result, retries };
  }

  private async attempt<T>(action: string, query: Record<string, string>, signal?: AbortSignal): Promise<Omit<AlibabaResult<T>, 'retries'>> {
    const url = new URL(this.base);
    url.search = canonicalQueryString(query);
    // A fresh date and nonce per attempt: the gateway refuses a nonce it has already seen.
    const headers = signRpcRequest({ ...this.#credentials, host: url.host, action, version: this.version, query, now: this.http.clock.now(), nonce: this.nonce() });
    // fetch derives Host from the URL (the signed value) and refuses to set it.
    delete headers.host;
    const answer = await this.http.fetch(url, { method: 'POST', headers }, signal, (code, detail) => this.errors.provider(code, `${action}: ${detail}`, undefined, true));
    return this.interpret<T>(action, answer);
  }

  private interpret<T>(action: string, answer: HttpAnswer): Omit<AlibabaResult<T>, 'retries'> {
    const { status, text } = answer;
    const headerRequestId = answer.headers.get('x-acs-request-id') ?? undefined;
    // The header when the gateway sent it; the body's own only when not.
    const body = readJsonBody(answer, { what: action, requestId: headerRequestId, requestIdInText: headerRequestId ? undefined : requestIdIn, errors: this.errors });
    const requestId = isObject(body) && typeof body.RequestId === 'string' ? body.RequestId : headerRequestId;
    if (!isObject(body)) throw this.errors.malformed(`${action}: body is not a JSON object (HTTP ${status})`, requestId, text);
    if (typeof body.Code === 'string' && status !== 200) {
      const message = typeof body.Message === 'string' ? body.Message : '';
      const retryable = isRetryableAlibabaCode(body.Code) || isTransientStatus(status);
      throw this.errors.provider(body.Code, `${action}: ${message}${HINTS[body.Code] ?? ''}`, requestId, retryable, status, isAlibabaThrottleCode(body.Code));
    }
    if (status !== 200) throw this.errors.provider(`HTTP${status}`, `${action}: HTTP ${status} without an error code`, requestId, isTransientStatus(status), status);
    if (!requestId) throw this.errors.malformed(`${action}: RequestId is missing`, undefined, text);
    return { body: body as T, requestId };
  }
}
