import { gatewayPage, type FaultBase, type VendorFaults } from '../common/faults';

export { FaultQueue } from '../common/faults';

/**
 * Faults the Alibaba simulator injects into the next matching requests.
 *
 * - `throttle`: HTTP 400 `Throttling.User` "Request was denied due to user flow control."
 * - `internal`: HTTP 500 `InternalError`
 * - `unavailable`: HTTP 503 `ServiceUnavailable`
 * - `error`: `status` / `code` / `message` of your choice
 * - `http500`: HTTP `status` (default 500) with a plain-text body
 * - `malformed`: HTTP 200 with an HTML body (a gateway page, not JSON)
 * - `truncated`: the normal answer cut in half, as a complete HTTP message
 * - `slow`: wait `delayMs` (default 1000), then answer normally
 * - `reset`: destroy the socket without answering
 */
export type FaultKind = 'throttle' | 'internal' | 'unavailable' | 'error' | 'http500' | 'malformed' | 'truncated' | 'slow' | 'reset';

export interface Fault extends FaultBase {
  kind: FaultKind;
  /** Only requests for this action; any action when absent. */
  action?: string;
  code?: string;
  message?: string;
}

export type Fail = (status: number, code: string, message: string) => void;

/** Alibaba's error body (`fail(status, code, message)`) for the kinds that carry one. */
export const ALIBABA_FAULTS: VendorFaults<Fault, Parameters<Fail>> = {
  malformedPage: gatewayPage('502 Bad Gateway', 'Tengine'),
  errors: {
    throttle: () => [400, 'Throttling.User', 'Request was denied due to user flow control.'],
    internal: () => [500, 'InternalError', 'The request processing has failed due to some unknown error, exception or failure.'],
    unavailable: () => [503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.'],
    error: (fault) => [fault.status ?? 400, fault.code ?? 'InvalidParameter', fault.message ?? 'The specified parameter is not valid.'],
  },
};
