import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MalformedResponseError, ProviderError, UnreadableBodyError } from '../../../shared/lib/errors';
import type { Log } from '../../../shared/lib/logger';
import { JsonInteger, TencentClient, isRetryableTencentCode, type TencentClientOptions } from '../../../shared/providers/tencent/client';
import { TencentApiServer } from '../../../simulators/tencent/api-server';
import { CloudAuditSimulator, generateCloudAuditEvents } from '../../../simulators/tencent/cloudaudit/simulator';

const CREDENTIALS = {
  secretId: 'AKIDfakeSecretIdForTests',
  secretKey: 'fakeSecretKeyForTestsOnly0123456789',
  token: 'fakeSessionTokenForTestsOnly',
};
const VERSION = '2019-03-19';

let server: TencentApiServer;
let cloudaudit: CloudAuditSimulator;
let logged: unknown[];
const log: Log = {
  debug: (...entry) => logged.push(entry),
  info: (...entry) => logged.push(entry),
  warn: (...entry) => logged.push(entry),
  error: (...entry) => logged.push(entry),
};

function client(overrides: Partial<TencentClientOptions> = {}): TencentClient {
  return new TencentClient({
    service: 'cloudaudit',
    version: VERSION,
    endpoint: server.url,
    region: 'ap-guangzhou',
    credentials: CREDENTIALS,
    requestsPerSecond: 1000,
    timeoutMs: 2_000,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    log,
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

beforeEach(async () => {
  logged = [];
  server = await TencentApiServer.start({ service: 'cloudaudit', credentials: [CREDENTIALS] });
  server.register('Echo', { version: VERSION, handler: ({ params, region }) => ({ Echo: params, Region: region }) });
  cloudaudit = new CloudAuditSimulator();
  cloudaudit.install(server);
});

afterEach(async () => {
  await server.close();
});

describe('TencentClient against the simulator', () => {
  it('signs, posts and returns the Response with its RequestId', async () => {
    const { response, requestId } = await client().call<{ Echo: unknown; Region: string }>('Echo', { A: 1, B: ['x'] });
    expect(response.Echo).toEqual({ A: 1, B: ['x'] });
    expect(response.Region).toBe('ap-guangzhou');
    expect(requestId).toBe(server.requests[0]!.requestId);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.outcome).toBe('Success');
  });

  it('turns an error envelope into a ProviderError with Code and RequestId, not retried', async () => {
    server.faults.push({ kind: 'error', code: 'InvalidParameter', message: 'StartTime is wrong' });
    const error = (await failure(client().call('Echo'))) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ provider: 'tencent', code: 'InvalidParameter', retryable: false, requestId: server.requests[0]!.requestId });
    expect(error.message).toContain('StartTime is wrong');
    expect(error.message).toContain(server.requests[0]!.requestId);
    expect(server.requests).toHaveLength(1);
  });

  it('rejects a wrong key with AuthFailure.SignatureFailure, not retried', async () => {
    const error = (await failure(client({ credentials: { ...CREDENTIALS, secretKey: 'wrongFakeKeyForTests' } }).call('Echo'))) as ProviderError;
    expect(error).toMatchObject({ code: 'AuthFailure.SignatureFailure', retryable: false });
    expect(server.requests).toHaveLength(1);
  });

  it('sends the session token; without it the simulator answers AuthFailure.TokenFailure', async () => {
    const { token: _token, ...withoutToken } = CREDENTIALS;
    const error = (await failure(client({ credentials: withoutToken }).call('Echo'))) as ProviderError;
    expect(error.code).toBe('AuthFailure.TokenFailure');
  });

  it('retries throttling and succeeds', async () => {
    server.faults.push({ kind: 'throttle', times: 2 });
    const { response, retries } = await client().call<{ Echo: unknown }>('Echo', { A: 1 });
    expect(response.Echo).toEqual({ A: 1 });
    expect(server.requests.map((r) => r.outcome)).toEqual(['fault:throttle', 'fault:throttle', 'Success']);
    expect(retries).toEqual({ total: 2, throttled: 2 });
    expect(logged.filter((entry) => (entry as unknown[])[0] === 'tencent request failed; retrying')).toHaveLength(2);
  });

  it('gives up after the configured attempts with the last retryable error', async () => {
    server.faults.push({ kind: 'internal', times: 10 });
    const error = (await failure(client().call('Echo'))) as ProviderError;
    expect(error).toMatchObject({ code: 'InternalError', retryable: true, throttled: false, requestId: server.requests[2]!.requestId });
    expect(error.retries).toEqual({ total: 2, throttled: 0 });
    expect(server.requests).toHaveLength(3);
  });

  it('retries HTTP 5xx bodies and connection resets', async () => {
    server.faults.push({ kind: 'http500', status: 502 }, { kind: 'reset' });
    const { response } = await client().call<{ Echo: unknown }>('Echo', { A: 2 });
    expect(response.Echo).toEqual({ A: 2 });
    expect(server.requests.map((r) => r.outcome)).toEqual(['fault:http500', 'fault:reset', 'Success']);

    server.faults.push({ kind: 'reset', times: 3 });
    const error = (await failure(client().call('Echo'))) as ProviderError;
    expect(error).toMatchObject({ code: 'NetworkError', retryable: true });
  });

  it('retries a non-JSON or truncated HTTP 200 body like a 5xx, counting the retry', async () => {
    server.faults.push({ kind: 'malformed' }, { kind: 'truncated' });
    const { response, retries } = await client().call<{ Echo: unknown }>('Echo', { A: 1 });
    expect(response.Echo).toEqual({ A: 1 });
    expect(retries).toEqual({ total: 2, throttled: 0 });
    expect(server.requests.map((r) => r.outcome)).toEqual(['fault:malformed', 'fault:truncated', 'Success']);
    expect(logged.filter((e) => (e as unknown[])[0] === 'tencent request failed; retrying')).toHaveLength(2);
  });

  it('gives up on a body that never parses after the configured attempts: UnreadableBodyError with its size and an excerpt', async () => {
    server.faults.push({ kind: 'malformed', times: 3 });
    const html = (await failure(client().call('Echo'))) as UnreadableBodyError;
    expect(html).toBeInstanceOf(UnreadableBodyError);
    expect(html).toBeInstanceOf(MalformedResponseError);
    expect(html.bodyExcerpt).toContain('502 Bad Gateway');
    expect(html.bytes).toBe(Buffer.byteLength(html.bodyExcerpt));
    expect(html.message).toContain(`Echo: body is not valid JSON (HTTP 200, ${html.bytes} bytes)`);
    expect(html.retries).toEqual({ total: 2, throttled: 0 });
    expect(server.requests).toHaveLength(3);

    server.faults.push({ kind: 'truncated', times: 3 });
    const cut = (await failure(client().call('Echo', { Payload: 'x'.repeat(500) }))) as UnreadableBodyError;
    expect(cut).toBeInstanceOf(UnreadableBodyError);
    expect(cut.detail).toMatch(/not valid JSON \(HTTP 200, \d+ bytes\)/);
    // The first half of an echo of 500 characters and more.
    expect(cut.bytes).toBeGreaterThan(250);
    expect(cut.bodyExcerpt.length).toBeLessThanOrEqual(200);
    // The RequestId ends Tencent's body, so it is cut off with the rest.
    expect(cut.requestId).toBeUndefined();
    expect(server.requests).toHaveLength(6);
  });

  it('times out a slow answer, and retries it', async () => {
    server.faults.push({ kind: 'slow', delayMs: 1_000 });
    const error = (await failure(client({ timeoutMs: 150, retry: { attempts: 1 } }).call('Echo'))) as ProviderError;
    expect(error).toMatchObject({ code: 'Timeout', retryable: true });

    server.faults.push({ kind: 'slow', delayMs: 1_000 });
    const { response } = await client({ timeoutMs: 150 }).call<{ Echo: unknown }>('Echo', { A: 3 });
    expect(response.Echo).toEqual({ A: 3 });
  });

  it("rethrows the caller's abort unchanged, without retrying", async () => {
    server.faults.push({ kind: 'slow', delayMs: 1_000 });
    const controller = new AbortController();
    const reason = new Error('out of time');
    setTimeout(() => controller.abort(reason), 50);
    expect(await failure(client().call('Echo', {}, { signal: controller.signal }))).toBe(reason);
    expect(server.requests).toHaveLength(1);
  });

  it('keeps a big-integer NextToken exact both ways', async () => {
    const now = Math.floor(Date.now() / 1000);
    cloudaudit.addEvents(generateCloudAuditEvents({ count: 7, from: now - 3600, to: now - 60, seed: 1 }));
    const api = client();
    const first = await api.call<{ NextToken: string; Events: unknown[] }>('DescribeEvents', { StartTime: now - 7200, EndTime: now, MaxResults: 3 });
    const token = first.response.NextToken;
    expect(token).toMatch(/^\d{16,}$/);
    expect(BigInt(token) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);

    const second = await api.call<{ Events: unknown[]; ListOver: boolean }>('DescribeEvents', {
      StartTime: now - 7200,
      EndTime: now,
      MaxResults: 3,
      NextToken: new JsonInteger(token),
    });
    const sent = server.requests[1]!.params as { NextToken: JsonInteger };
    expect(sent.NextToken).toBeInstanceOf(JsonInteger);
    expect(sent.NextToken.digits).toBe(token);
    expect(second.response.Events).toHaveLength(3);

    // A bigint works as well.
    await api.call('DescribeEvents', { StartTime: now - 7200, EndTime: now, MaxResults: 3, NextToken: BigInt(token) });
    expect(String((server.requests[2]!.params as { NextToken: JsonInteger }).NextToken)).toBe(token);
  });

  it('never lets a credential into an error, its excerpt or the log', async () => {
    const secrets = [CREDENTIALS.secretKey, CREDENTIALS.token];
    const errors: Error[] = [];
    // The provider echoing a credential back is scrubbed too.
    server.faults.push({ kind: 'error', code: 'InvalidParameter', message: `key ${CREDENTIALS.secretKey} token ${CREDENTIALS.token}` });
    errors.push(await failure(client().call('Echo')));
    for (const kind of ['malformed', 'truncated', 'internal'] as const) {
      server.faults.push({ kind, times: 3 });
      errors.push(await failure(client().call('Echo')));
    }
    expect(server.faults.pending).toEqual([]);
    server.faults.push({ kind: 'slow', delayMs: 500 });
    errors.push(await failure(client({ timeoutMs: 50, retry: { attempts: 1 } }).call('Echo')));
    errors.push(await failure(client({ credentials: { ...CREDENTIALS, secretKey: 'otherFakeKeyForTests' } }).call('Echo')));
    const closed = server.url;
    await server.close();
    errors.push(await failure(client({ endpoint: closed }).call('Echo')));

    expect(errors.map((e) => (e as ProviderError).code ?? e.name)).toEqual([
      'InvalidParameter',
      'UnreadableBody',
      'UnreadableBody',
      'InternalError',
      'Timeout',
      'AuthFailure.SignatureFailure',
      'NetworkError',
    ]);
    expect(errors[0]!.message).toContain('key [redacted] token [redacted]');
    for (const error of errors) {
      const rendered = [error.message, String(error), inspect(error, { depth: 5 }), JSON.stringify(error)].join('\n');
      for (const secret of secrets) expect(rendered).not.toContain(secret);
      expect(rendered).not.toContain('Signature=');
    }
    const clientText = `${inspect(client(), { depth: 5 })}${JSON.stringify(client())}`;
    for (const secret of secrets) expect(clientText).not.toContain(secret);
    const logText = JSON.stringify(logged);
    for (const secret of secrets) expect(logText).not.toContain(secret);
    expect(logText).not.toContain('Signature=');
  });

  it('holds requests to the configured rate', async () => {
    const perSecond = 10;
    const api = client({ requestsPerSecond: perSecond });
    await Promise.all(Array.from({ length: 22 }, (_, i) => api.call('Echo', { i })));
    const times = server.requests.map((r) => r.time).sort((a, b) => a - b);
    // Any 950 ms holds at most `perSecond` arrivals (50 ms of slack for
    // localhost latency jitter between the client's pacing and the server).
    for (let i = 0; i < times.length; i++) {
      expect(times.filter((t) => t >= times[i]! && t < times[i]! + 950).length).toBeLessThanOrEqual(perSecond);
    }
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(((times.length - 1) / perSecond) * 1000 * 0.9);
  });
});

