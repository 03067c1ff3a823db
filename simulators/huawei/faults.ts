import type { IncomingMessage, ServerResponse } from 'node:http';

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

export interface Fault {
  kind: FaultKind;
  /** How many matching requests it hits; default 1. */
  times?: number;
  /** Only requests to this route (e.g. `dbss.operation-log`, `iam.tokens`); any route when absent. */
  route?: string;
  delayMs?: number;
  status?: number;
  code?: string;
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

  take(route: string): Fault | undefined {
    const index = this.queue.findIndex((entry) => entry.fault.route === undefined || entry.fault.route === route);
    if (index < 0) return undefined;
    const entry = this.queue[index]!;
    entry.left -= 1;
    if (entry.left <= 0) this.queue.splice(index, 1);
    return entry.fault;
  }
}

export type SendError = (status: number, code: string, message: string) => void;

/** Act out a fault; true when the request is answered (or dropped) by it. */
export async function applyFault(
  fault: Fault,
  req: IncomingMessage,
  res: ServerResponse,
  sendRaw: (status: number, body: string, contentType: string) => void,
  sendError: SendError,
): Promise<boolean> {
  switch (fault.kind) {
    case 'throttle':
      sendError(429, 'APIGW.0308', 'The throttling threshold has been reached: policy user over ratelimit,limit:5,time:1 second');
      return true;
    case 'internal':
      sendError(500, 'DBSS.11000000', 'Internal system exception. Contact technical support engineers');
      return true;
    case 'error':
      sendError(fault.status ?? 400, fault.code ?? 'DBSS.10000001', fault.message ?? 'Enter a valid request message');
      return true;
    case 'unauthorized':
      sendError(401, 'APIGW.0301', 'Incorrect IAM authentication information: token expires, expires_at: 2000-01-01T00:00:00.000000Z');
      return true;
    case 'http':
      sendRaw(fault.status ?? 502, '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>', 'text/html');
      return true;
    case 'malformed':
      sendRaw(200, '<html><head><title>Service Unavailable</title></head><body>apig</body></html>', 'text/html');
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
