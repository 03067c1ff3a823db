/**
 * Bad records inside a good page: wrong types, missing fields, items that are
 * not objects, values the mapping has never seen. One record that cannot be
 * mapped is delivered raw, flagged `event.kind: pipeline_error` and counted
 * (the MappingErrors metric); it never holds back the records around it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../shared/lib/hashing';
import type { EcsDocument } from '../../shared/ecs/document';
import { runMetricValues } from '../../shared/ops/run-metrics';
import type { Infrastructure, OkRun } from '../scenarios/harness';
import { badInputApi as cloudAudit } from '../providers/tencent/cloudaudit/bad-inputs';
import { badInputApi as dbss } from '../providers/huawei/dbss/bad-inputs';
import { badInputApi as ssl } from '../providers/tencent/ssl/bad-inputs';
import { badInputApi as ucloud } from '../providers/ucloud/operations/bad-inputs';
import {
  APIS,
  NOW,
  ONE_LANE,
  expectEachDeliveredOnce,
  openCase,
  pipelineErrors,
  requestId,
  startInfrastructure,
  storedCursor,
  type Api,
  type Case,
} from './support';
import { onRequest, rewriteJson } from './tampering-proxy';

type Json = Record<string, any>;

let infra: Infrastructure;
beforeAll(async () => {
  infra = await startInfrastructure();
});
afterAll(() => infra.stop());

/**
 * Run `api` once with the records `inject` builds (from the page's first, good
 * record) added to its first page; the page's ten good records stay in it.
 */
async function runWithInjected(api: Api, inject: (good: Json) => unknown[]): Promise<{ c: Case; run: OkRun; injected: unknown[] }> {
  const c = await openCase(infra, api);
  let injected: unknown[] = [];
  c.proxy.use(
    onRequest(
      1,
      rewriteJson((body) => {
        injected = inject(structuredClone(api.records(body)[0]!));
        return api.withRecords(body, [...api.records(body), ...injected]);
      }),
    ),
  );
  const run = await c.scenario.runOk(ONE_LANE);
  return { c, run, injected };
}

/** The delivered document carrying `raw` (compared as canonical JSON). */
function documentOf(c: Case, raw: unknown): EcsDocument {
  const key = canonicalJson(raw);
  const found = c.scenario.delivered().filter((document) => canonicalJson(JSON.parse(document.event.original)) === key);
  expect(found, `one document carries ${key.slice(0, 80)}`).toHaveLength(1);
  return found[0]!;
}

/**
 * What every unmappable record gets: delivered raw and flagged, counted in the
 * run and in its MappingErrors metric, the good records delivered once, and
 * the cursor past the page (the flagged records were delivered too).
 */
async function expectDeliveredRawAndCounted(c: Case, run: OkRun, injected: unknown[], why: RegExp): Promise<void> {
  for (const raw of injected) {
    const document = documentOf(c, raw);
    expect(document.event.kind).toBe('pipeline_error');
    expect(JSON.parse(document.event.original)).toEqual(raw);
    expect(document.tags).toContain('cloudtap_mapping_error');
    expect(document.error).toMatchObject({ type: 'mapping_error', message: expect.stringMatching(why) });
    expect(document.cloudtap).toMatchObject({ source_id: c.scenario.sourceId, source_type: c.api.type, request_id: requestId(c, 1) });
    expect(document.event.id).toMatch(/^[0-9a-f]{32}$/);
  }
  expect(pipelineErrors(c.scenario.delivered())).toHaveLength(injected.length);
  expect(run.summary.mappingErrors).toBe(injected.length);
  const metrics = runMetricValues({ sourceType: c.api.type, sourceId: c.scenario.sourceId, summary: run.summary, failed: false, durationMs: 0 });
  expect(metrics.MappingErrors).toBe(injected.length);
  expect(c.scenario.log.lines.some((line) => line.includes('could not be mapped') && line.includes(requestId(c, 1)))).toBe(true);
  expectEachDeliveredOnce(c, injected.length);
  expect((await storedCursor(c))?.windowStart, 'the cursor moved past the page').toBe(run.summary.window!.end);
}

