import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MalformedResponseError, ProviderError, UnreadableBodyError } from '../../../shared/lib/errors';
import type { Log } from '../../../shared/lib/logger';
import { UCloudClient, UCLOUD_ENDPOINT, isRetryableUCloudRetCode, type UCloudClientOptions } from '../../../shared/providers/ucloud/client';
import { UCloudApiServer } from '../../../simulators/ucloud/server';

const KEYS = { publicKey: 'fakePublicKeyForTests@example.com0001', privateKey: 'fakePrivateKeyForTestsOnly0123456789' };
const PROJECT = 'org-fakeproject42';

let server: UCloudApiServer;
let logged: unknown[];
const log: Log = {
  debug: (...entry) => logged.push(entry),
  info: (...entry) => logged.push(entry),
  warn: (...entry) => logged.push(entry),
  error: (...entry) => logged.push(entry),
};

function client(overrides: Partial<UCloudClientOptions> = {}): UCloudClient {
  return new UCloudClient({
    endpoint: server.url,
    credentials: KEYS,
    requestsPerSecond: 1000,
    timeoutMs: 2_000,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    redact: [PROJECT],
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
  server = await UCloudApiServer.start({ credentials: [KEYS] });
  server.register('Echo', { handler: ({ params }) => ({ Echo: params }) });
});

afterEach(async () => {
  await server.close();
});

describe('UCloudClient against the simulator', () => {
  it('signs a form POST, flattens nested parameters and returns the body with the request id', async () => {
    const { response, requestId } = await client().call<{ Echo: Record<string, string>; RetCode: number }>('Echo', {
      BeginTime: 1700000000,
      Flag: true,
      Ids: ['uhost-1', 'eip-2'],
      Resource: [{ ResourceId: 'uhost-1' }],
      Skipped: undefined,
    });
    expect(response.RetCode).toBe(0);
    expect(response.Echo).toEqual({
      Action: 'Echo',
      BeginTime: '1700000000',
      Flag: 'true',
      'Ids.0': 'uhost-1',
      'Ids.1': 'eip-2',
      'Resource.0.ResourceId': 'uhost-1',
    });
    expect(requestId).toBe(server.requests[0]!.requestId);
    expect(server.requests[0]).toMatchObject({ method: 'POST', contentType: 'application/x-www-form-urlencoded', outcome: 'Success' });
  });

  it('defaults to the public gateway', () => {
    expect(UCLOUD_ENDPOINT).toBe('https://api.ucloud.cn');
  });

  it('turns RetCode != 0 into a ProviderError with the code and request id, not retried', async () => {
    server.faults.push({ kind: 'error', retCode: 230, message: 'Params [BeginTime] not available' });
    const error = (await failure(client().call('Echo'))) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ provider: 'ucloud', code: '230', retryable: false, requestId: server.requests[0]!.requestId, httpStatus: 200 });
    expect(error.message).toContain('Params [BeginTime] not available');
    expect(error.message).toContain(server.requests[0]!.requestId);
    expect(server.requests).toHaveLength(1);
  });

  it('rejects a wrong private key with 171 and an unknown public key with 172, not retried', async () => {
    const wrongKey = (await failure(client({ credentials: { ...KEYS, privateKey: 'wrongFakePrivateKeyForTests' } }).call('Echo'))) as ProviderError;
    expect(wrongKey).toMatchObject({ code: '171', retryable: false });
    const unknown = (await failure(client({ credentials: { ...KEYS, publicKey: 'fakeUnknownPublicKey' } }).call('Echo'))) as ProviderError;
    expect(unknown).toMatchObject({ code: '172', retryable: false });
    expect(server.requests).toHaveLength(2);
  });

  it('retries throttling (153) and unavailability (150), then succeeds', async () => {
    server.faults.push({ kind: 'throttle' }, { kind: 'unavailable' });
    const { response, retries } = await client().call<{ Echo: unknown }>('Echo', { A: 1 });
    expect(response.Echo).toEqual({ Action: 'Echo', A: '1' });
    expect(server.requests.map((r) => r.outcome)).toEqual(['fault:throttle', 'fault:unavailable', 'Success']);
    // RetCode 153 is throttling; 150 (service unavailable) is retried but is not.
    expect(retries).toEqual({ total: 2, throttled: 1 });
    expect(logged.filter((entry) => (entry as unknown[])[0] === 'ucloud request failed; retrying')).toHaveLength(2);
  });

  it('gives up after the configured attempts with the last retryable error', async () => {
    server.faults.push({ kind: 'throttle', times: 10 });
    const error = (await failure(client().call('Echo'))) as ProviderError;
    expect(error).toMatchObject({ code: '153', retryable: true, throttled: true, requestId: server.requests[2]!.requestId });
    expect(error.retries).toEqual({ total: 2, throttled: 2 });
    expect(server.requests).toHaveLength(3);
  });

  it('retries HTTP 5xx and connection resets', async () => {
    server.faults.push({ kind: 'http500', status: 502 }, { kind: 'reset' });
    const { response } = await client().call<{ Echo: unknown }>('Echo', { A: 2 });
    expect(response.Echo).toMatchObject({ A: '2' });
    expect(server.requests.map((r) => r.outcome)).toEqual(['fault:http500', 'fault:reset', 'Success']);
    server.faults.push({ kind: 'reset', times: 3 });
    expect(await failure(client().call('Echo'))).toMatchObject({ code: 'NetworkError', retryable: true });
  });

  it('retries a non-JSON or truncated HTTP 200 body like a 5xx, counting the retry', async () => {
    server.faults.push({ kind: 'malformed' }, { kind: 'truncated' });
    const { response, retries } = await client().call<{ Echo: unknown }>('Echo', { A: 1 });
    expect(response.Echo).toMatchObject({ A: '1' });
    expect(retries).toEqual({ total: 2, throttled: 0 });
    expect(server.requests.map((r) => r.outcome)).toEqual(['fault:malformed', 'fault:truncated', 'Success']);
  });

  it('gives up on a body that never parses after the configured attempts, naming the last request and the body size', async () => {
    server.faults.push({ kind: 'malformed', times: 3 });
    const html = (await failure(client().call('Echo'))) as UnreadableBodyError;
    expect(html).toBeInstanceOf(UnreadableBodyError);
    expect(html.bodyExcerpt).toContain('502 Bad Gateway');
    expect(html.bytes).toBe(Buffer.byteLength(html.bodyExcerpt));
    expect(html.requestId).toBe(server.requests[2]!.requestId);
    expect(html.message).toContain(`(request ${server.requests[2]!.requestId}): Echo: body is not valid JSON (HTTP 200, ${html.bytes} bytes)`);
    expect(html.retries).toEqual({ total: 2, throttled: 0 });

    server.faults.push({ kind: 'truncated', times: 3 });
    const cut = (await failure(client().call('Echo', { Payload: 'x'.repeat(500) }))) as UnreadableBodyError;
    expect(cut).toBeInstanceOf(UnreadableBodyError);
    expect(cut.bytes).toBeGreaterThan(250);
    expect(cut.bodyExcerpt.length).toBeLessThanOrEqual(200);
    expect(cut.requestId).toBe(server.requests[5]!.requestId);
    expect(server.requests).toHaveLength(6);
  });

  it('times out a slow answer and retries it; rethrows the caller abort unchanged', async () => {
    server.faults.push({ kind: 'slow', delayMs: 1_000 });
    expect(await failure(client({ timeoutMs: 150, retry: { attempts: 1 } }).call('Echo'))).toMatchObject({ code: 'Timeout', retryable: true });
    server.faults.push({ kind: 'slow', delayMs: 1_000 });
    expect((await client({ timeoutMs: 150 }).call<{ Echo: unknown }>('Echo', { A: 3 })).response.Echo).toMatchObject({ A: '3' });
    server.faults.push({ kind: 'slow', delayMs: 1_000 });
    const controller = new AbortController();
    const reason = new Error('out of time');
    setTimeout(() => controller.abort(reason), 50);
    const before = server.requests.length;
    expect(await failure(client().call('Echo', {}, { signal: controller.signal }))).toBe(reason);
    expect(server.requests.length).toBe(before + 1);
  });

  it('never lets a key or the ProjectId into an error, its excerpt or the log', async () => {
    const secrets = [KEYS.privateKey, KEYS.publicKey, PROJECT];
    const errors: Error[] = [];
    server.faults.push({ kind: 'error', retCode: 230, message: `key ${KEYS.privateKey} pub ${KEYS.publicKey} project ${PROJECT}` });
    errors.push(await failure(client().call('Echo', { ProjectId: PROJECT })));
    for (const kind of ['malformed', 'truncated', 'throttle'] as const) {
      server.faults.push({ kind, times: 3 });
      errors.push(await failure(client().call('Echo', { ProjectId: PROJECT })));
    }
    errors.push(await failure(client({ credentials: { ...KEYS, privateKey: 'otherFakePrivateKeyForTests' } }).call('Echo')));
    const closed = server.url;
    await server.close();
    errors.push(await failure(client({ endpoint: closed }).call('Echo')));

    expect(errors.map((e) => (e as ProviderError).code ?? e.name)).toEqual([
      '230',
      'UnreadableBody',
      'UnreadableBody',
      '153',
      '171',
      'NetworkError',
    ]);
    expect(errors[0]!.message).toContain('key [redacted] pub [redacted] project [redacted]');
    for (const error of errors) {
      const rendered = [error.message, String(error), inspect(error, { depth: 5 }), JSON.stringify(error)].join('\n');
      for (const secret of secrets) expect(rendered).not.toContain(secret);
    }
    const clientText = `${inspect(client(), { depth: 5 })}${JSON.stringify(client())}`;
    for (const secret of secrets) expect(clientText).not.toContain(secret);
    const logText = JSON.stringify(logged);
    for (const secret of secrets) expect(logText).not.toContain(secret);
  });

  it('holds requests to the configured rate', async () => {
    const perSecond = 10;
    const api = client({ requestsPerSecond: perSecond });
    await Promise.all(Array.from({ length: 22 }, (_, i) => api.call('Echo', { i })));
    const times = server.requests.map((r) => r.time).sort((a, b) => a - b);
    for (let i = 0; i < times.length; i++) {
      expect(times.filter((t) => t >= times[i]! && t < times[i]! + 950).length).toBeLessThanOrEqual(perSecond);
    }
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(((times.length - 1) / perSecond) * 1000 * 0.9);
  });

  it('refuses to send without keys', async () => {
    expect(await failure(client({ credentials: { publicKey: '', privateKey: '' } }).call('Echo'))).toMatchObject({ code: 'MissingCredentials' });
    expect(server.requests).toHaveLength(0);
  });
});

