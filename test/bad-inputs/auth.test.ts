/**
 * Bad credentials and clocks: a wrong secret, a key the provider does not
 * know (revoked), a clock far enough off that signatures expire, temporary
 * credentials that expire mid-run, an IAM that will not issue a new token, a
 * provider echoing a secret back. Authentication errors are never retried
 * (Huawei locks a key after five bad signatures), always name the provider's
 * code and request id, and never carry a secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../shared/lib/clock';
import { ProviderError, type SourceRunError } from '../../shared/lib/errors';
import type { Infrastructure } from '../scenarios/harness';
import { badInputApi as cloudAudit } from '../providers/tencent/cloudaudit/bad-inputs';
import { badInputApi as dbss, IAM_USER, dbssTokenMode, type TokenSimulatorHandle } from '../providers/huawei/dbss/bad-inputs';
import { badInputApi as ssl } from '../providers/tencent/ssl/bad-inputs';
import { badInputApi as ucloud } from '../providers/ucloud/operations/bad-inputs';
import { badInputApi as actionTrail } from '../providers/alibaba/actiontrail/bad-inputs';
import {
  APIS,
  MINUTE,
  ONE_LANE,
  expectEachDeliveredOnce,
  expectNoSecret,
  failureOf,
  openCase,
  requestId,
  startInfrastructure,
  storedCursor,
  type Api,
  type Case,
} from './support';
import { onRequest } from './tampering-proxy';

let infra: Infrastructure;
beforeAll(async () => {
  infra = await startInfrastructure();
});
afterAll(() => infra.stop());

/**
 * Run once with `credentials` and expect an authentication failure on the
 * first request: `code` named with its request id, nothing retried, no
 * credential (the right ones or the wrong ones) anywhere, no cursor.
 */
async function expectRefusedOnce(c: Case, credentials: Record<string, string>, code: string, text: RegExp): Promise<string> {
  const outcome = await c.scenario.run({ ...ONE_LANE, credentials });
  const message = failureOf(c, outcome, { ...c.sim.credentials, ...credentials });
  const cause = (outcome.error as SourceRunError).cause as ProviderError;
  expect(cause).toBeInstanceOf(ProviderError);
  expect({ code: cause.code, retryable: cause.retryable, requestId: cause.requestId }).toEqual({ code, retryable: false, requestId: requestId(c, 1) });
  expect(message).toMatch(text);
  expect(c.sim.requestCount(), 'an authentication error is not retried').toBe(1);
  expect(await storedCursor(c)).toBeUndefined();
  expect(c.scenario.delivered()).toEqual([]);
  return message;
}

describe.each(APIS)('$type', (api) => {
  const keys = api.facts.keys;

  it('BI-18 a wrong secret (the signature does not verify): refused once, not retried, the code and request named, no key shown', async () => {
    const c = await openCase(infra, api);
    await expectRefusedOnce(c, { ...c.sim.credentials, [keys.secret]: 'wrongFakeSecretForBadInputCases0001' }, ...keys.badSignature);
    await c.scenario.close();
  });

  it('BI-19 a key the provider does not know (revoked or mistyped): refused once, not retried, the code and request named', async () => {
    const c = await openCase(infra, api);
    await expectRefusedOnce(c, { ...c.sim.credentials, [keys.id]: 'REVOKEDFAKEKEYID0001' }, ...keys.unknownKey);
    await c.scenario.close();
  });
});

/** A clock `skewMs` ahead of `clock`, sleeping on it: the source signs with it, the run keeps the true time. */
const ahead = (clock: Clock, skewMs: number): Clock => ({ now: () => clock.now() + skewMs, sleep: (ms, signal) => clock.sleep(ms, signal) });

describe.each([
  { api: cloudAudit, skewMinutes: 10, code: 'AuthFailure.SignatureExpire', text: /Signature expired.*check its time sync/ },
  { api: ssl, skewMinutes: 10, code: 'AuthFailure.SignatureExpire', text: /Signature expired.*check its time sync/ },
  { api: dbss, skewMinutes: 20, code: 'APIGW.0301', text: /signature expired \(X-Sdk-Date comes from the local clock.*check its time sync\)/ },
  { api: actionTrail, skewMinutes: 20, code: 'InvalidTimeStamp.Expired', text: /Specified time stamp or date value is expired.*check its time sync/ },
  { api: ucloud, skewMinutes: 60, code: undefined, text: undefined },
])('$api.type', ({ api, skewMinutes, code, text }) => {
  const verdict = code ? 'refused once, not retried, the error points at the clock' : 'UCloud signs no time: the run is unaffected';
  it(`BI-20 this machine's clock ${skewMinutes} minutes ahead of the provider's: ${verdict}`, async () => {
    const c = await openCase(infra, api);
    const { scenario } = c;
    const source = scenario.fixture.definition.create({
      instance: scenario.instance,
      credentials: c.sim.credentials,
      clock: ahead(scenario.clock, skewMinutes * MINUTE * 1000),
      log: scenario.log,
    });
    const outcome = await scenario.run({ ...ONE_LANE, process: { ...scenario.newProcess(), source } });
    if (code === undefined) {
      expect(outcome.error).toBeUndefined();
      expectEachDeliveredOnce(c);
    } else {
      const message = failureOf(c, outcome);
      expect(((outcome.error as SourceRunError).cause as ProviderError).code).toBe(code);
      expect(message).toContain(`(request ${requestId(c, 1)})`);
      expect(message).toMatch(text!);
      expect(c.sim.requestCount()).toBe(1);
      expect(await storedCursor(c)).toBeUndefined();
    }
    await scenario.close();
  });
});

