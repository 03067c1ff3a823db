import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { HttpSimulator, Reply, type HttpSimulatorOptions } from '../common/http-simulator';
import { verifyAkSk, type AuthFailure, type SimulatorAkSk } from './auth';
import { FaultQueue, HUAWEI_FAULTS, type Fault } from './faults';

export type { SimulatorAkSk } from './auth';
export type { Fault, FaultKind } from './faults';

/**
 * A Huawei Cloud API endpoint on 127.0.0.1, API Gateway included: AK/SK
 * signatures or X-Auth-Token checked, errors as HTTP 4xx/5xx with
 * `error_code`/`error_msg` and an X-Request-Id header, per-route rate limits
 * (APIGW.0308), fault injection, a log of every request. IAM and each API's
 * routes share one server, as the tests need one URL per fake cloud.
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
  /** The query string's parameters (GET APIs such as CTS ListTraces take theirs there). */
  query: URLSearchParams;
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
  /** Answer APIGW.0308 beyond this many requests in any 1 s, per route + endpoint host + user (AK or token user). */
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

export interface HuaweiApiServerOptions extends HttpSimulatorOptions {
  credentials?: SimulatorAkSk[];
}

export class HuaweiApiServer extends HttpSimulator<RecordedRequest> {
  readonly faults = new FaultQueue<Fault>('route');
  readonly credentials: SimulatorAkSk[];
  tokens?: TokenVerifier;
  private readonly routes: RouteRegistration[] = [];

  constructor(options: HuaweiApiServerOptions = {}) {
    super(options, (request) => request.route);
    this.credentials = [...(options.credentials ?? [])];
  }

  register(route: RouteRegistration): void {
    this.routes.push(route);
  }

  protected async serve(req: IncomingMessage, res: ServerResponse, rawBody: string): Promise<void> {
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
    const record = this.recordRequest({
      route: route?.name ?? 'unknown',
      method,
      path: url.pathname,
      body,
      time: this.currentTime(),
      requestId,
      status: 200,
      outcome: 'Success',
      auth: 'none',
    });

    const answer = new Reply(req, res, record, { headers: { 'X-Request-Id': requestId }, onSend: (status) => (record.status = status) });
    const sendError = (status: number, code: string, message: string) => {
      answer.outcome(code);
      // Gateway errors carry request_id in the body as well.
      const payload = code.startsWith('APIGW.') ? { error_msg: message, error_code: code, request_id: requestId } : { error_code: code, error_msg: message };
      answer.send(status, JSON.stringify(payload), 'application/json');
    };
    if (await answer.fault(this.faults.take(record.route), sendError, HUAWEI_FAULTS)) return;
    if (!route) return sendError(404, 'APIGW.0101', 'The API does not exist or has not been published in the environment');

    let principal: Principal = { kind: 'none' };
    if (route.authenticated) {
      const verified = this.authenticate(method, req, rawBody, record.time);
      if ('failure' in verified) return sendError(verified.failure.status, verified.failure.code, verified.failure.message);
      principal = verified.principal;
      record.auth = principal.kind;
      if (principal.kind === 'aksk') record.accessKeyId = principal.credential.accessKeyId;
    }
    // Keyed on API + endpoint host + IAM user (assumed; see docs/sources/huawei-dbss.md).
    const limit = route.rateLimitPerSecond;
    if (this.countRate({ api: route.name, host: req.headers.host ?? '', principal: principalKey(principal) }, record.time, limit).over) {
      return sendError(429, 'APIGW.0308', `The throttling threshold has been reached: policy user over ratelimit,limit:${limit},time:1 second`);
    }

    const params = (route.pattern.exec(url.pathname)?.groups ?? {}) as Record<string, string>;
    try {
      const result = await route.handler({ params, query: url.searchParams, body, headers: req.headers, now: record.time, requestId, principal });
      answer.outcome('Success');
      answer.send(result.status ?? 200, JSON.stringify(result.body), 'application/json;charset=UTF-8', result.headers);
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

/** The caller a rate limit counts: the access key, or the user a token names. */
function principalKey(principal: Principal): string {
  if (principal.kind === 'aksk') return principal.credential.accessKeyId;
  if (principal.kind === 'token') return `user:${principal.userName}`;
  return 'anonymous';
}