describe('UCloudClient edge cases', () => {
  let raw: Server;
  let body = '';
  let headers: Record<string, string> = {};
  let status = 200;

  beforeEach(async () => {
    raw = createServer((_req, res) => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(body);
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    raw.closeAllConnections();
    await new Promise((resolve) => raw.close(resolve));
    [body, headers, status] = ['', {}, 200];
  });
  const rawClient = () =>
    new UCloudClient({
      endpoint: `http://127.0.0.1:${(raw.address() as AddressInfo).port}`,
      credentials: KEYS,
      requestsPerSecond: 1000,
      retry: { attempts: 1 },
    });

  it('rejects bodies without an integer RetCode', async () => {
    for (const shapeless of ['[]', '{}', '{"RetCode":"0"}', '{"RetCode":1.5}', 'null']) {
      body = shapeless;
      const refused = await failure(rawClient().call('X'));
      expect(refused, shapeless).toBeInstanceOf(MalformedResponseError);
      expect(refused, `${shapeless} parses: the contract is broken, not the transfer`).not.toBeInstanceOf(UnreadableBodyError);
    }
  });

  it('keeps the request id header on errors and treats 429/5xx as retryable whatever the RetCode', async () => {
    [status, body, headers] = [503, '{"RetCode":230,"Message":"busy"}', { 'X-UCloud-Request-UUID': 'req-503' }];
    expect(await failure(rawClient().call('X'))).toMatchObject({ code: '230', retryable: true, httpStatus: 503, requestId: 'req-503' });
    [status, body] = [429, 'Too Many Requests'];
    expect(await failure(rawClient().call('X'))).toMatchObject({ code: 'HTTP429', retryable: true });
    [status, body] = [404, '{"RetCode":0}'];
    expect(await failure(rawClient().call('X'))).toMatchObject({ code: 'HTTP404', retryable: false });
  });

  it('classifies RetCodes by the platform list', () => {
    for (const code of [110, 130, 150, 153]) expect(isRetryableUCloudRetCode(code), String(code)).toBe(true);
    for (const code of [160, 161, 170, 171, 172, 174, 230, 292, 294, 299, 2000, 8000]) {
      expect(isRetryableUCloudRetCode(code), String(code)).toBe(false);
    }
  });
});
