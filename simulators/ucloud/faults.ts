import type { IncomingMessage, ServerResponse } from 'node:http';

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

export interface Fault {
  kind: FaultKind;
  /** How many matching requests it hits; default 1. */
  times?: number;
  /** Only requests for this Action; any action when absent. */
  action?: string;
  delayMs?: number;
  status?: number;
  retCode?: number;
  message?: string;
}

/** A FIFO of faults; the first one matching a request is applied and counted down. */
export class FaultQueue {
  private readonly queue: { fault: Fault; left: number }[] = [];

  push(...faults: Fault[]): void {
    for (const fault of faults) this.queue.push({ fault, left: fault.times ?? 1 });
  }

  get pending(): Fault[] {
    return this.queue.map((entry) => entry.fault);
  }

  clear(): void {
    this.queue.length = 0;
  }

  take(action: string): Fault | undefined {
    const index = this.queue.findIndex((entry) => entry.fault.action === undefined || entry.fault.action === action);
    if (index < 0) return undefined;
    const entry = this.queue[index]!;
    entry.left -= 1;
    if (entry.left <= 0) this.queue.splice(index, 1);
    return entry.fault;
  }
}

/** Act out a fault; true when the request is answered (or dropped) by it. */
export async function applyFault(
  fault: Fault,
  req: IncomingMessage,
  res: ServerResponse,
  send: (status: number, body: string, contentType?: string) => void,
  fail: (retCode: number, message: string) => void,
): Promise<boolean> {
  switch (fault.kind) {
    case 'throttle':
      fail(153, 'API request is rate limited');
      return true;
    case 'unavailable':
      fail(150, 'Service Temporarily Unavailable');
      return true;
    case 'error':
      fail(fault.retCode ?? 230, fault.message ?? 'Params [Simulated] not available');
      return true;
    case 'malformed':
      send(200, '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>', 'text/html');
      return true;
    case 'http500':
      send(fault.status ?? 500, 'Internal Server Error', 'text/plain');
      return true;
    case 'reset':
      req.socket.destroy();
      return true;
    case 'slow':
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 1_000));
      return res.destroyed;
    case 'truncated':
      return false;
  }
}