describe('TencentClient edge cases', () => {
  let raw: Server;
  let body = '';
  let headers: Record<string, string> = {};
  let status = 200;
  let requests = 0;

  beforeEach(async () => {
    requests = 0;
    raw = createServer((_req, res) => {
      requests++;
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(body);
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    raw.closeAllConnections();
    await new Promise((resolve) => raw.close(resolve));
  });
  const rawOptions = (): TencentClientOptions => ({
    service: 'cloudaudit',
    version: VERSION,
    endpoint: `http://127.0.0.1:${(raw.address() as AddressInfo).port}`,
    credentials: CREDENTIALS,
    requestsPerSecond: 1000,
    retry: { attempts: 1 },
  });
  const rawClient = () => new TencentClient(rawOptions());

  it('recovers the request id of a cut body from the body or the X-TC-RequestId header', async () => {
    body = '{"Response":{"RequestId":"req-from-body","Events":[{"EventId":';
    expect(await failure(rawClient().call('X'))).toMatchObject({ name: 'UnreadableBodyError', requestId: 'req-from-body' });
    body = '{"Response":{"Events":[';
    headers = { 'X-TC-RequestId': 'req-from-header' };
    expect(await failure(rawClient().call('X'))).toMatchObject({ name: 'UnreadableBodyError', requestId: 'req-from-header', bytes: 23 });
    headers = {};
  });

  it('refuses a body that does not parse at once when the status is neither 2xx nor transient', async () => {
    status = 404;
    body = '<html><body>Not Found</body></html>';
    const refused = await failure(new TencentClient({ ...rawOptions(), retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 } }).call('X'));
    expect(refused).toBeInstanceOf(MalformedResponseError);
    expect(refused).not.toBeInstanceOf(UnreadableBodyError);
    expect(refused.message).toContain('X: body is not valid JSON (HTTP 404, 35 bytes)');
    expect(requests).toBe(1);
    status = 200;
  });

  it('rejects shape-less bodies', async () => {
    for (const shapeless of ['[]', '{"Result":{}}', '{"Response":{"Error":"oops","RequestId":"r1"}}', '{"Response":{}}']) {
      body = shapeless;
      const refused = await failure(rawClient().call('X'));
      expect(refused, shapeless).toBeInstanceOf(MalformedResponseError);
      expect(refused, `${shapeless} parses: the contract is broken, not the transfer`).not.toBeInstanceOf(UnreadableBodyError);
    }
  });

  it('treats HTTP 429 and 5xx envelopes as retryable even with a non-retryable code', async () => {
    status = 503;
    body = '{"Response":{"Error":{"Code":"FailedOperation","Message":"busy"},"RequestId":"r2"}}';
    expect(await failure(rawClient().call('X'))).toMatchObject({ code: 'FailedOperation', retryable: true, httpStatus: 503, requestId: 'r2' });
    status = 200;
  });

  it('classifies codes conservatively', () => {
    for (const code of ['RequestLimitExceeded', 'RequestLimitExceeded.UinLimitExceeded', 'InternalError', 'InternalError.SearchError']) {
      expect(isRetryableTencentCode(code), code).toBe(true);
    }
    for (const code of ['LimitExceeded.OverAmount', 'ResourceUnavailable', 'FailedOperation', 'InvalidParameter', 'AuthFailure.SignatureExpire', 'InternalErrorish']) {
      expect(isRetryableTencentCode(code), code).toBe(false);
    }
  });
});
