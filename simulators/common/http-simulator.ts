import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { applyFault, FaultQueue, type FaultBase, type VendorFaults } from './faults';

export interface HttpSimulatorOptions {
  /** Server clock (epoch ms); defaults to Date.now. */
  now?: () => number;
  /** Milliseconds to wait before answering each request, e.g. a realistic network round trip. */
  latencyMs?: () => number;
}

/** What every simulator's request log holds, besides its own fields. */
export interface RecordedBase {
  /** Server clock, epoch ms. */
  time: number;
  /** `Success`, the error answered, or `fault:<kind>`. */
  outcome: string;
}

/**
 * What a documented rate limit counts by: the API, the endpoint host the
 * request reached and the caller (SecretId, key pair or IAM user), as each
 * source page's "What the rate limit is keyed on" says.
 */
export interface RateKey {
  api: string;
  host: string;
  principal: string;
}

/** Per rate-limit key: requests seen, the most in any 1 s window, and how many were throttled. */
export interface RateStats extends RateKey {
  requests: number;
  maxPerSecond: number;
  throttled: number;
}

/**
 * The scaffolding the vendor simulators share: a server on 127.0.0.1 at an
 * ephemeral port, an injectable clock, added latency, a request log, and
 * per-key 1 s windows for rate limits. Vendors implement `serve`: auth and envelopes.
 */
export abstract class HttpSimulator<R extends RecordedBase> {
  readonly requests: R[] = [];
  private readonly rates = new Map<string, { times: number[]; stats: RateStats }>();
  private now: () => number;
  private server?: Server;
  private port = 0;

  protected constructor(
    private readonly timing: HttpSimulatorOptions,
    /** What faults, rate limits and `requestsFor` go by: the action or the route. */
    private readonly keyOf: (request: R) => string,
  ) {
    this.now = timing.now ?? Date.now;
  }

  /** Construct and listen, e.g. `AcmeApiServer.start(options)`. */
  static async start<S extends { listen(): Promise<void> }, A extends unknown[]>(this: new (...args: A) => S, ...args: A): Promise<S> {
    const server = new this(...args);
    await server.listen();
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Simulate "now" (epoch ms) for signature expiry, windows and rate limits. */
  setNow(now: () => number): void {
    this.now = now;
  }

  currentTime(): number {
    return this.now();
  }

  /** Requests received for an action (or route). */
  requestsFor(key: string): R[] {
    return this.requests.filter((request) => this.keyOf(request) === key);
  }

  async listen(): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch(() => res.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Answer one request, its body read and the latency waited. */
  protected abstract serve(req: IncomingMessage, res: ServerResponse, rawBody: string): Promise<void>;

  /** Add a request to the log (before answering it, so rate limits count it). */
  protected recordRequest(record: R): R {
    this.requests.push(record);
    return record;
  }

  /**
   * Count a request against its rate-limit key at `time` and tell whether it is
   * over `limit` (answer the throttling error then). Requests in (time − 1 s,
   * time] count, throttled ones included, as the providers count arrivals.
   * Without a limit the request is only counted, for `rateStats`.
   */
  protected countRate(key: RateKey, time: number, limit?: number): { over: boolean; inSecond: number } {
    const id = `${key.api} ${key.host} ${key.principal}`;
    let window = this.rates.get(id);
    if (!window) {
      window = { times: [], stats: { ...key, requests: 0, maxPerSecond: 0, throttled: 0 } };
      this.rates.set(id, window);
    }
    window.times = window.times.filter((t) => t > time - 1000);
    const inSecond = window.times.filter((t) => t <= time).length + 1;
    window.times.push(time);
    const { stats } = window;
    stats.requests += 1;
    stats.maxPerSecond = Math.max(stats.maxPerSecond, inSecond);
    const over = limit !== undefined && inSecond > limit;
    if (over) stats.throttled += 1;
    return { over, inSecond };
  }

  /** Per rate-limit key (API + endpoint host + caller): requests, the most in any 1 s, throttled. */
  rateStats(): RateStats[] {
    return [...this.rates.values()].map(({ stats }) => ({ ...stats }));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const latency = this.timing.latencyMs?.() ?? 0;
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    await this.serve(req, res, rawBody);
  }
}

/** An RPC-style API (an `Action` named in each request): the log, faults and handlers all go by action name. */
export abstract class ActionApiSimulator<
  O extends HttpSimulatorOptions,
  R extends RecordedBase & { action: string },
  F extends FaultBase & { action?: string },
  Registration,
> extends HttpSimulator<R> {
  /** Push faults here; each applies to the next matching request(s). */
  readonly faults = new FaultQueue<F>('action');
  protected readonly actions = new Map<string, Registration>();

  constructor(protected readonly options: O) {
    super(options, (request) => request.action);
  }

  register(action: string, registration: Registration): void {
    this.actions.set(action, registration);
  }
}

export interface ReplyOptions {
  /** Sent with every answer, e.g. the vendor's request-id header. */
  headers?: Record<string, string>;
  /** Told the status of each answer actually sent. */
  onSend?: (status: number) => void;
}

/** One request's answer: cut short after a `truncated` fault, its outcome kept in the log. */
export class Reply {
  private truncate = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly record: RecordedBase,
    private readonly options: ReplyOptions = {},
  ) {}

  readonly send = (status: number, body: string, contentType = 'application/json', headers?: Record<string, string>): void => {
    if (this.res.destroyed) return;
    this.options.onSend?.(status);
    // A complete HTTP message whose JSON stops halfway, as a broken proxy might send.
    if (this.truncate) body = body.slice(0, Math.floor(body.length / 2));
    this.res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), ...this.options.headers, ...headers });
    this.res.end(body);
  };

  /** Log `outcome` (`Success` or the error answered), unless the answer is being cut short. */
  outcome(outcome: string): void {
    this.record.outcome = this.truncate ? 'fault:truncated' : outcome;
  }

  /** Act out `fault`, if any; true when it answered (or dropped) the request. */
  async fault<F extends FaultBase, E extends unknown[]>(
    fault: F | undefined,
    fail: (...args: E) => void,
    vendor: VendorFaults<F, E>,
  ): Promise<boolean> {
    if (!fault) return false;
    if (await applyFault(fault, this.req, this.res, this.send, fail, vendor)) {
      this.record.outcome = `fault:${fault.kind}`;
      return true;
    }
    this.truncate = fault.kind === 'truncated';
    return false;
  }
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
