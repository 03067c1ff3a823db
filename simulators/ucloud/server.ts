import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UCLOUD_RET_CODES } from '../../shared/providers/ucloud/client';
import { computeSignature, flattenParams, type FlatParams, type UCloudKeys } from '../../shared/providers/ucloud/signature';
import { FaultQueue, applyFault } from './faults';

export type { Fault, FaultKind } from './faults';

/**
 * A UCloud API gateway on 127.0.0.1: GET query, form and JSON bodies, the real
 * signature check against the keys it was given, the `RetCode` envelope with
 * the platform codes, per-action handlers, fault injection, optional
 * per-second rate limits, and a log of every request for assertions.
 */

/** Answer with this RetCode and Message (HTTP 200, as the real gateway does). */
export class UCloudApiError extends Error {
  constructor(
    readonly retCode: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ActionContext {
  action: string;
  /** Flattened request parameters, without PublicKey and Signature. */
  params: FlatParams;
  publicKey: string;
  /** Server "now", epoch ms. */
  now: number;
  requestId: string;
}

export type ActionHandler = (context: ActionContext) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface ActionRegistration {
  handler: ActionHandler;
  /** Answer RetCode 153 beyond this many requests in any 1 s. */
  rateLimitPerSecond?: number;
}

export interface RecordedRequest {
  action: string;
  method: string;
  contentType?: string;
  /** Flattened parameters as received, without PublicKey and Signature (undefined when unparseable). */
  params?: FlatParams;
  time: number;
  requestId: string;
  /** `Success`, the RetCode answered, or `fault:<kind>`. */
  outcome: string;
}

export interface UCloudApiServerOptions {
  /** Key pairs the gateway accepts (fake keys only). */
  credentials: UCloudKeys[];
  /** Server clock (epoch ms); defaults to Date.now. */
  now?: () => number;
  /** Added delay per request (benchmarks). */
  latencyMs?: () => number;
}

export class UCloudApiServer {
  readonly faults = new FaultQueue();
  readonly requests: RecordedRequest[] = [];
  private readonly actions = new Map<string, ActionRegistration>();
  private now: () => number;
  private server?: Server;
  private port = 0;

  constructor(private readonly options: UCloudApiServerOptions) {
    this.now = options.now ?? Date.now;
  }

  static async start(options: UCloudApiServerOptions): Promise<UCloudApiServer> {
    const server = new UCloudApiServer(options);
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

  register(action: string, registration: ActionRegistration): void {
    this.actions.set(action, registration);
  }

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
    const contentType = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    const received = parseParams(req.method ?? 'GET', req.url ?? '/', contentType, rawBody);
    const action = received?.Action ?? '';
    const { PublicKey: publicKey = '', Signature: signature = '', ...params } = received ?? {};
    const record: RecordedRequest = {
      action,
      method: req.method ?? '',
      contentType,
      params: received ? params : undefined,
      time: this.now(),
      requestId,
      outcome: 'Success',
    };
    this.requests.push(record);

    let truncate = false;
    const send = (status: number, body: string, type = 'application/json') => {
      if (res.destroyed) return;
      if (truncate) body = body.slice(0, Math.floor(body.length / 2));
      res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'X-UCloud-Request-UUID': requestId });
      res.end(body);
    };
    const reply = (fields: Record<string, unknown>) => send(200, JSON.stringify({ ...fields, Action: `${action}Response`, RetCode: 0 }));
    const fail = (retCode: number, message: string) => {
      record.outcome = truncate ? 'fault:truncated' : String(retCode);
      send(200, JSON.stringify({ Action: `${action}Response`, RetCode: retCode, Message: message }));
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

    const codes = UCLOUD_RET_CODES;
    if (!received) return fail(codes.invalidParams, 'Params [Body] not available');
    if (!action) return fail(codes.missingAction, 'Missing Action');
    if (!signature) return fail(codes.missingSignature, 'Missing Signature');
    const key = this.options.credentials.find((candidate) => candidate.publicKey === publicKey);
    if (!key) return fail(codes.userNotFound, 'User Not Exists');
    const expected = computeSignature({ ...received }, key.privateKey);
    if (signature.length !== expected.length || !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) {
      return fail(codes.signatureError, 'Signature VerifyAC Error');
    }
    const registration = this.actions.get(action);
    if (!registration) return fail(codes.actionNotFound, `Action [${action}] Not Exists`);
    const limit = registration.rateLimitPerSecond;
    if (limit !== undefined) {
      const since = record.time - 1000;
      const recent = this.requests.filter((r) => r !== record && r.action === action && r.time > since && r.time <= record.time);
      if (recent.length >= limit) return fail(codes.throttled, `API request is rate limited (${limit} per second)`);
    }
    try {
      const fields = await registration.handler({ action, params, publicKey, now: record.time, requestId });
      record.outcome = truncate ? 'fault:truncated' : 'Success';
      reply(fields);
    } catch (error) {
      if (error instanceof UCloudApiError) return fail(error.retCode, error.message);
      fail(codes.serviceUnavailable, `The simulator's handler failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** The parameters as the gateway reads them: GET query, form body, or JSON body (flattened like the signer does). */
function parseParams(method: string, url: string, contentType: string | undefined, rawBody: string): FlatParams | undefined {
  const fromSearch = (search: string | URLSearchParams) => Object.fromEntries(new URLSearchParams(search));
  if (method === 'GET') return fromSearch(new URL(url, 'http://localhost').searchParams);
  if (method !== 'POST') return undefined;
  if (contentType === 'application/json') {
    try {
      const body: unknown = JSON.parse(rawBody || '{}');
      if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
      return flattenParams(body as Record<string, unknown>);
    } catch {
      return undefined;
    }
  }
  return fromSearch(rawBody);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
