import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyAkSk, type AuthFailure, type SimulatorAkSk } from './auth';
import { FaultQueue, applyFault } from './faults';

export type { SimulatorAkSk } from './auth';
export type { Fault, FaultKind } from './faults';

/**
 * A Huawei Cloud API endpoint on 127.0.0.1, API Gateway included: AK/SK
 * signatures or X-Auth-Token checked, errors as HTTP 4xx/5xx with
 * `error_code`/`error_msg` and an X-Request-Id header, per-route rate limits
 * (APIGW.0308), fault injection, a log of every request. IAM and DBSS routes
 * share one server, as the tests need one URL per fake cloud.
 */

/** Answer with an error body `{error_code, error_msg}` and this HTTP status. */
export class HuaweiApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Who the request authenticated as. */
export type Principal =
  | { kind: 'aksk'; credential: SimulatorAkSk }
  | { kind: 'token'; projectId: string; userName: string }
  | { kind: 'none' };

/** Checks X-Auth-Token values (the IAM simulator implements it). */
export interface TokenVerifier {
  verifyToken(token: string, now: number): { projectId: string; userName: string } | AuthFailure;
}

export interface RouteContext {
  params: Record<string, string>;
  /** Parsed JSON body; undefined when absent or not JSON. */
  body: unknown;
  headers: IncomingHttpHeaders;
  /** Server "now", epoch ms. */
  now: number;
  requestId: string;
  principal: Principal;
}

export interface RouteResult {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface RouteRegistration {
  /** e.g. `dbss.operation-log`; used by faults, rate limits and the request log. */
  name: string;
  method: 'GET' | 'POST';
  /** Matched against the path; named groups become `params`. */
  pattern: RegExp;
  /** Whether AK/SK or a token is required (IAM's token route needs neither). */
  authenticated: boolean;
  /** Answer APIGW.0308 beyond this many requests in any 1 s. */
  rateLimitPerSecond?: number;
  handler: (context: RouteContext) => RouteResult | Promise<RouteResult>;
}

export interface RecordedRequest {
  route: string;
  method: string;
  path: string;
  body: unknown;
  time: number;
  requestId: string;
  status: number;
  /** `Success`, the error code answered, or `fault:<kind>`. */
  outcome: string;
  auth: Principal['kind'];
  accessKeyId?: string;
}

export interface HuaweiApiServerOptions {
  credentials?: SimulatorAkSk[];
  now?: () => number;
  /** Milliseconds to wait before answering each request (a realistic round trip). */
  latencyMs?: () => number;
}

export class HuaweiApiServer {
  readonly faults = new FaultQueue();
  readonly requests: RecordedRequest[] = [];
  readonly credentials: SimulatorAkSk[];
  tokens?: TokenVerifier;
  private readonly routes: RouteRegistration[] = [];
  private now: () => number;
  private server?: Server;
  private port = 0;

  constructor(private readonly options: HuaweiApiServerOptions = {}) {
    this.now = options.now ?? Date.now;
    this.credentials = [...(options.credentials ?? [])];
  }

  static async start(options: HuaweiApiServerOptions = {}): Promise<HuaweiApiServer> {
    const server = new HuaweiApiServer(options);
    await server.listen();
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  setNow(now: () => number): void {
    this.now = now;
  }

  currentTime(): number {
    return this.now();
  }

  register(route: RouteRegistration): void {
    this.routes.push(route);
  }

  requestsFor(route: string): RecordedRequest[] {
    return this.requests.filter((request) => request.route === route);
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
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const latency = this.options.latencyMs?.() ?? 0;
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    // Huawei request ids are 32 hex digits.
    const requestId = randomUUID().replace(/-/g, '');
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://simulator');
    const route = this.routes.find((r) => r.method === method && r.pattern.test(url.pathname));
    let body: unknown;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      body = undefined;
    }
    const record: RecordedRequest = {
      route: route?.name ?? 'unknown',
      method,
      path: url.pathname,
      body,
      time: this.now(),
      requestId,
      status: 200,
      outcome: 'Success',
      auth: 'none',
    };
    this.requests.push(record);

    let truncate = false;
    const sendRaw = (status: number, text: string, contentType: string, headers: Record<string, string> = {}) => {
      if (res.destroyed) return;
      record.status = status;
      // A complete HTTP message whose JSON stops halfway, as a broken proxy might send.
      if (truncate) text = text.slice(0, Math.floor(text.length / 2));
      res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'X-Request-Id': requestId, ...headers });
      res.end(text);
    };
    const sendError = (status: number, code: string, message: string) => {
      record.outcome = truncate ? 'fault:truncated' : code;
      // Gateway errors carry request_id in the body as well.
      const payload = code.startsWith('APIGW.') ? { error_msg: message, error_code: code, request_id: requestId } : { error_code: code, error_msg: message };
      sendRaw(status, JSON.stringify(payload), 'application/json');
    };

    const fault = this.faults.take(record.route);
    if (fault) {
      const done = await applyFault(fault, req, res, sendRaw, sendError);
      if (done) {
        record.outcome = `fault:${fault.kind}`;
        return;
      }
      truncate = fault.kind === 'truncated';
    }
    if (!route) return sendError(404, 'APIGW.0101', 'The API does not exist or has not been published in the environment');

    let principal: Principal = { kind: 'none' };
    if (route.authenticated) {
      const verified = this.authenticate(method, req, rawBody, record.time);
      if ('failure' in verified) return sendError(verified.failure.status, verified.failure.code, verified.failure.message);
      principal = verified.principal;
      record.auth = principal.kind;
      if (principal.kind === 'aksk') record.accessKeyId = principal.credential.accessKeyId;
    }
    if (route.rateLimitPerSecond !== undefined) {
      const since = record.time - 1000;
      const recent = this.requests.filter((r) => r !== record && r.route === route.name && r.time > since && r.time <= record.time);
      if (recent.length >= route.rateLimitPerSecond) {
        return sendError(429, 'APIGW.0308', `The throttling threshold has been reached: policy user over ratelimit,limit:${route.rateLimitPerSecond},time:1 second`);
      }
    }

    const params = (route.pattern.exec(url.pathname)?.groups ?? {}) as Record<string, string>;
    try {
      const result = await route.handler({ params, body, headers: req.headers, now: record.time, requestId, principal });
      record.outcome = truncate ? 'fault:truncated' : 'Success';
      sendRaw(result.status ?? 200, JSON.stringify(result.body), 'application/json;charset=UTF-8', result.headers);
    } catch (error) {
      if (error instanceof HuaweiApiError) return sendError(error.status, error.code, error.message);
      sendError(500, 'DBSS.11000000', `The simulator's handler failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private authenticate(method: string, req: IncomingMessage, rawBody: string, now: number): { principal: Principal } | { failure: AuthFailure } {
    const token = req.headers['x-auth-token'];
    if (typeof token === 'string' && token !== '') {
      const verified = this.tokens?.verifyToken(token, now) ?? { status: 401, code: 'APIGW.0301', message: 'Incorrect IAM authentication information: decrypt token fail' };
      if ('code' in verified) return { failure: verified };
      return { principal: { kind: 'token', ...verified } };
    }
    if (req.headers.authorization === undefined) {
      return { failure: { status: 401, code: 'APIGW.0301', message: 'Incorrect IAM authentication information: x-auth-token not found' } };
    }
    const result = verifyAkSk({ method, url: req.url ?? '/', headers: req.headers, rawBody, credentials: this.credentials, now });
    return 'failure' in result ? result : { principal: { kind: 'aksk', credential: result.credential } };
  }
}
