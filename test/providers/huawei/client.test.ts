import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError, UnreadableBodyError } from '../../../shared/lib/errors';
import { HuaweiClient, isRetryableHuaweiError, type HuaweiClientOptions } from '../../../shared/providers/huawei/client';
import { errorEnvelope } from '../../../shared/providers/huawei/errors';
import { IamTokenProvider } from '../../../shared/providers/huawei/iam-token';
import { startDbssSimulator } from '../../../simulators/huawei/dbss/simulator';
import type { IamSimulator } from '../../../simulators/huawei/iam';
import type { HuaweiApiServer } from '../../../simulators/huawei/server';
import { AKSK, IAM_USER, PROJECT_ID, TEMP_AKSK, failure, recordingLog } from './support';

let server: HuaweiApiServer;
let iam: IamSimulator;
let logged: ReturnType<typeof recordingLog>;

beforeEach(async () => {
  logged = recordingLog();
  ({ server, iam } = await startDbssSimulator({ credentials: [AKSK, TEMP_AKSK], iamUsers: [IAM_USER] }));
  server.register({ name: 'test.echo', method: 'POST', pattern: /^\/v1\/[^/]+\/echo$/, authenticated: true, handler: ({ body, principal }) => ({ body: { echo: body, auth: principal.kind } }) });
});
afterEach(async () => {
  await server.close();
});

const ECHO = `/v1/${PROJECT_ID}/echo`;
const tokens = (overrides: Partial<ConstructorParameters<typeof IamTokenProvider>[0]> = {}) =>
  new IamTokenProvider({ endpoint: server.url, credentials: IAM_USER, projectId: PROJECT_ID, log: logged.log, ...overrides });
function client(overrides: Partial<HuaweiClientOptions> = {}): HuaweiClient {
  return new HuaweiClient({
    service: 'test',
    endpoint: server.url,
    projectId: PROJECT_ID,
    auth: { mode: 'aksk', credentials: AKSK },
    requestsPerSecond: 1000,
    timeoutMs: 2_000,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    log: logged.log,
    ...overrides,
  });
}

