/**
 * Bad bodies: answers that are cut short, not JSON, not the documented shape,
 * an error envelope cloudtap has never seen, or bytes that are not UTF-8. Each
 * case runs the real pipeline against each API's simulator, with a tampering
 * proxy bending the answers on their way back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError, UnreadableBodyError, type SourceRunError } from '../../shared/lib/errors';
import type { RunSummary } from '../../shared/core/run-options';
import { INVALID_UTF8_TAG } from '../../shared/core/map-page';
import type { Infrastructure } from '../scenarios/harness';
import {
  APIS,
  ONE_LANE,
  deliveredRaw,
  expectEachDeliveredOnce,
  failureOf,
  openCase,
  requestId,
  startInfrastructure,
  storedCursor,
  type Api,
  type Case,
} from './support';
import { onRequest, replaceBytes, rewriteJson, truncate, withBody, type ProxiedAnswer, type Tamper } from './tampering-proxy';

let infra: Infrastructure;
beforeAll(async () => {
  infra = await startInfrastructure();
});
afterAll(() => infra.stop());

/** Open a case for `api`, run it once with `tamper` on the first answer, and hand back both. */
async function runTampered(api: Api, tamper: Tamper) {
  const c = await openCase(infra, api);
  c.proxy.use(onRequest(1, tamper));
  const outcome = await c.scenario.run(ONE_LANE);
  return { c, outcome };
}

/** After a failed first run: no cursor stored, nothing delivered; a clean run then delivers every record once. */
async function expectRetriedCleanlyByTheNextRun(c: Case): Promise<void> {
  expect(await storedCursor(c), 'no cursor moved').toBeUndefined();
  expect(c.scenario.delivered()).toEqual([]);
  c.proxy.clear();
  await c.scenario.runOk(ONE_LANE);
  expectEachDeliveredOnce(c);
}

const HTML_GATEWAY_PAGE = '<html><head><title>502 Bad Gateway</title></head><body>upstream gateway</body></html>';

