import type { ProviderError } from '../../lib/errors';
import { RedactingErrors } from '../http';

export { describeFetchError } from '../http';

/** `cloud.provider` and the provider name on every error. */
export const HUAWEI_PROVIDER = 'huaweicloud';

/**
 * Throttling, from API Gateway (`APIGW.0308`; some service documents spell
 * it `APIG.0308`): "The throttling threshold has been reached".
 */
export const THROTTLE_CODES: ReadonlySet<string> = new Set(['APIGW.0308', 'APIG.0308']);

/** Worth another attempt: throttling and server-side faults. Auth, parameter and permission errors are not. */
export function isRetryableHuaweiError(status: number, code: string): boolean {
  return status === 429 || status >= 500 || THROTTLE_CODES.has(code);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;

export interface ErrorEnvelope {
  code?: string;
  message?: string;
  requestId?: string;
}

/**
 * The error of a 4xx/5xx body, in any of the shapes Huawei services use:
 * `{error_code, error_msg, request_id}` (API Gateway, most services),
 * `{error: {code, message}}` (IAM/Keystone) and `{error: {error_code, error_msg}}` (newer DBSS documents).
 */
export function errorEnvelope(body: unknown): ErrorEnvelope {
  if (!isObject(body)) return {};
  const nested = isObject(body.error) ? body.error : {};
  return {
    code: str(body.error_code) ?? str(nested.error_code) ?? str(nested.code),
    message: str(body.error_msg) ?? str(nested.error_msg) ?? str(nested.message) ?? str(nested.title),
    requestId: str(body.request_id) ?? str(nested.request_id),
  };
}

/** Builds errors with every known secret removed, in case a service echoes one back. */
export class ErrorFactory extends RedactingErrors {
  constructor(secrets: () => (string | undefined)[]) {
    super(HUAWEI_PROVIDER, secrets);
  }

  /** The ProviderError for a non-2xx answer, whatever its body; `retryable` overrides the classification. */
  fromHttpError(what: string, status: number, text: string, headerRequestId: string | undefined, retryable?: boolean): ProviderError {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const envelope = errorEnvelope(body);
    const code = envelope.code ?? `HTTP${status}`;
    let message = envelope.message ?? `HTTP ${status}${body === undefined && text ? ' with a non-JSON body' : ''}`;
    // API Gateway's "signature expired" names no cause; it is the X-Sdk-Date, i.e. this machine's clock.
    if (/signature expired/i.test(message)) message += ' (X-Sdk-Date comes from the local clock, which must be within 15 minutes of Huawei Cloud\'s: check its time sync)';
    const requestId = headerRequestId ?? envelope.requestId;
    return this.provider(code, `${what}: ${message}`, requestId, retryable ?? isRetryableHuaweiError(status, code), status, THROTTLE_CODES.has(code));
  }
}