describe('HuaweiClient against the simulator', () => {
  it('signs with AK/SK and returns the body and X-Request-Id', async () => {
    const result = await client().request<{ echo: unknown; auth: string }>('POST', ECHO, { a: 1, s: 'é' });
    expect(result.body).toEqual({ echo: { a: 1, s: 'é' }, auth: 'aksk' });
    expect(result.requestId).toBe(server.requests[0]!.requestId);
    expect(server.requests).toHaveLength(1);
  });

  it('sends temporary credentials with their security token', async () => {
    expect((await client({ auth: { mode: 'aksk', credentials: TEMP_AKSK } }).request<{ auth: string }>('POST', ECHO, {})).body.auth).toBe('aksk');
    const { securityToken: _t, ...withoutToken } = TEMP_AKSK;
    expect(await failure(client({ auth: { mode: 'aksk', credentials: withoutToken } }).request('POST', ECHO, {}))).toMatchObject({ code: 'APIGW.0301', retryable: false, httpStatus: 401 });
  });

  it('turns an error body into a ProviderError with code, message and request id, not retried', async () => {
    server.faults.push({ kind: 'error', status: 400, code: 'DBSS.10000001', message: 'Enter a valid request message' });
    const error = (await failure(client().request('POST', ECHO, {}))) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ provider: 'huaweicloud', code: 'DBSS.10000001', retryable: false, httpStatus: 400, requestId: server.requests[0]!.requestId });
    expect(error.message).toContain('Enter a valid request message');
    expect(error.message).toContain(server.requests[0]!.requestId);
    expect(server.requests).toHaveLength(1);
  });

  it('does not retry a bad signature (five failures lock the AK for five minutes)', async () => {
    const error = await failure(client({ auth: { mode: 'aksk', credentials: { ...AKSK, secretAccessKey: 'wrongFakeSecretKeyForTests' } } }).request('POST', ECHO, {}));
    expect(error).toMatchObject({ code: 'APIGW.0301', retryable: false });
    expect(server.requests).toHaveLength(1);
  });

  it('retries throttling (429 APIGW.0308), 5xx, gateway pages and resets', async () => {
    server.faults.push({ kind: 'throttle' }, { kind: 'internal' });
    const first = await client().request<{ echo: unknown }>('POST', ECHO, { a: 1 });
    expect(first.body.echo).toEqual({ a: 1 });
    expect(first.retries).toEqual({ total: 2, throttled: 1 });
    server.faults.push({ kind: 'http', status: 502 }, { kind: 'reset' });
    const second = await client().request<{ echo: unknown }>('POST', ECHO, { a: 2 });
    expect(second.body.echo).toEqual({ a: 2 });
    expect(second.retries).toEqual({ total: 2, throttled: 0 });
    expect(server.requests.map((r) => r.outcome)).toEqual(['fault:throttle', 'fault:internal', 'Success', 'fault:http', 'fault:reset', 'Success']);
    expect(logged.entries.filter((e) => (e as unknown[])[0] === 'huaweicloud request failed; retrying')).toHaveLength(4);
  });

  it('gives up after the configured attempts with the last retryable error', async () => {
    server.faults.push({ kind: 'throttle', times: 10 });
    const error = await failure(client().request('POST', ECHO, {}));
    expect(error).toMatchObject({ code: 'APIGW.0308', retryable: true, throttled: true, httpStatus: 429, requestId: server.requests[2]!.requestId });
    expect((error as ProviderError).retries).toEqual({ total: 2, throttled: 2 });
    expect(server.requests).toHaveLength(3);
  });

  it('retries a non-JSON or truncated 200 body like a 5xx, counting the retry', async () => {
    server.faults.push({ kind: 'malformed' }, { kind: 'truncated' });
    const { body, retries } = await client().request<{ echo: unknown }>('POST', ECHO, { a: 1 });
    expect(body.echo).toEqual({ a: 1 });
    expect(retries).toEqual({ total: 2, throttled: 0 });
    expect(server.requests.map((r) => r.outcome)).toEqual(['fault:malformed', 'fault:truncated', 'Success']);
  });

  it('gives up on a 200 body that never parses after the configured attempts, naming the last request and the body size', async () => {
    server.faults.push({ kind: 'malformed', times: 3 });
    const error = (await failure(client().request('POST', ECHO, {}))) as UnreadableBodyError;
    expect(error).toBeInstanceOf(UnreadableBodyError);
    expect(error.bodyExcerpt).toContain('Service Unavailable');
    expect(error.bytes).toBe(Buffer.byteLength(error.bodyExcerpt));
    expect(error.requestId).toBe(server.requests[2]!.requestId);
    expect(error.message).toContain(`body is not valid JSON (HTTP 200, ${error.bytes} bytes)`);
    expect(error.retries).toEqual({ total: 2, throttled: 0 });
    server.faults.push({ kind: 'truncated', times: 3 });
    const cut = (await failure(client().request('POST', ECHO, { pad: 'x'.repeat(300) }))) as UnreadableBodyError;
    expect(cut).toBeInstanceOf(UnreadableBodyError);
    expect(cut.bytes).toBeGreaterThan(150);
    expect(cut.requestId).toBe(server.requests[5]!.requestId);
    expect(server.requests).toHaveLength(6);
  });

  it('times out a slow answer and retries it; the caller abort is rethrown as is', async () => {
    server.faults.push({ kind: 'slow', delayMs: 1_000 });
    expect(await failure(client({ timeoutMs: 150, retry: { attempts: 1 } }).request('POST', ECHO, {}))).toMatchObject({ code: 'Timeout', retryable: true });
    server.faults.push({ kind: 'slow', delayMs: 1_000 });
    expect((await client({ timeoutMs: 150 }).request<{ echo: unknown }>('POST', ECHO, { a: 3 })).body.echo).toEqual({ a: 3 });
    server.faults.push({ kind: 'slow', delayMs: 1_000 });
    const controller = new AbortController();
    const reason = new Error('out of time');
    setTimeout(() => controller.abort(reason), 50);
    expect(await failure(client().request('POST', ECHO, {}, { signal: controller.signal }))).toBe(reason);
  });

  it('in token mode sends X-Auth-Token, caches it, and renews it once after a 401', async () => {
    const provider = tokens();
    const api = client({ auth: { mode: 'token', tokens: provider } });
    expect((await api.request<{ auth: string }>('POST', ECHO, {})).body.auth).toBe('token');
    await api.request('POST', ECHO, {});
    expect(iam.issued).toBe(1);
    iam.expireAll();
    expect((await api.request<{ auth: string }>('POST', ECHO, {})).body.auth).toBe('token');
    expect(iam.issued).toBe(2);
    expect(server.requestsFor('test.echo').map((r) => r.outcome)).toEqual(['Success', 'Success', 'APIGW.0301', 'Success']);
    // A 401 that a new token does not cure is an auth failure.
    server.faults.push({ kind: 'unauthorized', times: 5, route: 'test.echo' });
    expect(await failure(api.request('POST', ECHO, {}))).toMatchObject({ code: 'APIGW.0301', retryable: false, httpStatus: 401 });
    expect(iam.issued).toBe(3);
  });

  it('never lets a credential into an error, its excerpt or the log', async () => {
    const provider = tokens();
    await provider.token();
    const issuedToken = provider.knownSecrets().find((s) => s.startsWith('MIIZ'))!;
    const secrets = [AKSK.secretAccessKey, TEMP_AKSK.securityToken, IAM_USER.password, issuedToken];
    const errors: Error[] = [];
    server.faults.push({ kind: 'error', status: 400, code: 'DBSS.10000001', message: `echo ${AKSK.secretAccessKey}` });
    errors.push(await failure(client().request('POST', ECHO, {})));
    server.faults.push({ kind: 'error', status: 400, code: 'DBSS.10000001', message: `echo ${TEMP_AKSK.securityToken}` });
    errors.push(await failure(client({ auth: { mode: 'aksk', credentials: TEMP_AKSK } }).request('POST', ECHO, {})));
    server.faults.push({ kind: 'error', status: 400, code: 'DBSS.10000001', message: `echo ${issuedToken} ${IAM_USER.password}` });
    errors.push(await failure(client({ auth: { mode: 'token', tokens: provider } }).request('POST', ECHO, {})));
    errors.push(await failure(tokens({ credentials: { ...IAM_USER, password: 'otherFakePassword!2' } }).token()));
    server.faults.push({ kind: 'malformed', times: 3 });
    errors.push(await failure(client().request('POST', ECHO, {})));
    const closed = server.url;
    await server.close();
    errors.push(await failure(client({ endpoint: closed }).request('POST', ECHO, {})));

    expect(errors.map((e) => (e as ProviderError).code ?? e.name)).toEqual(['DBSS.10000001', 'DBSS.10000001', 'DBSS.10000001', 'IAM.0101', 'UnreadableBody', 'NetworkError']);
    expect(errors[0]!.message).toContain('echo [redacted]');
    for (const error of errors) {
      const rendered = [error.message, String(error), inspect(error, { depth: 5 }), JSON.stringify(error)].join('\n');
      for (const secret of secrets) expect(rendered).not.toContain(secret);
      expect(rendered).not.toContain('Signature=');
    }
    const objects = `${inspect([client(), client({ auth: { mode: 'token', tokens: provider } }), provider], { depth: 6 })}${JSON.stringify(client())}`;
    for (const secret of secrets) expect(objects).not.toContain(secret);
    const logText = JSON.stringify(logged.entries);
    for (const secret of secrets) expect(logText).not.toContain(secret);
  });

  it('holds requests to the configured rate', async () => {
    const api = client({ requestsPerSecond: 10 });
    await Promise.all(Array.from({ length: 22 }, (_, i) => api.request('POST', ECHO, { i })));
    const times = server.requests.map((r) => r.time).sort((a, b) => a - b);
    for (let i = 0; i < times.length; i++) expect(times.filter((t) => t >= times[i]! && t < times[i]! + 950).length).toBeLessThanOrEqual(10);
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(2100 * 0.9);
  });
});