describe.each([
  { api: cloudAudit, code: 'AuthFailure.TokenFailure', message: 'The token is invalid or expired.', status: undefined },
  { api: ssl, code: 'AuthFailure.TokenFailure', message: 'The token is invalid or expired.', status: undefined },
  { api: dbss, code: 'APIGW.0301', message: 'Incorrect IAM authentication information: the security token expired', status: 401 },
  { api: actionTrail, code: 'InvalidSecurityToken.Expired', message: 'Specified SecurityToken is expired.', status: 400 },
])('$api.type', ({ api, code, message, status }) => {
  it('BI-21 temporary keys whose session token expires mid-run: the run stops naming the code and request, the cursor after the last page', async () => {
    const c = await openCase(infra, api, { events: 120 });
    c.proxy.use(onRequest(2, (answer) => api.errorAnswer(answer, code, message, status)));
    const outcome = await c.scenario.run(ONE_LANE);
    expect(failureOf(c, outcome)).toContain(`error ${code} (request ${requestId(c, 2)})`);
    expect(c.sim.requestCount(), 'not retried with the same expired token').toBe(2);
    // Page 1 is delivered and checkpointed; the next run (with fresh keys from the secret) resumes at page 2.
    expect((await storedCursor(c))?.windows?.[0]?.pageToken).toBe(outcome.fetches[0]!.nextPageToken);
    c.proxy.clear();
    await c.scenario.runOk(ONE_LANE);
    expectEachDeliveredOnce(c);
    await c.scenario.close();
  });
});

describe('huawei-dbss, IAM token mode', () => {
  it('BI-21 the IAM token expires (is revoked) mid-run: a new one is fetched once and the run goes on, nothing lost or doubled', async () => {
    const c = await openCase(infra, dbssTokenMode, { events: 120 });
    const sim = c.sim as TokenSimulatorHandle;
    // Revoked as the first page's answer passes: the second request carries a dead token.
    c.proxy.use(onRequest(1, () => (sim.iam.expireAll(), undefined)));
    const run = await c.scenario.runOk(ONE_LANE);
    expect(sim.iam.issued, 'one token, then one renewal').toBe(2);
    expect(c.sim.requestCount(), 'the rejected request once more').toBe(run.summary.pages + 1);
    expect(c.scenario.log.lines.some((line) => line.includes('retrying') && line.includes('APIGW.0301') && line.includes(requestId(c, 2)))).toBe(true);
    expectEachDeliveredOnce(c);
    expectNoSecret(c.scenario.log.lines.join('\n'), IAM_USER);
    await c.scenario.close();
  });

  it('BI-22 IAM will not issue a new token (the password was changed): the run stops naming IAM and its request, the cursor holds', async () => {
    const c = await openCase(infra, dbssTokenMode, { events: 120 });
    const sim = c.sim as TokenSimulatorHandle;
    c.proxy.use(
      onRequest(1, () => {
        sim.iam.expireAll();
        sim.iam.users[0]!.password = 'changedFakePasswordNobodyKnows-1';
        return undefined;
      }),
    );
    const outcome = await c.scenario.run(ONE_LANE);
    const message = failureOf(c, outcome, { ...IAM_USER, changed: 'changedFakePasswordNobodyKnows-1' });
    const renewal = sim.iamRequestIds()[1]!;
    expect(message).toContain(`huaweicloud error IAM.0101 (request ${renewal}): IAM POST /v3/auth/tokens: The username or password is wrong.`);
    expect(((outcome.error as SourceRunError).cause as ProviderError).retryable).toBe(false);
    expect(sim.iamRequestIds(), 'one renewal attempt, not a loop').toHaveLength(2);
    expect((await storedCursor(c))?.windows?.[0]?.pageToken).toBe(outcome.fetches[0]!.nextPageToken);
    expect(c.scenario.compare()).toMatchObject({ delivered: 50, duplicated: 0 });
    await c.scenario.close();
  });
});

describe.each([
  { api: cloudAudit, secrets: ['secretKey', 'token'] },
  { api: ssl, secrets: ['secretKey', 'token'] },
  { api: ucloud, secrets: ['privateKey'] },
  { api: dbss, secrets: ['secretAccessKey', 'securityToken'] },
])('$api.type', ({ api, secrets }) => {
  it('BI-23 the provider echoes a secret in its error message: replaced by [redacted] in the error and every log line', async () => {
    const c = await openCase(infra, api);
    const code = api === ucloud ? 230 : api === dbss ? 'DBSS.10000001' : 'InvalidParameter';
    const echoed = secrets.map((field) => `${field}=${c.sim.credentials[field]}`).join(', ');
    c.proxy.use(onRequest(1, (answer) => api.errorAnswer(answer, code, `the request carried ${echoed}`)));
    const outcome = await c.scenario.run(ONE_LANE);
    const message = failureOf(c, outcome);
    expect(message).toContain(`the request carried ${secrets.map((field) => `${field}=[redacted]`).join(', ')}`);
    await c.scenario.close();
  });
});
