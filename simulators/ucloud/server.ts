import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { UCLOUD_RET_CODES } from '../../shared/providers/ucloud/client';
import { computeSignature, flattenParams, type FlatParams, type UCloudKeys } from '../../shared/providers/ucloud/signature';
import { ActionApiSimulator, Reply, type HttpSimulatorOptions } from '../common/http-simulator';
import { UCLOUD_FAULTS, type Fault } from './faults';

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
  /** Answer RetCode 153 beyond this many requests in any 1 s, per Action + endpoint host + public key. */
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

export interface UCloudApiServerOptions extends HttpSimulatorOptions {
  /** Key pairs the gateway accepts (fake keys only). */
  credentials: UCloudKeys[];
}

export class UCloudApiServer extends ActionApiSimulator<UCloudApiServerOptions, RecordedRequest, Fault, ActionRegistration> {
  protected async serve(req: IncomingMessage, res: ServerResponse, rawBody: string): Promise<void> {
    const requestId = randomUUID();
    const contentType = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    const received = parseParams(req.method ?? 'GET', req.url ?? '/', contentType, rawBody);
    const action = received?.Action ?? '';
    const { PublicKey: publicKey = '', Signature: signature = '', ...params } = received ?? {};
    const record = this.recordRequest({
      action,
      method: req.method ?? '',
      contentType,
      params: received ? params : undefined,
      time: this.currentTime(),
      requestId,
      outcome: 'Success',
    });

    const answer = new Reply(req, res, record, { headers: { 'X-UCloud-Request-UUID': requestId } });
    const reply = (fields: Record<string, unknown>) => answer.send(200, JSON.stringify({ ...fields, Action: `${action}Response`, RetCode: 0 }));
    const fail = (retCode: number, message: string) => {
      answer.outcome(String(retCode));
      answer.send(200, JSON.stringify({ Action: `${action}Response`, RetCode: retCode, Message: message }));
    };
    if (await answer.fault(this.faults.take(action), fail, UCLOUD_FAULTS)) return;

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
    // Keyed on Action + endpoint host + key pair (assumed; see docs/sources/ucloud-operations.md).
    const limit = registration.rateLimitPerSecond;
    const rate = this.countRate({ api: action, host: req.headers.host ?? '', principal: publicKey }, record.time, limit);
    if (rate.over) return fail(codes.throttled, `API request is rate limited (${limit} per second)`);
    try {
      const fields = await registration.handler({ action, params, publicKey, now: record.time, requestId });
      answer.outcome('Success');
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