describe.each(APIS)('$type', (api) => {
  it('BI-01 truncated JSON body (HTTP 200, cut midway), once: retried within the run and counted; every record delivered once', async () => {
    const c = await openCase(infra, api);
    // The simulator's own fault: the normal answer cut in half, a complete HTTP message.
    c.sim.inject({ kind: 'truncated', times: 1 });
    const outcome = await c.scenario.runOk(ONE_LANE);
    expect(c.sim.faultsActed()).toMatchObject({ truncated: 1 });
    expect(outcome.summary.retries, 'the retry is counted').toBe(1);
    expect(outcome.summary.throttledRetries).toBe(0);
    expect(c.sim.requestCount(), 'one request more than pages').toBe(outcome.summary.pages + 1);
    expect(c.scenario.log.lines.some((line) => line.includes('failed; retrying') && line.includes('UnreadableBody'))).toBe(true);
    expectEachDeliveredOnce(c);
    await c.scenario.close();
  });

  it('BI-01 truncated JSON body on every attempt: the run stops naming the source, the request and the bytes received; no cursor moves', async () => {
    const c = await openCase(infra, api);
    const sizes: number[] = [];
    c.proxy.use((answer) => {
      const cut = truncate(answer, 0) as ProxiedAnswer;
      sizes.push(cut.body.length);
      return cut;
    });
    const outcome = await c.scenario.run(ONE_LANE);
    const attempts = api.facts.attempts;
    expect(c.sim.requestCount(), 'as many attempts as a 5xx gets').toBe(attempts);
    const message = failureOf(c, outcome);
    expect(message).toMatch(/returned a malformed response.*: .*body is not valid JSON \(HTTP 200, \d+ bytes\)/);
    expect(message).toContain(`(HTTP 200, ${sizes.at(-1)} bytes)`);
    const error = outcome.error as SourceRunError;
    const cause = error.cause as UnreadableBodyError;
    expect(cause).toBeInstanceOf(UnreadableBodyError);
    // The last attempt's request. Tencent's RequestId ends the body, cut off with the rest; the others send it as a header too.
    const lastRequestId = api.requestIdHeader ? requestId(c, attempts) : undefined;
    expect(cause.requestId).toBe(lastRequestId);
    if (lastRequestId) expect(message).toContain(`(request ${lastRequestId})`);
    expect((error.progress as RunSummary).retries, 'the retries made in vain are counted').toBe(attempts - 1);
    await expectRetriedCleanlyByTheNextRun(c);
    await c.scenario.close();
  });

  it('BI-02 non-JSON HTTP 200 body (an HTML gateway page), once: retried like a cut body; every record delivered once', async () => {
    const { c, outcome } = await runTampered(api, (answer) => withBody(answer, HTML_GATEWAY_PAGE, 'text/html'));
    expect(outcome.error).toBeUndefined();
    expect(outcome.summary?.retries).toBe(1);
    expect(c.sim.requestCount(), 'one retry').toBe((outcome.summary?.pages ?? 0) + 1);
    expectEachDeliveredOnce(c);
    await c.scenario.close();
  });

  it('BI-02 non-JSON HTTP 200 body on every attempt: the run stops naming the request and quoting the body', async () => {
    const c = await openCase(infra, api);
    c.proxy.use((answer) => withBody(answer, HTML_GATEWAY_PAGE, 'text/html'));
    const outcome = await c.scenario.run(ONE_LANE);
    const attempts = api.facts.attempts;
    const message = failureOf(c, outcome);
    expect(message).toContain(`body is not valid JSON (HTTP 200, ${Buffer.byteLength(HTML_GATEWAY_PAGE)} bytes)`);
    const cause = (outcome.error as SourceRunError).cause as UnreadableBodyError;
    expect(cause.requestId).toBe(api.requestIdHeader ? requestId(c, attempts) : undefined);
    expect(cause.bodyExcerpt).toBe(HTML_GATEWAY_PAGE);
    expect(c.sim.requestCount()).toBe(attempts);
    await expectRetriedCleanlyByTheNextRun(c);
    await c.scenario.close();
  });

  it('BI-03 gateway 5xx with a non-JSON body: retried with backoff, then every record is delivered once', async () => {
    const { c, outcome } = await runTampered(api, (answer) => withBody(answer, 'Bad Gateway', 'text/plain', 502));
    expect(outcome.error).toBeUndefined();
    expect(c.sim.requestCount(), 'one retry').toBe(2);
    expect(c.scenario.log.lines.some((line) => line.includes('failed; retrying') && line.includes('HTTP502'))).toBe(true);
    expectEachDeliveredOnce(c);
    await c.scenario.close();
  });

  it('BI-04 error envelope with an unknown code: not retried; the error names the code, the message and the request', async () => {
    const code = api.unknownErrorCode;
    const { c, outcome } = await runTampered(api, (answer) => api.errorAnswer(answer, code, 'a reason cloudtap has never seen'));
    const message = failureOf(c, outcome);
    const cause = (outcome.error as SourceRunError).cause as ProviderError;
    expect(cause).toBeInstanceOf(ProviderError);
    expect({ code: cause.code, retryable: cause.retryable, requestId: cause.requestId }).toEqual({
      code: String(code),
      retryable: false,
      requestId: requestId(c, 1),
    });
    expect(message).toContain(`error ${code} (request ${requestId(c, 1)})`);
    expect(message).toContain('a reason cloudtap has never seen');
    expect(c.sim.requestCount()).toBe(1);
    await expectRetriedCleanlyByTheNextRun(c);
    await c.scenario.close();
  });

  it('BI-05 JSON of the wrong shape (the record list is an object): the run stops at once, not retried, naming the field and the request', async () => {
    const { c, outcome } = await runTampered(
      api,
      rewriteJson((body) => api.withRecords(body, { ...api.records(body) })),
    );
    const message = failureOf(c, outcome);
    expect(message).toContain(`(request ${requestId(c, 1)})`);
    expect(message).toMatch(new RegExp(`response does not match the documented shape: ${api.listField}: Invalid input: expected array`));
    expect(c.sim.requestCount()).toBe(1);
    await expectRetriedCleanlyByTheNextRun(c);
    await c.scenario.close();
  });

  it('BI-06 bytes that are not UTF-8 inside a record: replaced by U+FFFD, delivered, tagged and logged with the request', async () => {
    const marker = '~not-utf8~';
    const c = await openCase(infra, api);
    c.proxy.use(
      onRequest(
        1,
        rewriteJson((body) => {
          const [first] = api.records(body);
          return api.withRecords(body, [...api.records(body), { ...api.distinct(first!, 'utf8'), [api.textField]: `mallory${marker}` }]);
        }),
      ),
    );
    // 0xFF never occurs in UTF-8; 0xC3 starts a two-byte sequence that 0x28 does not continue.
    c.proxy.use(replaceBytes(marker, Buffer.from([0xff, 0xc3, 0x28])));
    await c.scenario.runOk(ONE_LANE);

    const tagged = c.scenario.delivered().filter((document) => (document.tags ?? []).includes(INVALID_UTF8_TAG));
    expect(tagged).toHaveLength(1);
    const raw = JSON.parse(tagged[0]!.event.original) as Record<string, unknown>;
    expect(raw[api.textField]).toBe('mallory\uFFFD\uFFFD(');
    expect(tagged[0]!.event.kind, 'still a mapped event').toBe('event');
    expect(c.scenario.log.lines.some((line) => line.includes(INVALID_UTF8_TAG) && line.includes(requestId(c, 1)))).toBe(true);
    // The other records arrive untouched, each once.
    expectEachDeliveredOnce(c, 1);
    expect(deliveredRaw(c).filter((record) => JSON.stringify(record).includes('\uFFFD'))).toHaveLength(1);
    await c.scenario.close();
  });
});
