import { ProviderError } from '../../lib/errors';
import { silentLog, type Log } from '../../lib/logger';
import { isTransientStatus, readJsonBody, RedactingErrors, Transport, withScheme, type HttpAnswer, type RetryCount, type RetryTuning, type TransportOptions } from '../http';
import { signParams, type UCloudKeys } from './signature';

const PROVIDER = 'ucloud';

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

export type UCloudRetryOptions = RetryTuning;

/** With `requestsPerSecond`, `clock`, `timeoutMs` and `retry` from TransportOptions. */
export interface UCloudClientOptions extends TransportOptions {
  /** Full URL; default https://api.ucloud.cn (international accounts: https://api.ucloud-global.com). */
  endpoint?: string;
  credentials: UCloudKeys;
  log?: Log;
  /** More values that must never reach an error or a log (e.g. the ProjectId). */
  redact?: string[];
}

export interface UCloudResult<T> {
  /** The whole response body (RetCode 0). */
  response: T;
  /** From the X-UCloud-Request-UUID header; absent when the gateway sent none. */
  requestId?: string;
  /** The retries the call took. */
  retries: RetryCount;
}

const DEFAULT_RETRY: UCloudRetryOptions = { attempts: 4, baseDelayMs: 250, maxDelayMs: 5_000 };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A UCloud API client: signed form POSTs, paced, retried, with typed errors. */
export class UCloudClient {
  private readonly url: URL;
  private readonly http: Transport;
  private readonly log: Log;
  // ES private fields: util.inspect and JSON.stringify of the client never show them.
  readonly #keys: UCloudKeys;
  /** Builds this client's errors with its credentials removed; sources use it for the pages they refuse. */
  readonly errors: RedactingErrors;

  constructor({ credentials, redact = [], ...options }: UCloudClientOptions) {
    this.#keys = { ...credentials };
    const secrets = [credentials.privateKey, credentials.publicKey, ...redact].filter((s) => s.length >= 4);
    this.errors = new RedactingErrors(PROVIDER, () => secrets);
    this.url = new URL(withScheme(options.endpoint ?? UCLOUD_ENDPOINT));
    this.http = new Transport(options, DEFAULT_RETRY);
    this.log = options.log ?? silentLog;
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
    const { result, retries } = await this.http.run(
      async (attempt) => {
        this.log.debug('ucloud request', { action, attempt });
        return this.attempt<T>(action, body, signal);
      },
      signal,
      ({ code, requestId }, attempt, delayMs) => this.log.warn('ucloud request failed; retrying', { action, code, requestId, attempt, delayMs }),
    );
    return { ...result, retries };
  }

  private async attempt<T>(action: string, body: string, callerSignal?: AbortSignal): Promise<Omit<UCloudResult<T>, 'retries'>> {
    const answer = await this.http.fetch(
      this.url,
      { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'User-Agent': 'cloudtap' }, body },
      callerSignal,
      (code, detail) => this.providerError(code, `${action}: ${detail}`, undefined, true),
    );
    return this.interpret<T>(action, answer);
  }

  private interpret<T>(action: string, answer: HttpAnswer): Omit<UCloudResult<T>, 'retries'> {
    const { status, text } = answer;
    const requestId = answer.headers.get(REQUEST_ID_HEADER) || undefined;
    const body = readJsonBody(answer, { what: action, requestId, errors: this.errors });
    const retCode = isObject(body) ? body.RetCode : undefined;
    if (typeof retCode !== 'number' || !Number.isInteger(retCode)) {
      if (isTransientStatus(status)) throw this.providerError(`HTTP${status}`, `${action}: HTTP ${status}`, requestId, true, status);
      throw this.errors.malformed(`${action}: body has no integer "RetCode" (HTTP ${status})`, requestId, text);
    }
    if (retCode !== 0) {
      const message = isObject(body) && typeof body.Message === 'string' ? body.Message : '';
      const retryable = isRetryableUCloudRetCode(retCode) || isTransientStatus(status);
      throw this.providerError(String(retCode), `${action}: ${message || 'no message'}`, requestId, retryable, status, retCode === UCLOUD_RET_CODES.throttled);
    }
    if (status !== 200) {
      throw this.providerError(`HTTP${status}`, `${action}: HTTP ${status} with RetCode 0`, requestId, isTransientStatus(status), status);
    }
    return { response: body as T, requestId };
  }

  // Unlike the other clients', the code (a RetCode or HTTP status) is not scrubbed.
  private providerError(code: string, message: string, requestId: string | undefined, retryable: boolean, status?: number, throttled = false) {
    return new ProviderError(PROVIDER, code, this.errors.scrub(message), requestId, retryable, status, throttled);
  }
}
