import { gatewayPage, type FaultBase, type VendorFaults } from '../common/faults';

export { FaultQueue } from '../common/faults';

/**
 * Faults the simulator can inject, on demand, into the next matching requests.
 *
 * - `throttle`: `RequestLimitExceeded` envelope
 * - `internal`: `InternalError` envelope
 * - `error`: an envelope with `code` / `message` of your choice
 * - `slow`: wait `delayMs` (default 1000), then answer normally
 * - `malformed`: HTTP 200 with an HTML body (a gateway page, not JSON)
 * - `truncated`: the normal answer cut in half, as a complete HTTP message
 * - `http500`: HTTP `status` (default 500) with a plain-text body
 * - `reset`: destroy the socket without answering
 */
export type FaultKind = 'throttle' | 'internal' | 'error' | 'slow' | 'malformed' | 'truncated' | 'http500' | 'reset';

export interface Fault extends FaultBase {
  kind: FaultKind;
  /** Only requests for this action; any action when absent. */
  action?: string;
  /** For `error`. */
  code?: string;
  message?: string;
}

/** Tencent's envelope (`fail(code, message)`) for the kinds that carry one. */
export const TENCENT_FAULTS: VendorFaults<Fault, [code: string, message: string]> = {
  malformedPage: gatewayPage('502 Bad Gateway', 'stgw'),
  errors: {
    throttle: () => ['RequestLimitExceeded', 'Your current request times exceeds the frequency limit for a second. Please reduce the frequency of calls.'],
    internal: () => ['InternalError', 'An internal error has occurred. Retry your request.'],
    error: (fault) => [fault.code ?? 'FailedOperation', fault.message ?? 'The operation failed.'],
  },
};
