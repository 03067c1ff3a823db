import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock, type Clock } from '../../../shared/lib/clock';
import { MalformedResponseError, ProviderError, UnreadableBodyError } from '../../../shared/lib/errors';
import { IamTokenProvider, parseIamTime } from '../../../shared/providers/huawei/iam-token';
import { startDbssSimulator } from '../../../simulators/huawei/dbss/simulator';
import type { IamSimulator } from '../../../simulators/huawei/iam';
import type { HuaweiApiServer } from '../../../simulators/huawei/server';
import { IAM_USER, OTHER_PROJECT_ID, PROJECT_ID, failure } from './support';

const HOUR = 3_600_000;
let nowMs = Date.UTC(2025, 0, 15, 12);
const clock: Clock = { now: () => nowMs, sleep: systemClock.sleep };
let server: HuaweiApiServer;
let iam: IamSimulator;

beforeEach(async () => {
  nowMs = Date.UTC(2025, 0, 15, 12);
  ({ server, iam } = await startDbssSimulator({ iamUsers: [IAM_USER], now: () => nowMs }));
});
afterEach(async () => {
  await server.close();
});

const provider = (overrides: Partial<ConstructorParameters<typeof IamTokenProvider>[0]> = {}) =>
  new IamTokenProvider({ endpoint: server.url, credentials: IAM_USER, projectId: PROJECT_ID, clock, ...overrides });

describe('IamTokenProvider', () => {
  it('posts the password identity scoped to the project and returns X-Subject-Token', async () => {
    const token = await provider().token();
    expect(token).toMatch(/^MIIZ/);
    const [request] = server.requestsFor('iam.tokens');
    expect(request!.body).toEqual({
      auth: {
        identity: { methods: ['password'], password: { user: { domain: { name: IAM_USER.domainName }, name: IAM_USER.userName, password: IAM_USER.password } } },
        scope: { project: { id: PROJECT_ID } },
      },
    });
  });

  it('caches the token and renews it 5 minutes before expires_at', async () => {
    const tokens = provider();
    const first = await tokens.token();
    nowMs += 23 * HOUR + 54 * 60_000;
    expect(await tokens.token()).toBe(first);
    expect(iam.issued).toBe(1);
    nowMs += 60_000;
    const second = await tokens.token();
    expect(second).not.toBe(first);
    expect(iam.issued).toBe(2);
  });

  it('uses a short-lived token for half its life', async () => {
    await server.close();
    ({ server, iam } = await startDbssSimulator({ iamUsers: [IAM_USER], now: () => nowMs, tokenLifetimeMs: 4 * 60_000 }));
    const tokens = provider();
    const first = await tokens.token();
    nowMs += 119_000;
    expect(await tokens.token()).toBe(first);
    nowMs += 1_000;
    expect(await tokens.token()).not.toBe(first);
  });

  it('fetches once for concurrent callers, and again after invalidate', async () => {
    const tokens = provider();
    const all = await Promise.all([tokens.token(), tokens.token(), tokens.token()]);
    expect(new Set(all).size).toBe(1);
    expect(iam.issued).toBe(1);
    tokens.invalidate('some-other-token');
    expect(await tokens.token()).toBe(all[0]);
    tokens.invalidate(all[0]!);
    expect(await tokens.token()).not.toBe(all[0]);
    expect(iam.issued).toBe(2);
  });

  it('reports a wrong password or project as a non-retryable ProviderError naming no secret', async () => {
    const wrong = (await failure(provider({ credentials: { ...IAM_USER, password: 'wrongFakePassword!9' } }).token())) as ProviderError;
    expect(wrong).toMatchObject({ provider: 'huaweicloud', code: 'IAM.0101', retryable: false, httpStatus: 401 });
    expect(wrong.message).not.toContain('wrongFakePassword');
    expect(await failure(provider({ projectId: OTHER_PROJECT_ID }).token())).toMatchObject({ code: 'IAM.0103', retryable: false });
  });

  it('marks IAM throttling and outages retryable', async () => {
    server.faults.push({ kind: 'throttle', route: 'iam.tokens' });
    expect(await failure(provider().token())).toMatchObject({ code: 'APIGW.0308', retryable: true });
    server.faults.push({ kind: 'http', status: 503, route: 'iam.tokens' });
    expect(await failure(provider().token())).toMatchObject({ code: 'HTTP503', retryable: true });
  });

  it('parses IAM times with microseconds', () => {
    expect(parseIamTime('2025-01-16T12:00:00.123456Z')).toBe(Date.UTC(2025, 0, 16, 12, 0, 0, 123));
    expect(parseIamTime('2025-01-16T12:00:00Z')).toBe(Date.UTC(2025, 0, 16, 12));
    expect(parseIamTime('2025-01-16T20:00:00.000000+08:00')).toBe(Date.UTC(2025, 0, 16, 12));
    for (const bad of [undefined, 1737028800, 'tomorrow', '2025-01-16 12:00:00']) expect(parseIamTime(bad), String(bad)).toBeUndefined();
  });
});

describe('IamTokenProvider against a misbehaving IAM', () => {
  let raw: Server;
  let reply: { status: number; body: string; headers: Record<string, string> };
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
  const rawProvider = () => provider({ endpoint: `http://127.0.0.1:${(raw.address() as AddressInfo).port}` });

  it('rejects a 201 without X-Subject-Token or without a usable expires_at', async () => {
    reply = { status: 201, body: '{"token":{"expires_at":"2025-01-16T12:00:00.000000Z"}}', headers: {} };
    expect(await failure(rawProvider().token())).toBeInstanceOf(MalformedResponseError);
    reply = { status: 201, body: '{"token":{}}', headers: { 'X-Subject-Token': 'MIIZfake' } };
    expect((await failure(rawProvider().token())).message).toMatch(/expires_at/);
  });

  it('reports a 201 body cut short as an UnreadableBodyError naming the IAM request and the body size', async () => {
    reply = { status: 201, body: '{"token":{"expires_at":"2025-01-', headers: { 'X-Subject-Token': 'MIIZfake', 'X-Request-Id': 'iam-req-1' } };
    const cut = await failure(rawProvider().token());
    expect(cut).toBeInstanceOf(UnreadableBodyError);
    expect(cut).toMatchObject({ requestId: 'iam-req-1', bytes: 32 });
    expect(cut.message).toContain('IAM POST /v3/auth/tokens: body is not valid JSON (HTTP 201, 32 bytes)');
    expect(cut.message).not.toContain('MIIZfake');
  });
});
