import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseJson, stringifyJson } from '../../shared/providers/tencent/json';
import { ActionApiSimulator, Reply, type HttpSimulatorOptions } from '../common/http-simulator';
import { verifyTc3Request, type SimulatorCredential } from './auth';
import { TENCENT_FAULTS, type Fault } from './faults';

export type { SimulatorCredential } from './auth';
export type { Fault, FaultKind } from './faults';

/**
 * A Tencent Cloud API 3.0 endpoint on 127.0.0.1: TC3 signature checks, the
 * real `{"Response": ...}` envelope, per-action handlers, fault injection,
 * optional rate limits per caller, and a log of every request for assertions.
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
  /** Answer RequestLimitExceeded beyond this many requests in any 1 s, per Action + endpoint host + SecretId. */
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

export interface TencentApiServerOptions extends HttpSimulatorOptions {
  /** The product whose credential scope is accepted, e.g. `cloudaudit`. */
  service: string;
  credentials: SimulatorCredential[];
}

export class TencentApiServer extends ActionApiSimulator<TencentApiServerOptions, RecordedRequest, Fault, ActionRegistration> {
  protected async serve(req: IncomingMessage, res: ServerResponse, rawBody: string): Promise<void> {
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
    const record = this.recordRequest({ action, version, region, params, time: this.currentTime(), requestId, outcome: 'Success' });

    const answer = new Reply(req, res, record);
    const reply = (fields: Record<string, unknown>) => answer.send(200, stringifyJson({ Response: { ...fields, RequestId: requestId } }));
    const fail = (code: string, message: string) => {
      answer.outcome(code);
      reply({ Error: { Code: code, Message: message } });
    };
    if (await answer.fault(this.faults.take(action), fail, TENCENT_FAULTS)) return;

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
    // Keyed as Tencent documents: Action + access region (the endpoint host) + the caller (SecretId).
    const secretId = /Credential=([^/]+)\//.exec(header('authorization') ?? '')?.[1] ?? '';
    const limit = registration.rateLimitPerSecond;
    const rate = this.countRate({ api: action, host: header('host') ?? '', principal: secretId }, record.time, limit);
    if (rate.over) {
      return fail(
        'RequestLimitExceeded',
        `Your current request times equals to \`${rate.inSecond}\` in a second, which exceeds the frequency limit \`${limit}\` for a second. Please reduce the frequency of calls.`,
      );
    }
    if (!isObject(params)) return fail('InvalidParameter', 'The request body is not a JSON object.');

    try {
      const fields = await registration.handler({ action, version, region, params, now: record.time, requestId, secretId });
      answer.outcome('Success');
      reply(fields);
    } catch (error) {
      if (error instanceof TencentApiError) return fail(error.code, error.message);
      fail('InternalError', `The simulator's handler failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
