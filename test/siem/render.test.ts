import { mkdtemp, readFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { siemAssetsCommand } from '../../cli/commands/siem-assets';
import { elasticAssets } from '../../shared/ops/siem/elastic-assets';
import { splunkAppFiles } from '../../shared/ops/siem/splunk-app';
import type { SiemFacts } from '../../shared/providers/siem';
import { definitions } from '../../shared/providers/registry';
import { parseConf } from './conf';

/** A source type cloudtap does not have: what a new provider folder would declare. */
function acme(change: (facts: SiemFacts) => void = () => {}) {
  const siem: SiemFacts = {
    splunk: {
      sourcetype: 'acme:audit',
      vendor: 'Acme Cloud',
      product: 'Audit Trail',
      description: 'Acme Cloud audit trail events',
      eventtypes: [
        { description: 'Acme Cloud audit trail, delivered by cloudtap', tags: ['change'] },
        { name: 'policy', where: 'command=PutPolicy', description: 'Acme audit policy changes', tags: ['change', 'audit'] },
      ],
    },
    elastic: {
      namespace: 'acme',
      properties: { trail_id: { type: 'keyword' }, details: { type: 'flattened' } },
      processors: [{ remove: { tag: 'acme_drop_debug', field: 'cloudtap.acme.debug', ignore_missing: true } }],
    },
  };
  change(siem);
  return { type: 'acme-audit', siem };
}

const conf = (files: Map<string, string>, path: string) => parseConf(files.get(path)!, path);

describe('the Splunk app for a new source type', () => {
  const files = splunkAppFiles([...definitions, acme()]);
  const props = conf(files, 'default/props.conf');

  it('gets the generic sourcetype settings and CIM fields, with its own vendor and product', () => {
    const generic = props.get('tencentcloud:ssl')!;
    const stanza = props.get('acme:audit')!;
    for (const [key, value] of generic) {
      if (!['description', 'EVAL-vendor', 'EVAL-product', 'EVAL-vendor_product'].includes(key)) expect(stanza.get(key), key).toBe(value);
    }
    expect(stanza.get('description')).toBe('cloudtap: Acme Cloud audit trail events (ECS JSON)');
    expect(stanza.get('EVAL-vendor')).toBe('"Acme Cloud"');
    expect(stanza.get('EVAL-product')).toBe('"Audit Trail"');
    expect(stanza.get('EVAL-vendor_product')).toBe('"Acme Cloud Audit Trail"');
  });

  it('routes its lines of the NDJSON file to its sourcetype', () => {
    const transforms = conf(files, 'default/transforms.conf');
    expect(props.get('cloudtap:ndjson')!.get('TRANSFORMS-cloudtap_sourcetype')).toMatch(/, cloudtap_sourcetype_acme_audit$/);
    const route = transforms.get('cloudtap_sourcetype_acme_audit')!;
    expect(route.get('FORMAT')).toBe('sourcetype::acme:audit');
    expect(new RegExp(route.get('REGEX')!).test('{"cloudtap":{"source_id":"a","source_type": "acme-audit"}}')).toBe(true);
    expect(new RegExp(route.get('REGEX')!).test('{"cloudtap":{"source_type":"acme-auditx"}}')).toBe(false);
  });

  it('gets its event types and tags, and its records that could not be mapped their own event type', () => {
    const eventtypes = conf(files, 'default/eventtypes.conf');
    const tags = conf(files, 'default/tags.conf');
    expect(eventtypes.get('cloudtap_acme_audit')!.get('search')).toBe('sourcetype="acme:audit" NOT event.kind=pipeline_error');
    expect(eventtypes.get('cloudtap_acme_audit_policy')!.get('search')).toBe('sourcetype="acme:audit" command=PutPolicy NOT event.kind=pipeline_error');
    expect(Object.fromEntries(tags.get('eventtype=cloudtap_acme_audit_policy')!)).toEqual({ change: 'enabled', audit: 'enabled' });
    expect(Object.fromEntries(tags.get('eventtype=cloudtap_acme_audit')!)).toEqual({ change: 'enabled' });
    expect(eventtypes.get('cloudtap_pipeline_error')!.get('search')).toMatch(/^sourcetype IN \(.*"tencentcloud:ssl", .*"acme:audit"\) event\.kind=pipeline_error$/);
  });

  it('takes per-source props over the generic ones, and adds new ones', () => {
    const source = acme((facts) => {
      facts.splunk.props = { 'EVAL-dest': "coalesce('cloudtap.acme.trail_id', 'cloud.account.id')", 'EVAL-object_attrs': "'cloudtap.acme.details'" };
    });
    const stanza = conf(splunkAppFiles([source]), 'default/props.conf').get('acme:audit')!;
    expect(stanza.get('EVAL-dest')).toBe("coalesce('cloudtap.acme.trail_id', 'cloud.account.id')");
    expect(stanza.get('EVAL-object_attrs')).toBe("'cloudtap.acme.details'");
    expect(stanza.get('EVAL-dvc')).toBe("coalesce('event.provider', 'cloud.provider')");
  });

  it.each([
    ['a sourcetype another source has', (f: SiemFacts) => (f.splunk.sourcetype = 'tencentcloud:ssl'), /acme-audit: siem\.splunk: sourcetype tencentcloud:ssl is already the sourcetype of tencent-ssl/],
    ['the NDJSON file sourcetype', (f: SiemFacts) => (f.splunk.sourcetype = 'cloudtap:ndjson'), /is already the NDJSON file sourcetype/],
    ['a sourcetype with a space', (f: SiemFacts) => (f.splunk.sourcetype = 'acme audit'), /may hold only/],
    ['a vendor with a double quote', (f: SiemFacts) => (f.splunk.vendor = 'Acme "Cloud"'), /vendor must be one line without double quotes/],
    ['a description over two lines', (f: SiemFacts) => (f.splunk.description = 'one\ntwo'), /a \.conf value must be one line/],
    ['two event types of one name', (f: SiemFacts) => (f.splunk.eventtypes = [f.splunk.eventtypes[0]!, f.splunk.eventtypes[0]!]), /event type names repeat/],
  ])('refuses %s, naming the source type', (_, change, message) => {
    expect(() => splunkAppFiles([...definitions, acme(change)])).toThrow(message);
  });
});

describe('the Elastic assets for a new source type', () => {
  const assets = elasticAssets([...definitions, acme()]);
  const cloudtap = assets.componentTemplate.template.mappings.properties.cloudtap.properties;

  it('map its fields under cloudtap.<namespace> beside the generic ones', () => {
    expect(cloudtap.acme).toEqual({ properties: { trail_id: { type: 'keyword' }, details: { type: 'flattened' } } });
    expect(cloudtap.source_type).toEqual({ type: 'keyword' });
  });

  it('run its processors after the Firehose record is unwrapped and before the _id and the routing', () => {
    const tags = assets.pipeline.processors.map((p: object) => (Object.values(p)[0] as { tag: string }).tag);
    expect(tags.indexOf('acme_drop_debug')).toBeGreaterThan(tags.indexOf('firehose_drop_record'));
    expect(tags.indexOf('acme_drop_debug')).toBeLessThan(tags.indexOf('dedup_id'));
    expect(tags.at(-1)).toBe('route_by_dataset');
    expect(assets.pipeline.processors).not.toContain('cloudtap:source-processors');
  });

  it('let sources share a namespace where they agree on shared fields', () => {
    const other = { type: 'acme-other', siem: acme((f) => (f.elastic = { namespace: 'acme', properties: { trail_id: { type: 'keyword' }, region: { type: 'keyword' } } })).siem };
    expect(Object.keys(elasticAssets([acme(), other]).componentTemplate.template.mappings.properties.cloudtap.properties.acme.properties)).toEqual(['trail_id', 'details', 'region']);
  });

  it.each([
    ['a field mapped differently in a shared namespace', (f: SiemFacts) => (f.elastic = { namespace: 'tencent', properties: { certificate_id: { type: 'long' } } }), /acme-audit: cloudtap\.tencent\.certificate_id is mapped differently by tencent-ssl/],
    ['a namespace every source has', (f: SiemFacts) => (f.elastic = { namespace: 'resource', properties: {} }), /acme-audit: cloudtap\.resource is a field every source has/],
    ['a namespace that is not a field name', (f: SiemFacts) => (f.elastic = { namespace: 'Acme.Cloud', properties: {} }), /may hold only a-z/],
    ['a processor without a tag', (f: SiemFacts) => (f.elastic.processors = [{ remove: { field: 'x' } }]), /has no tag/],
    ['a processor with a tag the pipeline has', (f: SiemFacts) => (f.elastic.processors = [{ remove: { tag: 'dedup_id', field: 'x' } }]), /has the tag dedup_id of another/],
  ])('refuse %s', (_, change, message) => {
    expect(() => elasticAssets([...definitions, acme(change)])).toThrow(message);
  });
});

describe('cloudtap siem-assets', () => {
  it('writes the Splunk app and the Elastic bodies rendered from the registry', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cloudtap-siem-'));
    let stdout = '';
    const code = await siemAssetsCommand({ out: dir }, { stdout: { write: (text: string) => (stdout += text) } });
    expect(code).toBe(0);
    const app = splunkAppFiles(definitions);
    for (const [path, text] of app) expect(await readFile(join(dir, 'splunk', 'cloudtap', path), 'utf8'), path).toBe(text);
    const elastic = elasticAssets(definitions);
    const json = async (name: string) => JSON.parse(await readFile(join(dir, 'elastic', name), 'utf8'));
    expect(await json('component-template-cloudtap-ecs.json')).toEqual(elastic.componentTemplate);
    expect(await json('ingest-pipeline-logs-cloudtap.json')).toEqual(elastic.pipeline);
    expect(await json('index-template-logs-cloudtap.json')).toEqual(elastic.indexTemplate);
    expect(stdout).toBe(`wrote ${app.size + 3} files under ${dir}\n`);
  });

  it('asks for --out', async () => {
    let stderr = '';
    const io = { stdout: { write: () => true }, stderr: { write: (text: string) => (stderr += text) }, env: {} };
    expect(await main(['siem-assets'], io)).toBe(2);
    expect(stderr).toMatch(/^error: required option '--out <dir>' not specified\n/);
  });
});

describe('siem/', () => {
  it('names no source type, sourcetype, vendor, product or vendor namespace: those live in the provider folders', () => {
    const root = fileURLToPath(new URL('../../siem/', import.meta.url));
    const files = readdirSync(root, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile() && !entry.name.endsWith('.tgz'));
    expect(files.length).toBeGreaterThan(10);
    const names = definitions.flatMap(({ type, siem }) => [type, siem.splunk.sourcetype, siem.splunk.vendor, siem.splunk.product, `cloudtap.${siem.elastic.namespace}`]);
    const found = files.flatMap((entry) => {
      const text = readFileSync(join(entry.parentPath, entry.name), 'utf8');
      return names.filter((name) => text.includes(name)).map((name) => `${join(entry.parentPath, entry.name).slice(root.length)}: ${name}`);
    });
    expect(found).toEqual([]);
  });
});
