import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load';
import { mapPage, unmappedDocument } from '../../shared/core/map-page';
import type { Source } from '../../shared/core/ports/source';
import type { EcsDocument } from '../../shared/ecs/document';
import { systemClock } from '../../shared/lib/clock';
import { silentLog } from '../../shared/lib/logger';
import { registry } from '../../shared/providers/registry';

/**
 * The core stamps the envelope every document carries onto what a source's
 * mapping returns. Real sources map their APIs' documented example records.
 */

const fixture = (path: string) => JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8'));
const HEX_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const credentials = { secretId: 'AKIDmapPageTest', secretKey: 'mapPageTestKey', publicKey: 'mapPageTestPub', privateKey: 'mapPageTestPriv', accessKeyId: 'MAPPAGETESTAK', secretAccessKey: 'mapPageTestSk' };

const cases = [
  {
    type: 'tencent-cloudaudit',
    dataset: 'cloudtap.tencent_cloudaudit',
    config: { region: 'ap-guangzhou' },
    raw: fixture('tencent-cloudaudit/describe-events-seed.json').Response.Events[0],
  },
  { type: 'tencent-ssl', dataset: 'cloudtap.tencent_ssl', config: {}, raw: fixture('tencent-ssl/describe-certificate-operate-logs-seed.json').Response.OperateLogs[0] },
  { type: 'ucloud-operations', dataset: 'cloudtap.ucloud_operations', config: {}, raw: fixture('ucloud-operations/get-user-operation-events-seed.json').Events[0] },
  {
    type: 'huawei-dbss',
    dataset: 'cloudtap.huawei_dbss',
    config: { region: 'cn-north-4', options: { projectId: HEX_ID, instanceId: HEX_ID } },
    raw: fixture('huawei-dbss/operation-log-seed.json').operate_log[0],
  },
];

function sourceOf(type: string, config: Record<string, unknown>): Source {
  const [instance] = parseConfig({ sources: [{ id: 'src-1', type, endpoint: 'http://127.0.0.1:1', ...config }] }, registry).sources;
  return registry.get(type)!.create({ instance: instance!, credentials, clock: systemClock, log: silentLog });
}

const window = { start: 0, end: 2 ** 31 };
const provenance = { sourceId: 'src-1', ingested: '2026-11-21T00:00:00.000Z', requestId: 'req-9' };

/** The document without the fields the core stamps. */
function vendorPart(document: EcsDocument): unknown {
  const { ecs: _ecs, event, cloudtap, ...rest } = document;
  const { dataset: _d, module: _m, created: _c, ingested: _i, original: _o, ...vendorEvent } = event;
  const { source_id: _s, source_type: _t, request_id: _r, ...vendorCloudtap } = cloudtap;
  return { ...rest, event: vendorEvent, cloudtap: vendorCloudtap };
}

describe('mapPage stamps the envelope', () => {
  it.each(cases)('on every $type document', ({ type, dataset, config, raw }) => {
    const source = sourceOf(type, config);
    const [document] = mapPage(source, [raw], window, provenance).documents;
    expect(document).toMatchObject({
      ecs: { version: '9.4.0' },
      event: { kind: 'event', dataset, module: 'cloudtap', created: '2026-11-21T00:00:00.000Z', ingested: '2026-11-21T00:00:00.000Z' },
      cloudtap: { source_id: 'src-1', source_type: type, request_id: 'req-9' },
    });
    expect(JSON.parse(document!.event.original)).toEqual(raw);
    // Everything else is the mapping's, unchanged.
    expect(vendorPart(document!)).toEqual(source.normalize(raw, { occurrence: 0 }));
  });

  it('leaves out the request id when the page has none', () => {
    const { type, config, raw } = cases[0]!;
    const [document] = mapPage(sourceOf(type, config), [raw], window, { sourceId: 'src-1', ingested: provenance.ingested }).documents;
    expect(document!.cloudtap).not.toHaveProperty('request_id');
  });

  it('on the raw document of a record that cannot be mapped', () => {
    const raw = { CreatedOn: 'not a time', Action: 'x' };
    const { documents, mappingErrors } = mapPage(sourceOf('tencent-ssl', {}), [raw], window, provenance);
    expect(mappingErrors).toBe(1);
    expect(documents).toEqual([
      {
        '@timestamp': '2026-11-21T00:00:00.000Z',
        ecs: { version: '9.4.0' },
        event: {
          id: expect.stringMatching(/^[0-9a-f]{32}$/),
          kind: 'pipeline_error',
          dataset: 'cloudtap.tencent_ssl',
          module: 'cloudtap',
          created: '2026-11-21T00:00:00.000Z',
          ingested: '2026-11-21T00:00:00.000Z',
          original: '{"CreatedOn":"not a time","Action":"x"}',
        },
        error: { message: expect.stringMatching(/^record could not be mapped: .*CreatedOn/), type: 'mapping_error' },
        tags: ['cloudtap_mapping_error'],
        cloudtap: { source_id: 'src-1', source_type: 'tencent-ssl', request_id: 'req-9', mapping_error: expect.stringMatching(/CreatedOn/) },
      },
    ]);
  });

  it('keeps a raw value that is not JSON-serializable readable in event.original', () => {
    const document = unmappedDocument('tencent-ssl', undefined, undefined, { ...provenance, occurrence: 0 }, new Error('no record'));
    expect(document.event.original).toBe('undefined');
  });
});

describe('mapPage numbers identical records', () => {
  const { raw } = cases[1]!;
  const ids = (occurrences?: number[]) =>
    mapPage(sourceOf('tencent-ssl', {}), [raw, structuredClone(raw)], window, { ...provenance, occurrences }).documents.map((d) => d.event.id);

  it('within the page when the source does not count them', () => {
    const [first, second] = ids();
    expect(first).not.toBe(second);
    expect(ids([0, 1])).toEqual([first, second]);
  });

  it('by the counts the page carries (identical records on earlier pages of the window)', () => {
    const [, second, third] = [...ids([0, 1]), ...ids([2, 3])];
    expect(ids([1, 2])[0]).toBe(second);
    expect(new Set([...ids([0, 1]), ...ids([2, 3])]).size).toBe(4);
    expect(ids([2, 3])[0]).toBe(third);
  });

  it('refuses counts that do not match the page', () => {
    expect(() => ids([0])).toThrow(/occurrences of 1 records but holds 2/);
  });
});
