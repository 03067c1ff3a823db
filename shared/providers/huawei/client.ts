import { ProviderError } from '../../lib/errors';
import { silentLog, type Log } from '../../lib/logger';
import { readJsonBody, Transport, withScheme, type RetryCount, type RetryTuning, type TransportOptions } from '../http';
import { ErrorFactory } from './errors';
import type { IamTokenProvider } from './iam-token';
import { buildSignedHeaders, JSON_CONTENT_TYPE, type AkSkCredentials } from './signer';

export { isRetryableHuaweiError, THROTTLE_CODES } from './errors';

export type HuaweiClientAuth = { mode: 'aksk'; credentials: AkSkCredentials } | { mode: 'token'; tokens: IamTokenProvider };

export type HuaweiRetryOptions = RetryTuning;

/** With `requestsPerSecond`, `clock`, `timeoutMs` and `retry` from TransportOptions. */
export interface HuaweiClientOptions extends TransportOptions {
  /** For logs, e.g. `dbss`. */
  service: string;
  /** Base URL: https://dbss.{region}.myhuaweicloud.com, or a simulator's http://127.0.0.1:PORT. */
  endpoint: string;
  /** Sent as X-Project-Id on signed requests, as the official SDK does. */
  projectId?: string;
  auth: HuaweiClientAuth;
  log?: Log;
}

export interface HuaweiResult<T> {
  body: T;
  /** The X-Request-Id response header. */
  requestId?: string;
  status: number;
  /** The retries the request took (an IAM token fetch failing within an attempt included). */
  retries: RetryCount;
}

// Throttling asks for a pause of seconds ("retry after 2 to 5 seconds"), hence the larger ceiling.
const DEFAULT_RETRY: HuaweiRetryOptions = { attempts: 5, baseDelayMs: 500, maxDelayMs: 8_000 };

/**
 * A Huawei Cloud REST client: JSON requests signed with AK/SK or carrying an
 * IAM token, paced, retried on throttling (APIGW.0308 / HTTP 429), 5xx and
 * network faults, with typed errors naming the X-Request-Id.
 */
export class HuaweiClient {
  private readonly base: URL;
  private readonly http: Transport;
  private readonly log: Log;
  private readonly service: string;
  private readonly projectId?: string;
  // ES private: util.inspect and JSON.stringify never show credentials.
  readonly #auth: HuaweiClientAuth;
  /** Builds this client's errors with its credentials removed; sources use it for the pages they refuse. */
  readonly errors: ErrorFactory;

  constructor({ auth, ...options }: HuaweiClientOptions) {
    this.#auth = auth.mode === 'aksk' ? { mode: 'aksk', credentials: { ...auth.credentials } } : auth;
    // The key id too: a service quoting the request back must not put any credential into an error or a log.
    this.errors = new ErrorFactory(() =>
      this.#auth.mode === 'aksk'
        ? [this.#auth.credentials.accessKeyId, this.#auth.credentials.secretAccessKey, this.#auth.credentials.securityToken]
        : this.#auth.tokens.knownSecrets(),
    );
    this.base = new URL(withScheme(options.endpoint));
    this.service = options.service;
    this.projectId = options.projectId;
    this.http = new Transport(options, DEFAULT_RETRY);
    this.log = options.log ?? silentLog;
  }

  /** Send `body` as JSON to `path` (absolute, e.g. /v1/{project}/...); resolves with the parsed 2xx body. */
  async request<T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown, options: { signal?: AbortSignal } = {}): Promise<HuaweiResult<T>> {
    if (this.#auth.mode === 'aksk' && (!this.#auth.credentials.accessKeyId || !this.#auth.credentials.secretAccessKey)) {
      throw new ProviderError('huaweicloud', 'MissingCredentials', `${method} ${path}: accessKeyId and secretAccessKey are required`, undefined, false);
    }
    const url = new URL(path, this.base);
    const payload = body === undefined ? '' : JSON.stringify(body);
    const { signal } = options;
    const what = `${this.service} ${method} ${url.pathname}`;
    // A rejected token is renewed once per call; a second 401 is a real auth failure.
    let tokenRenewed = false;
    const { result, retries } = await this.http.run(
      async (attempt) => {
        this.log.debug('huaweicloud request', { service: this.service, method, path: url.pathname, attempt });
        const headers = await this.headers(method, url, payload, signal);
        const renewOn401 = this.#auth.mode === 'token' && !tokenRenewed;
        try {
          return await this.attempt<T>(what, method, url, headers, payload, renewOn401, signal);
        } catch (error) {
          if (error instanceof ProviderError && error.httpStatus === 401 && this.#auth.mode === 'token') {
            this.#auth.tokens.invalidate(headers['X-Auth-Token']!);
            tokenRenewed = true;
          }
          throw error;
        }
      },
      signal,
      ({ code, requestId, httpStatus }, attempt, delayMs) => {
        this.log.warn('huaweicloud request failed; retrying', { service: this.service, path: url.pathname, code, httpStatus, requestId, attempt, delayMs });
      },
    );
    return { ...result, retries };
  }

  private async headers(method: string, url: URL, payload: string, signal?: AbortSignal): Promise<Record<string, string>> {
    if (this.#auth.mode === 'token') {
      return { 'Content-Type': JSON_CONTENT_TYPE, 'X-Auth-Token': await this.#auth.tokens.token(signal) };
    }
    const headers = buildSignedHeaders({
      credentials: this.#auth.credentials,
      method,
      url,
      body: payload,
      now: this.http.clock.now(),
      projectId: this.projectId,
    });
    // fetch derives Host from the URL (the signed value) and refuses to set it.
    delete headers.Host;
    return headers;
  }

  private async attempt<T>(
    what: string,
    method: string,
    url: URL,
    headers: Record<string, string>,
    payload: string,
    /** Token mode: a 401 means an expired or revoked token, worth one retry with a new one. */
    renewOn401: boolean,
    callerSignal?: AbortSignal,
  ): Promise<Omit<HuaweiResult<T>, 'retries'>> {
    const answer = await this.http.fetch(
      url,
      { method, headers, body: method === 'GET' ? undefined : payload },
      callerSignal,
      (code, detail) => this.errors.provider(code, `${what}: ${detail}`, undefined, true),
    );
    const { status, text } = answer;
    const requestId = answer.headers.get('x-request-id') ?? undefined;
    if (status < 200 || status > 299) {
      throw this.errors.fromHttpError(what, status, text, requestId, status === 401 && renewOn401 ? true : undefined);
    }
    return { body: readJsonBody(answer, { what, requestId, errors: this.errors }) as T, requestId, status };
  }
}
