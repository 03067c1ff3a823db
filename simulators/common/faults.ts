import type { IncomingMessage, ServerResponse } from 'node:http';

/** What every vendor's fault carries; each adds its kinds, its target field and its envelope's fields. */
export interface FaultBase {
  kind: string;
  /** How many matching requests it hits; default 1. */
  times?: number;
  /** For `slow`. */
  delayMs?: number;
  /** For raw HTTP answers such as `http500`, e.g. 502, 503 or 429. */
  status?: number;
}

/** A FIFO of faults; the first one matching a request is applied and counted down. */
export class FaultQueue<F extends FaultBase> {
  private readonly queue: { fault: F; left: number }[] = [];

  /** `target`: the fault field naming the requests it hits (`action`, `route`); absent, it hits any. */
  constructor(private readonly target: keyof F) {}

  push(...faults: F[]): void {
    for (const fault of faults) this.queue.push({ fault, left: fault.times ?? 1 });
  }

  /** Faults not yet used up. */
  get pending(): F[] {
    return this.queue.map((entry) => entry.fault);
  }

  clear(): void {
    this.queue.length = 0;
  }

  /** The fault for the next request to `target`, if any (consumes one use). */
  take(target: string): F | undefined {
    const index = this.queue.findIndex(({ fault }) => fault[this.target] === undefined || fault[this.target] === target);
    if (index < 0) return undefined;
    const entry = this.queue[index]!;
    entry.left -= 1;
    if (entry.left <= 0) this.queue.splice(index, 1);
    return entry.fault;
  }
}

export type Send = (status: number, body: string, contentType: string) => void;
export type Page = [status: number, body: string, contentType: string];

/** A small HTML error page, as a gateway or proxy in front of the API would send. */
export const gatewayPage = (title: string, server: string): string =>
  `<html><head><title>${title}</title></head><body>${server}</body></html>`;

/** The vendor's part of fault injection: its own pages and error envelopes. */
export interface VendorFaults<F extends FaultBase, E extends unknown[]> {
  /** Sent with HTTP 200 for `malformed`. */
  malformedPage: string;
  /** The vendor's error answer (the arguments of its `fail`) for each kind that carries its envelope. */
  errors: Partial<Record<F['kind'], (fault: F) => E>>;
  /** Kinds of the vendor's own answered with a raw page rather than its envelope. */
  pages?: Partial<Record<F['kind'], (fault: F) => Page>>;
}

/**
 * Act out a fault; true when the request is answered (or dropped) by it.
 * `truncated` answers false: the handler answers normally and the body is cut.
 */
export async function applyFault<F extends FaultBase, E extends unknown[]>(
  fault: F,
  req: IncomingMessage,
  res: ServerResponse,
  send: Send,
  fail: (...args: E) => void,
  vendor: VendorFaults<F, E>,
): Promise<boolean> {
  const kind: F['kind'] = fault.kind;
  const error = vendor.errors[kind];
  if (error) {
    fail(...error(fault));
    return true;
  }
  const page = vendor.pages?.[kind];
  if (page) {
    send(...page(fault));
    return true;
  }
  switch (kind) {
    case 'malformed':
      send(200, vendor.malformedPage, 'text/html');
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
    default:
      return false;
  }
}
