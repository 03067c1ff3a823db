import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../shared/lib/clock';
import { ProviderError, UnreadableBodyError } from '../../../shared/lib/errors';
import { AlibabaClient } from '../../../shared/providers/alibaba/client';
import { AlibabaApiError, AlibabaApiServer } from '../../../simulators/alibaba/server';

const keys = { accessKeyId: 'LTAIclientTestFakeId', accessKeySecret: 'clientTestFakeKeySecret', securityToken: 'clientTestFakeStsToken' };
const RETRY = { attempts: 3, baseDelayMs: 1, maxDelayMs: 1, random: () => 0 };

describe('AlibabaClient against the simulated gateway', () => {
  let server: AlibabaApiServer;
  let answers: Array<() => Record<string, unknown>>;
  const client = (credentials = keys) =>
    new AlibabaClient({ version: '2020-07-06', endpoint: server.url, credentials, requestsPerSecond: 1000, retry: RETRY, clock: systemClock });

  beforeEach(async () => {
    server = await AlibabaApiServer.start({ credentials: [keys] });
    answers = [];
    server.register('LookupEvents', { version: '2020-07-06', handler: () => (answers.shift() ?? (() => ({ Events: [] })))() });
  });
  afterEach(() => server.close());

  it('signs a POST with the parameters in the query and the STS token, and returns the body and its RequestId', async () => {
    const { body, requestId, retries } = await client().call('LookupEvents', { MaxResults: 50, LookupAttribute: [{ Key: 'EventName', Value: 'Delete Trail*' }] });
    const [request] = server.requestsFor('LookupEvents');
    expect(request!.params).toEqual({ MaxResults: '50', 'LookupAttribute.1.Key': 'EventName', 'LookupAttribute.1.Value': 'Delete Trail*' });
    expect({ outcome: request!.outcome, accessKeyId: request!.accessKeyId }).toEqual({ outcome: 'Success', accessKeyId: keys.accessKeyId });
    expect(requestId).toBe(request!.requestId);
    expect(body).toEqual({ RequestId: request!.requestId, Events: [] });
    expect(retries).toEqual({ total: 0, throttled: 0 });
  });

  it('retries Throttling.User (HTTP 400) and counts it as throttled', async () => {
    server.faults.push({ kind: 'throttle', times: 2 });
    const { retries } = await client().call('LookupEvents', {});
    expect(retries).toEqual({ total: 2, throttled: 2 });
    expect(server.requestsFor('LookupEvents').map((request) => request.outcome)).toEqual(['fault:throttle', 'fault:throttle', 'Success']);
  });

  it('retries InternalError and ServiceUnavailable, then gives up naming the code and the request', async () => {
    server.faults.push({ kind: 'internal', times: 1 }, { kind: 'unavailable', times: 5 });
    const error = (await client().call('LookupEvents', {}).catch((caught: unknown) => caught)) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    const last = server.requestsFor('LookupEvents').at(-1)!;
    expect({ code: error.code, status: error.httpStatus, retryable: error.retryable, requestId: error.requestId }).toEqual({
      code: 'ServiceUnavailable',
      status: 503,
      retryable: true,
      requestId: last.requestId,
    });
    expect(server.requestsFor('LookupEvents')).toHaveLength(3);
  });

  it('does not retry an API error, and names its code, message and request', async () => {
    answers.push(() => {
      throw new AlibabaApiError(400, 'InvalidParameter', 'The time range must not exceed 30 days.');
    });
    const error = (await client().call('LookupEvents', {}).catch((caught: unknown) => caught)) as ProviderError;
    expect(error.message).toBe(`alibabacloud error InvalidParameter (request ${server.requests[0]!.requestId}): LookupEvents: The time range must not exceed 30 days.`);
    expect(error.retryable).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  it('refuses a wrong secret with SignatureDoesNotMatch, once, and never shows a credential', async () => {
    const error = (await client({ ...keys, accessKeySecret: 'wrongFakeKeySecret' }).call('LookupEvents', {}).catch((caught: unknown) => caught)) as ProviderError;
    expect({ code: error.code, retryable: error.retryable }).toEqual({ code: 'SignatureDoesNotMatch', retryable: false });
    expect(error.message).toMatch(/check the AccessKey secret/);
    for (const value of [...Object.values(keys), 'wrongFakeKeySecret']) expect(error.message).not.toContain(value);
  });

  it('refuses a missing or wrong STS token', async () => {
    const error = (await client({ accessKeyId: keys.accessKeyId, accessKeySecret: keys.accessKeySecret, securityToken: 'otherFakeToken' }).call('LookupEvents', {}).catch((caught: unknown) => caught)) as ProviderError;
    expect(error.code).toBe('InvalidSecurityToken.MismatchWithAccessKey');
  });

  it('redacts a credential the gateway echoes back', async () => {
    answers.push(() => {
      throw new AlibabaApiError(403, 'Forbidden.RAM', `User ${keys.accessKeyId} is not authorized; token ${keys.securityToken}`);
    });
    const error = (await client().call('LookupEvents', {}).catch((caught: unknown) => caught)) as ProviderError;
    expect(error.message).toContain('User [redacted] is not authorized; token [redacted]');
  });

  it('retries an HTML page with HTTP 200 like a cut body, then gives up as unreadable', async () => {
    server.faults.push({ kind: 'malformed', times: 3 });
    const error = await client().call('LookupEvents', {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnreadableBodyError);
    expect(String(error)).toMatch(/LookupEvents: body is not valid JSON \(HTTP 200, \d+ bytes\)/);
    expect((error as UnreadableBodyError).requestId).toBe(server.requests.at(-1)!.requestId);
    expect(server.requests).toHaveLength(3);
  });
});
