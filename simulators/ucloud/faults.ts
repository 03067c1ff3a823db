import { gatewayPage, type FaultBase, type VendorFaults } from '../common/faults';

export { FaultQueue } from '../common/faults';

/**
 * Faults the UCloud simulator injects, on demand, into the next matching requests.
 *
 * - `throttle`: RetCode 153 ("API 请求被限流")
 * - `unavailable`: RetCode 150 (service unavailable for now)
 * - `error`: a RetCode / Message of your choice
 * - `slow`: wait `delayMs` (default 1000), then answer normally
 * - `malformed`: HTTP 200 with an HTML body (a gateway page, not JSON)
 * - `truncated`: the normal answer cut in half, as a complete HTTP message
 * - `http500`: HTTP `status` (default 500) with a plain-text body
 * - `reset`: destroy the socket without answering
 */
export type FaultKind = 'throttle' | 'unavailable' | 'error' | 'slow' | 'malformed' | 'truncated' | 'http500' | 'reset';

export interface Fault extends FaultBase {
  kind: FaultKind;
  /** Only requests for this Action; any action when absent. */
  action?: string;
  retCode?: number;
  message?: string;
}

/** UCloud's envelope (`fail(retCode, message)`) for the kinds that carry one. */
export const UCLOUD_FAULTS: VendorFaults<Fault, [retCode: number, message: string]> = {
  malformedPage: gatewayPage('502 Bad Gateway', 'nginx'),
  errors: {
    throttle: () => [153, 'API request is rate limited'],
    unavailable: () => [150, 'Service Temporarily Unavailable'],
    error: (fault) => [fault.retCode ?? 230, fault.message ?? 'Params [Simulated] not available'],
  },
};
