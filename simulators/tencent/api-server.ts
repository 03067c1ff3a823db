import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseJson, stringifyJson } from '../../shared/providers/tencent/json';
import { verifyTc3Request, type SimulatorCredential } from './auth';
import { FaultQueue, applyFault } from './faults';

export type { SimulatorCredential } from './auth';
export type { Fault, FaultKind } from './faults';

/**
 * A Tencent Cloud API 3.0 endpoint on 127.0.0.1: TC3 signature checks, the
 * real `{"Response": ...}` envelope, per-action handlers, fault injection,
 * optional rate limits, and a log of every request for assertions.
 */

/** Answer with `Response.Error` (HTTP 200, as the real API does). */
export class TencentApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ActionContext {
  action: string;
  version: string;
  region?: string;
  /** The JSON body; integers beyond 2^53 arrive as JsonInteger. */
  params: Record<string, unknown>;
  /** Server "now", epoch ms. */
  now: number;
  requestId: string;
  secretId: string;
}

/** Returns the Response fields (RequestId is added) or throws TencentApiError. */
export type ActionHandler = (context: ActionContext) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface ActionRegistration {
  version: string;
  handler: ActionHandler;
  /** Answer MissingParameter without X-TC-Region. */
  requireRegion?: boolean;
  /** Answer RequestLimitExceeded beyond this many requests in any 1 s. */
  rateLimitPerSecond?: number;
}

export interface RecordedRequest {
  action: string;
  version?: string;
  region?: string;
  /** Parsed body (undefined when it did not parse). */
  params: unknown;
  /** Server clock, epoch ms. */
  time: number;
  requestId: string;
  /** `Success`, the error code answered, or `fault:<kind>`. */
  outcome: string;
}

export interface TencentApiServerOptions {
  /** The product whose credential scope is accepted, e.g. `cloudaudit`. */
  service: string;
  credentials: SimulatorCredential[];
  /** Server clock (epoch ms); defaults to Date.now. */
  now?: () => number;
  /** Milliseconds to wait before answering each request, e.g. a realistic network round trip. */
  latencyMs?: () => number;
}

export class TencentApiServer {
  /** Push faults here; each applies to the next matching request(s). */
  readonly faults = new FaultQueue();
  readonly requests: RecordedRequest[] = [];
  private readonly actions = new Map<string, ActionRegistration>();
  private now: () => number;
  private server?: Server;
  private port = 0;

  constructor(private readonly options: TencentApiServerOptions) {
    this.now = options.now ?? Date.now;
  }

  static async start(options: TencentApiServerOptions): Promise<TencentApiServer> {
    const server = new TencentApiServer(options);
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

  register(action: string, registration: ActionRegistration): void {
    this.actions.set(action, registration);
  }

  /** Requests received for `action`. */
  requestsFor(action: string): RecordedRequest[] {
    return this.requests.filter((request) => request.action === action);
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

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const latency = this.options.latencyMs?.() ?? 0;
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    const requestId = randomUUID();
    const header = (name: string) => {
      const value = req.headers[name];
      return typeof value === 'string' && value !== '' ? value : undefined;
    };
    const action = header('x-tc-action') ?? '';
    const region = header('x-tc-region');
    const version = header('x-tc-version');
    let params: unknown;
    try {
      params = parseJson(rawBody || '{}', { bigIntegers: 'JsonInteger' });
    } catch {
      params = undefined;
    }
    const record: RecordedRequest = { action, version, region, params, time: this.now(), requestId, outcome: 'Success' };
    this.requests.push(record);

    let truncate = false;
    const send = (status: number, body: string, contentType = 'application/json') => {
      if (res.destroyed) return;
      // A complete HTTP message whose JSON stops halfway, as a broken proxy might send.
      if (truncate) body = body.slice(0, Math.floor(body.length / 2));
      res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    };
    const reply = (fields: Record<string, unknown>) => send(200, stringifyJson({ Response: { ...fields, RequestId: requestId } }));
    const fail = (code: string, message: string) => {
      record.outcome = truncate ? 'fault:truncated' : code;
      reply({ Error: { Code: code, Message: message } });
    };

    const fault = this.faults.take(action);
    if (fault) {
      const done = await applyFault(fault, req, res, send, fail);
      if (done) {
        record.outcome = `fault:${fault.kind}`;
        return;
      }
      truncate = fault.kind === 'truncated';
    }

    if (req.method !== 'POST' || (req.url ?? '/') !== '/') return fail('InvalidParameter', 'The simulator accepts only POST /.');
    const authError = verifyTc3Request({
      headers: req.headers,
      rawBody,
      service: this.options.service,
      credentials: this.options.credentials,
      nowSeconds: Math.floor(record.time / 1000),
    });
    if (authError) return fail(authError.code, authError.message);
    if (!action) return fail('MissingParameter', 'The request is missing a required parameter `Action`.');
    const registration = this.actions.get(action);
    if (!registration) return fail('InvalidAction', `The action \`${action}\` is not supported.`);
    if (!version) return fail('MissingParameter', 'The request is missing a required parameter `Version`.');
    if (version !== registration.version) return fail('NoSuchVersion', `The API version \`${version}\` does not exist.`);
    if (registration.requireRegion && !region) return fail('MissingParameter', 'The request is missing a required parameter `Region`.');
    if (registration.rateLimitPerSecond !== undefined) {
      const since = record.time - 1000;
      const recent = this.requests.filter((r) => r !== record && r.action === action && r.time > since && r.time <= record.time);
      if (recent.length >= registration.rateLimitPerSecond) {
        const limit = registration.rateLimitPerSecond;
        return fail(
          'RequestLimitExceeded',
          `Your current request times equals to \`${recent.length + 1}\` in a second, which exceeds the frequency limit \`${limit}\` for a second. Please reduce the frequency of calls.`,
        );
      }
    }
    if (!isObject(params)) return fail('InvalidParameter', 'The request body is not a JSON object.');

    const secretId = /Credential=([^/]+)\//.exec(header('authorization') ?? '')?.[1] ?? '';
    try {
      const fields = await registration.handler({ action, version, region, params, now: record.time, requestId, secretId });
      record.outcome = truncate ? 'fault:truncated' : 'Success';
      reply(fields);
    } catch (error) {
      if (error instanceof TencentApiError) return fail(error.code, error.message);
      fail('InternalError', `The simulator's handler failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
