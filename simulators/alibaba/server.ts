import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ActionApiSimulator, Reply, type HttpSimulatorOptions } from '../common/http-simulator';
import { verifyAcs3Request, type SimulatorAccessKey } from './auth';
import { ALIBABA_FAULTS, type Fault } from './faults';

export type { SimulatorAccessKey } from './auth';
export type { Fault, FaultKind } from './faults';

/**
 * An Alibaba Cloud RPC-style OpenAPI endpoint on 127.0.0.1: `POST /?params`
 * signed ACS3-HMAC-SHA256 and checked, errors as HTTP 4xx/5xx with
 * `{RequestId, HostId, Code, Message, Recommend}`, per-action rate limits
 * (Throttling.User), fault injection and a log of every request.
 */

/** Answer with Alibaba's error body and this HTTP status. */
export class AlibabaApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ActionContext {
  action: string;
  /** The query parameters, flat (`LookupAttribute.1.Key`). */
  params: Record<string, string>;
  /** Server "now", epoch ms. */
  now: number;
  requestId: string;
  accessKeyId: string;
}

/** Returns the answer's fields (RequestId is added) or throws AlibabaApiError. */
export type ActionHandler = (context: ActionContext) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface ActionRegistration {
  version: string;
  handler: ActionHandler;
  /** Answer Throttling.User beyond this many requests in any 1 s, per action + caller (AccessKey). */
  rateLimitPerSecond?: number;
}

export interface RecordedRequest {
  action: string;
  version?: string;
  params: Record<string, string>;
  time: number;
  requestId: string;
  status: number;
  /** `Success`, the error code answered, or `fault:<kind>`. */
  outcome: string;
  accessKeyId?: string;
}

export interface AlibabaApiServerOptions extends HttpSimulatorOptions {
  credentials: SimulatorAccessKey[];
}

export class AlibabaApiServer extends ActionApiSimulator<AlibabaApiServerOptions, RecordedRequest, Fault, ActionRegistration> {
  private readonly nonces = new Set<string>();

  protected async serve(req: IncomingMessage, res: ServerResponse, rawBody: string): Promise<void> {
    const requestId = randomUUID().toUpperCase();
    const url = new URL(req.url ?? '/', 'http://simulator');
    const header = (name: string) => {
      const value = req.headers[name];
      return typeof value === 'string' && value !== '' ? value : undefined;
    };
    const action = header('x-acs-action') ?? '';
    const params = Object.fromEntries(url.searchParams);
    const record = this.recordRequest({ action, version: header('x-acs-version'), params, time: this.currentTime(), requestId, status: 200, outcome: 'Success' });
    const host = header('host') ?? '';

    const answer = new Reply(req, res, record, { headers: { 'x-acs-request-id': requestId }, onSend: (status) => (record.status = status) });
    const fail = (status: number, code: string, message: string) => {
      answer.outcome(code);
      const recommend = `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(code)}&product=Actiontrail`;
      answer.send(status, JSON.stringify({ RequestId: requestId, HostId: host, Code: code, Message: message, Recommend: recommend }));
    };
    if (await answer.fault(this.faults.take(action), fail, ALIBABA_FAULTS)) return;

    if (req.method !== 'POST' || url.pathname !== '/') return fail(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
    const authError = verifyAcs3Request({ method: req.method, url, headers: req.headers, rawBody, credentials: this.options.credentials, now: record.time, seenNonces: this.nonces });
    if (authError) return fail(authError.status, authError.code, authError.message);
    const accessKeyId = /Credential=([^,]+),/.exec(header('authorization') ?? '')?.[1] ?? '';
    record.accessKeyId = accessKeyId;
    const registration = this.actions.get(action);
    if (!registration) return fail(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
    if (record.version !== registration.version) return fail(400, 'InvalidVersion', 'Specified parameter Version is not valid.');
    // Counted per API and caller: Alibaba's flow control is per account (docs/sources/alibaba-actiontrail.md).
    const limit = registration.rateLimitPerSecond;
    if (this.countRate({ api: action, host: '', principal: accessKeyId }, record.time, limit).over) {
      return fail(400, 'Throttling.User', 'Request was denied due to user flow control.');
    }
    try {
      const fields = await registration.handler({ action, params, now: record.time, requestId, accessKeyId });
      answer.outcome('Success');
      answer.send(200, JSON.stringify({ RequestId: requestId, ...fields }));
    } catch (error) {
      if (error instanceof AlibabaApiError) return fail(error.status, error.code, error.message);
      fail(500, 'InternalError', `The simulator's handler failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