describe('HuaweiClient edge cases', () => {
  let raw: Server;
  let reply = { status: 500, body: '', headers: {} as Record<string, string> };
  beforeEach(async () => {
    raw = createServer((_req, res) => {
      res.writeHead(reply.status, { 'Content-Type': 'application/json', ...reply.headers });
      res.end(reply.body);
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    raw.closeAllConnections();
    await new Promise((resolve) => raw.close(resolve));
  });
  const rawClient = () => client({ endpoint: `http://127.0.0.1:${(raw.address() as AddressInfo).port}`, retry: { attempts: 1 } });

  it.each([
    ['APIGW shape', 429, '{"error_msg":"The throttling threshold has been reached","error_code":"APIGW.0308","request_id":"r-body"}', { code: 'APIGW.0308', retryable: true, requestId: 'r-body' }],
    ['keystone shape', 401, '{"error":{"code":401,"title":"Unauthorized","message":"The request you have made requires authentication."}}', { code: '401', retryable: false }],
    ['nested DBSS shape', 403, '{"error":{"error_code":"DBSS.10020100","error_msg":"denied"}}', { code: 'DBSS.10020100', retryable: false }],
    ['HTML 503', 503, '<html>busy</html>', { code: 'HTTP503', retryable: true, httpStatus: 503 }],
    ['empty 404', 404, '', { code: 'HTTP404', retryable: false }],
  ])('reads the %s of an error', async (_name, status, body, expected) => {
    reply = { status, body, headers: {} };
    expect(await failure(rawClient().request('POST', ECHO, {}))).toMatchObject(expected);
  });

  it('prefers the X-Request-Id header', async () => {
    reply = { status: 500, body: '{"error_code":"DBSS.11000000","error_msg":"x","request_id":"from-body"}', headers: { 'X-Request-Id': 'from-header' } };
    expect(await failure(rawClient().request('POST', ECHO, {}))).toMatchObject({ requestId: 'from-header', retryable: true });
  });

  it('classifies conservatively', () => {
    expect(isRetryableHuaweiError(400, 'APIG.0308')).toBe(true);
    expect(isRetryableHuaweiError(502, 'APIGW.0201')).toBe(true);
    expect(isRetryableHuaweiError(401, 'APIGW.0301')).toBe(false);
    expect(isRetryableHuaweiError(403, 'APIGW.0302')).toBe(false);
    expect(errorEnvelope('nope')).toEqual({});
  });

  it.each([
    [400, 'APIG.0308', true],
    [429, 'APIGW.0308', true],
    // HTTP 429 is throttling whatever the code says.
    [429, 'DBSS.10000001', true],
    [500, 'APIGW.0201', false],
    [403, 'APIGW.0302', false],
  ] as const)('HTTP %s with %s: throttled %s', async (status, code, throttled) => {
    reply = { status, body: JSON.stringify({ error_code: code, error_msg: 'x' }), headers: {} };
    expect(await failure(rawClient().request('POST', ECHO, {}))).toMatchObject({ code, throttled });
  });
});