describe.each(APIS)('$type', (api) => {
  it('BI-07 a field of the wrong type (the event time): delivered raw, flagged, counted; the rest of the page is delivered', async () => {
    const { c, run, injected } = await runWithInjected(api, (good) => [{ ...api.distinct(good, 'typed'), [api.timeField]: api.facts.wrongTypedTime }]);
    await expectDeliveredRawAndCounted(c, run, injected, new RegExp(`^record could not be mapped: .*${api.timeField}`));
    // Undatable, it carries the time it was pulled.
    expect(documentOf(c, injected[0])['@timestamp']).toBe(new Date(NOW * 1000).toISOString());
    await c.scenario.close();
  });

  it('BI-08 missing fields (no event time; an empty object): delivered raw, flagged, counted', async () => {
    const { c, run, injected } = await runWithInjected(api, (good) => {
      const { [api.timeField]: _time, ...undated } = api.distinct(good, 'undated');
      return [undated, {}];
    });
    await expectDeliveredRawAndCounted(c, run, injected, /record could not be mapped: /);
    await c.scenario.close();
  });

  it('BI-09 list items that are not objects (null, a string, a number, a list): each delivered raw, flagged, counted', async () => {
    const { c, run, injected } = await runWithInjected(api, () => [null, 'deleted', 42, ['a', 'list']]);
    await expectDeliveredRawAndCounted(c, run, injected, /record could not be mapped: /);
    expect(injected.map((raw) => documentOf(c, raw).event.original)).toEqual(['null', '"deleted"', '42', '["a","list"]']);
    await c.scenario.close();
  });
});

describe.each([
  { api: ucloud, field: 'IsSuccess', value: 'yes', kept: (document: EcsDocument) => JSON.parse(document.event.original).IsSuccess },
  { api: dbss, field: 'result', value: 'partially', kept: (document: EcsDocument) => (document.cloudtap as Json).huaweicloud.dbss.result },
])('$api.type', ({ api, field, value, kept }) => {
  it(`BI-10 an outcome value outside the documented ones (${field}: "${value}"): event.outcome unknown, the raw value kept`, async () => {
    const { c, run, injected } = await runWithInjected(api, (good) => [{ ...api.distinct(good, 'outcome'), [field]: value }]);
    const document = documentOf(c, injected[0]);
    expect(document.event.kind).toBe('event');
    expect(document.event.outcome).toBe('unknown');
    expect(kept(document)).toBe(value);
    expect(run.summary.mappingErrors).toBe(0);
    expectEachDeliveredOnce(c, 1);
    await c.scenario.close();
  });
});

/** CloudAudit types an unknown verb by the record's actionType (a read is `access`): make it a write. */
const asWrite = (record: Json): Json => ({ ...record, CloudAuditEvent: JSON.stringify({ ...JSON.parse(record.CloudAuditEvent), actionType: 'Write' }) });

describe.each([
  { api: cloudAudit, field: 'EventName', value: 'FrobnicateWidget', action: 'FrobnicateWidget', type: 'change', prepare: asWrite },
  { api: ssl, field: 'Type', value: 'frobnicate', action: 'frobnicate', type: 'info' },
  { api: ucloud, field: 'Api', value: 'FrobnicateWidget', action: 'FrobnicateWidget', type: 'change' },
  { api: dbss, field: 'action', value: 'Frobnicate', action: /^frobnicate(-|$)/, type: 'change' },
])('$api.type', ({ api, field, value, action, type, prepare = (record: Json) => record }) => {
  it(`BI-11 an operation type the mapping does not know (${field}: "${value}"): mapped, the action kept verbatim, a generic event.type`, async () => {
    const { c, run, injected } = await runWithInjected(api, (good) => [{ ...prepare(api.distinct(good, 'unknown-op')), [field]: value }]);
    const document = documentOf(c, injected[0]);
    expect(document.event.kind).toBe('event');
    expect(document.event.action).toMatch(typeof action === 'string' ? new RegExp(`^${action}$`) : action);
    expect(document.event.type).toEqual([type]);
    expect(run.summary.mappingErrors).toBe(0);
    expectEachDeliveredOnce(c, 1);
    await c.scenario.close();
  });
});

describe('tencent-cloudaudit', () => {
  it('BI-12 a nested JSON string that does not decode (CloudAuditEvent cut short): mapped from the outer fields, kept as text, tagged', async () => {
    const { c, run, injected } = await runWithInjected(cloudAudit, (good) => [
      { ...cloudAudit.distinct(good, 'nested'), CloudAuditEvent: good.CloudAuditEvent.slice(0, 40) },
    ]);
    const document = documentOf(c, injected[0]);
    expect(document.event.kind).toBe('event');
    expect(document.tags).toContain('cloudtap_decode_error');
    expect(document.cloudtap).toMatchObject({ decode_errors: ['CloudAuditEvent'] });
    expect(document.event.action).toBe((injected[0] as Json).EventName);
    expect(run.summary.mappingErrors).toBe(0);
    expectEachDeliveredOnce(c, 1);
    await c.scenario.close();
  });
});
