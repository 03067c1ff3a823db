import { gatewayPage, type FaultBase, type VendorFaults } from '../common/faults';

export { FaultQueue } from '../common/faults';

/**
 * Faults the Huawei simulator injects into the next matching requests.
 *
 * - `throttle`: HTTP 429 `APIGW.0308` "The throttling threshold has been reached"
 * - `internal`: HTTP 500 `DBSS.11000000`
 * - `error`: `status` / `code` / `message` of your choice
 * - `unauthorized`: HTTP 401 `APIGW.0301` "token expires" (a token revoked mid-run)
 * - `http`: HTTP `status` (default 502) with an HTML gateway page
 * - `malformed`: HTTP 200 with an HTML body
 * - `truncated`: the normal answer cut in half, as a complete HTTP message
 * - `slow`: wait `delayMs` (default 1000), then answer normally
 * - `reset`: destroy the socket without answering
 */
export type FaultKind = 'throttle' | 'internal' | 'error' | 'unauthorized' | 'http' | 'malformed' | 'truncated' | 'slow' | 'reset';

export interface Fault extends FaultBase {
  kind: FaultKind;
  /** Only requests to this route (e.g. `dbss.operation-log`, `iam.tokens`); any route when absent. */
  route?: string;
  code?: string;
  message?: string;
}

export type SendError = (status: number, code: string, message: string) => void;

/** Huawei's error body (`sendError(status, code, message)`) for the kinds that carry one. */
export const HUAWEI_FAULTS: VendorFaults<Fault, Parameters<SendError>> = {
  malformedPage: gatewayPage('Service Unavailable', 'apig'),
  errors: {
    throttle: () => [429, 'APIGW.0308', 'The throttling threshold has been reached: policy user over ratelimit,limit:5,time:1 second'],
    internal: () => [500, 'DBSS.11000000', 'Internal system exception. Contact technical support engineers'],
    error: (fault) => [fault.status ?? 400, fault.code ?? 'DBSS.10000001', fault.message ?? 'Enter a valid request message'],
    unauthorized: () => [401, 'APIGW.0301', 'Incorrect IAM authentication information: token expires, expires_at: 2000-01-01T00:00:00.000000Z'],
  },
  pages: { http: (fault) => [fault.status ?? 502, gatewayPage('502 Bad Gateway', 'nginx'), 'text/html'] },
};
