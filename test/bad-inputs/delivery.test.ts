/**
 * Records Firehose cannot take as they are: a raw record over the 1,000 KiB
 * record limit, a record whose mapped fields alone are over it, and a record
 * Firehose keeps refusing. The Firehose wire server enforces the real limits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError, type SourceRunError } from '../../shared/lib/errors';
import { datasetOf, type EcsDocument } from '../../shared/ecs/document';
import { MAX_RECORD_BYTES } from '../../shared/sinks/encode';
import type { Infrastructure } from '../scenarios/harness';
import { APIS, ONE_LANE, failureOf, openCase, startInfrastructure, storedCursor, type Api, type Case } from './support';
import { onRequest, rewriteJson } from './tampering-proxy';

type Json = Record<string, any>;

let infra: Infrastructure;
beforeAll(async () => {
  infra = await startInfrastructure();
});
afterAll(() => infra.stop());

/** 1.2 MB of text: over Firehose's record limit on its own. */
const OVERSIZED = 1_200_000;

/** Run once with `big` (built from the page's first record) added to the first page. */
async function runWithBigRecord(api: Api, big: (good: Json) => Json): Promise<{ c: Case; injected: Json; documents: EcsDocument[] }> {
  const c = await openCase(infra, api);
  let injected: Json = {};
  c.proxy.use(onRequest(1, rewriteJson((body) => api.withRecords(body, [...api.records(body), (injected = big(api.records(body)[0]!))]))));
  await c.scenario.runOk(ONE_LANE);
  // Parsing `event.original` is not possible for a cut one: documents are told apart by id.
  return { c, injected, documents: c.scenario.delivered() };
}

/** The one shrunk document, and that the page's ten other records arrived whole, once each. */
function shrunkOf(documents: EcsDocument[], injected: Json): EcsDocument {
  const shrunk = documents.filter((document) => document.cloudtap.original_truncated_bytes !== undefined);
  expect(shrunk).toHaveLength(1);
  const others = documents.filter((document) => document !== shrunk[0]);
  expect(others).toHaveLength(10);
  expect(new Set(others.map((document) => document.event.id)).size).toBe(10);
  const [document] = shrunk;
  const original = JSON.stringify(injected);
  expect(document!.cloudtap.original_truncated_bytes).toBe(Buffer.byteLength(original));
  expect(original.startsWith(document!.event.original), 'event.original keeps the start of the raw record').toBe(true);
  expect(Buffer.byteLength(JSON.stringify(document)), 'fits one Firehose record').toBeLessThanOrEqual(MAX_RECORD_BYTES);
  return document!;
}

describe.each(APIS)('$type', (api) => {
  it('BI-37 a raw record over the 1,000 KiB record limit: delivered with event.original cut and flagged, every mapped field kept', async () => {
    // A field the mapping ignores: only event.original carries it.
    const { injected, documents, c } = await runWithBigRecord(api, (good) => ({ ...api.distinct(good, 'big'), Annotations: 'x'.repeat(OVERSIZED) }));
    const document = shrunkOf(documents, injected);
    expect(document.event.kind).toBe('event');
    expect(document.cloudtap.fields_dropped).toBeUndefined();
    expect(document.cloudtap.source_id).toBe(c.scenario.sourceId);
    await c.scenario.close();
  });

  it('BI-38 a record whose mapped fields alone are over the limit: delivered with its core fields, what was left out listed', async () => {
    const { injected, documents, c } = await runWithBigRecord(api, (good) => ({ ...api.distinct(good, 'huge'), ...api.facts.bigMappedField(good, OVERSIZED) }));
    const document = shrunkOf(documents, injected);
    expect(document.event).toMatchObject({ kind: 'event', dataset: datasetOf(api.type) });
    expect(document.event.action).toEqual(expect.any(String));
    expect(document.cloudtap.fields_dropped).toContain('cloudtap.*');
    // The source and request stay, so the event can be found and traced.
    expect(document.cloudtap).toMatchObject({ source_id: c.scenario.sourceId, source_type: api.type });
    await c.scenario.close();
  });

  it('BI-39 Firehose keeps refusing a page\'s records: the run stops naming the stream, the count, the code and the request; the cursor holds', async () => {
    const c = await openCase(infra, api, { events: 120 });
    const { firehose } = c.scenario.infra;
    // From the second delivery (page 2) on, every record is refused, however often it is resent.
    const outcome = await c.scenario.run({
      ...ONE_LANE,
      beforeDelivery: { 2: () => firehose.faults.failRecords(() => true, { code: 'InternalFailure', times: Infinity }) },
    });
    firehose.faults.reset();
    const message = failureOf(c, outcome);
    const cause = (outcome.error as SourceRunError).cause as DeliveryError;
    expect(cause).toBeInstanceOf(DeliveryError);
    const page2 = outcome.fetches[1]!.records!;
    expect(message).toMatch(
      new RegExp(`firehose:${c.scenario.stream}: ${page2} record\\(s\\) not delivered after retries \\(InternalFailure x${page2}\\); last request [0-9a-f]{32}$`),
    );
    // Page 1 stays delivered; the cursor resumes at page 2, which a later run delivers.
    expect((await storedCursor(c))?.windows?.[0]?.pageToken).toBe(outcome.fetches[0]!.nextPageToken);
    await c.scenario.runOk(ONE_LANE);
    const { lost, duplicated } = c.scenario.compare();
    expect({ lost, duplicated }).toEqual({ lost: 0, duplicated: 0 });
    await c.scenario.close();
  });
});
