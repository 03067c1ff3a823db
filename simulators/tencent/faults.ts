import type { IncomingMessage, ServerResponse } from 'node:http';

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

export interface Fault {
  kind: FaultKind;
  /** How many matching requests it hits; default 1. */
  times?: number;
  /** Only requests for this action; any action when absent. */
  action?: string;
  /** For `slow`. */
  delayMs?: number;
  /** For `http500`, e.g. 502, 503 or 429. */
  status?: number;
  /** For `error`. */
  code?: string;
  message?: string;
}

/** A FIFO of faults; the first one matching a request is applied and counted down. */
export class FaultQueue {
  private readonly queue: { fault: Fault; left: number }[] = [];

  push(...faults: Fault[]): void {
    for (const fault of faults) this.queue.push({ fault, left: fault.times ?? 1 });
  }

  /** Faults not yet used up. */
  get pending(): Fault[] {
    return this.queue.map((entry) => entry.fault);
  }

  clear(): void {
    this.queue.length = 0;
  }

  /** The fault for the next request to `action`, if any (consumes one use). */
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
  fail: (code: string, message: string) => void,
): Promise<boolean> {
  switch (fault.kind) {
    case 'throttle':
      fail('RequestLimitExceeded', 'Your current request times exceeds the frequency limit for a second. Please reduce the frequency of calls.');
      return true;
    case 'internal':
      fail('InternalError', 'An internal error has occurred. Retry your request.');
      return true;
    case 'error':
      fail(fault.code ?? 'FailedOperation', fault.message ?? 'The operation failed.');
      return true;
    case 'malformed':
      send(200, '<html><head><title>502 Bad Gateway</title></head><body>stgw</body></html>', 'text/html');
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
