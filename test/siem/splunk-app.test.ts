import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { EcsDocument } from '../../shared/ecs/document';
import { definitions } from '../../shared/providers/registry';
import { splunkSourcetypes } from '../../shared/providers/siem';
import { hecEventOf } from '../../shared/sinks/encoders/splunk-hec';
import { readAppConf } from './conf';
import { edgeDocuments, exampleDocument, exampleDocuments, simulatedDocuments, SOURCE_TYPES, sourcetypeExpected, vendorProductExpected } from './documents';
import { applyProps, fieldsRead, jsonFields, matchesSearch, parseEval, strptime, type Fields } from './spl';

const props = readAppConf('default/props.conf');
const transforms = readAppConf('default/transforms.conf');
const eventtypes = readAppConf('default/eventtypes.conf');
const tags = readAppConf('default/tags.conf');
const sourcetypeOf = splunkSourcetypes(definitions);
const SOURCETYPES = SOURCE_TYPES.map(sourcetypeExpected);
/** The CIM Change data model's All_Changes fields (Splunk_SA_CIM, pytest-splunk-addon's Change.json) the app fills. */
const CHANGE_FIELDS = ['action', 'change_type', 'command', 'dest', 'dvc', 'object', 'object_category', 'object_id', 'result', 'result_id', 'src', 'status', 'user', 'vendor_product'];
const ACTIONS = ['created', 'deleted', 'modified', 'read', 'started', 'stopped', 'unknown'];

/** What Splunk knows about an event at search time: extracted and calculated fields, event types, tags. */
function searchTime(document: EcsDocument) {
  const sourcetype = sourcetypeOf(document.cloudtap.source_type);
  // Through HEC the event's _raw is the JSON of the envelope's `event`.
  const raw = JSON.stringify(hecEventOf(document, { sourcetypeOf }).event);
  const fields: Fields = applyProps(props.get(sourcetype)!, jsonFields(JSON.parse(raw)));
  fields.set('sourcetype', [sourcetype]);
  const types = [...eventtypes].filter(([, stanza]) => matchesSearch(stanza.get('search')!, fields)).map(([name]) => name);
  const tagSet = new Set(types.flatMap((type) => [...(tags.get(`eventtype=${type}`) ?? [])].filter(([, v]) => v === 'enabled').map(([tag]) => tag)));
  const one = (name: string) => fields.get(name)?.[0];
  return { fields, one, types, tags: tagSet };
}

/** The Change data model's root constraint. */
const inChangeModel = (event: ReturnType<typeof searchTime>) =>
  event.tags.has('change') && !['file', 'directory', 'registry'].includes(event.one('object_category') ?? '');

describe('the Splunk app configuration files', () => {
  it('is a valid app: package id, version and visibility', async () => {
    const app = readAppConf('default/app.conf');
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(app.get('package')?.get('id')).toBe('cloudtap');
    expect(app.get('id')?.get('name')).toBe('cloudtap');
    expect(app.get('launcher')?.get('version')).toBe(version);
    expect(app.get('id')?.get('version')).toBe(version);
    expect(app.get('ui')?.get('is_visible')).toBe('false');
    expect(readAppConf('metadata/default.meta').get('')?.get('export')).toBe('system');
  });

  it.each(SOURCETYPES)('%s: line breaking and timestamp settings, JSON search-time extraction', (sourcetype) => {
    const stanza = props.get(sourcetype)!;
    expect(stanza).toBeDefined();
    expect(Object.fromEntries(stanza)).toMatchObject({
      SHOULD_LINEMERGE: 'false',
      LINE_BREAKER: '([\\r\\n]+)',
      KV_MODE: 'json',
      TZ: 'UTC',
      TIME_PREFIX: '"@timestamp"\\s*:\\s*"',
      TIME_FORMAT: '%Y-%m-%dT%H:%M:%S.%3N%Z',
      MAX_TIMESTAMP_LOOKAHEAD: '32',
    });
    // Index-time JSON extraction on top of KV_MODE=json would double every field.
    expect(stanza.has('INDEXED_EXTRACTIONS')).toBe(false);
    expect(sourcetypeOf(SOURCE_TYPES[SOURCETYPES.indexOf(sourcetype)]!)).toBe(sourcetype);
  });

  it.each(SOURCETYPES)('%s: every CIM Change field comes from an alias or a calculated field that reads only extracted fields', (sourcetype) => {
    const stanza = props.get(sourcetype)!;
    const aliases = [...stanza].filter(([key]) => key.startsWith('FIELDALIAS-')).flatMap(([, value]) => [...value.matchAll(/\bAS\s+(\S+)/g)].map((m) => m[1]!));
    const evals = [...stanza.keys()].filter((key) => key.startsWith('EVAL-')).map((key) => key.slice(5));
    for (const field of CHANGE_FIELDS) expect([...aliases, ...evals], field).toContain(field);
    // Splunk computes calculated fields side by side: one must not read another's result.
    for (const key of stanza.keys()) {
      if (!key.startsWith('EVAL-')) continue;
      const reads = fieldsRead(parseEval(stanza.get(key)!));
      expect(reads.filter((field) => evals.includes(field)), key).toEqual([]);
    }
  });
});

describe('the Splunk app on cloudtap documents', () => {
  const all = Object.values(simulatedDocuments()).flat().concat(exampleDocuments());

  it('finds each event time from @timestamp, wherever the key sits and whatever event.original holds', () => {
    const stanza = props.get('tencentcloud:cloudaudit')!;
    const prefix = new RegExp(stanza.get('TIME_PREFIX')!);
    const lookahead = Number(stanza.get('MAX_TIMESTAMP_LOOKAHEAD'));
    for (const document of [...all, ...edgeDocuments()]) {
      const { '@timestamp': timestamp, ...rest } = document;
      // As sent, and with @timestamp last: CloudAudit's raw record has an "@timestamp" of its own, escaped in event.original.
      for (const raw of [JSON.stringify(document), JSON.stringify({ ...rest, '@timestamp': timestamp })]) {
        const match = prefix.exec(raw)!;
        const text = raw.slice(match.index + match[0].length, match.index + match[0].length + lookahead);
        expect(strptime(text, stanza.get('TIME_FORMAT')!, stanza.get('TZ')!)).toBe(Date.parse(timestamp));
      }
    }
  });

  it('routes each line of the local NDJSON file to its sourcetype, and breaks the file into exactly its lines', () => {
    const ndjson = props.get('cloudtap:ndjson')!;
    const names = ndjson.get('TRANSFORMS-cloudtap_sourcetype')!.split(/\s*,\s*/);
    expect(names.sort()).toEqual([...transforms.keys()].sort());
    const documents = [...all, ...edgeDocuments()];
    const file = documents.map((d) => JSON.stringify(d)).join('\n') + '\n';
    const lines = file.split(new RegExp(ndjson.get('LINE_BREAKER')!.replace(/^\((.*)\)$/, '$1'))).filter(Boolean);
    expect(lines).toHaveLength(documents.length);
    for (const [i, line] of lines.entries()) {
      const hits = names.filter((name) => new RegExp(transforms.get(name)!.get('REGEX')!).test(line));
      expect(hits).toHaveLength(1);
      expect(transforms.get(hits[0]!)!.get('DEST_KEY')).toBe('MetaData:Sourcetype');
      expect(transforms.get(hits[0]!)!.get('FORMAT')).toBe(`sourcetype::${sourcetypeOf(documents[i]!.cloudtap.source_type)}`);
    }
  });

  it('puts every mapped event in the Change data model with the CIM fields filled', () => {
    for (const document of all) {
      const event = searchTime(document);
      expect(inChangeModel(event), document.event.id).toBe(true);
      expect(ACTIONS).toContain(event.one('action'));
      expect(event.one('command')).toBe(document.event.action);
      expect(event.one('status')).toBe(document.event.outcome === 'unknown' ? undefined : document.event.outcome);
      expect(event.one('vendor_product')).toBe(vendorProductExpected(document.cloudtap.source_type));
      for (const field of ['change_type', 'object_category', 'dest', 'dvc', 'result']) expect(event.one(field), field).toBeTruthy();
      const who = document.user?.name ?? document.user?.id ?? document.user?.email;
      expect(event.one('user')).toBe(who);
      expect(event.one('src')).toBe(document.source?.ip);
    }
  });

  it('maps the documented examples to the CIM values a Splunk user expects', () => {
    const audit = searchTime(exampleDocument('tencent-cloudaudit'));
    expect(Object.fromEntries([...audit.fields].filter(([k]) => CHANGE_FIELDS.includes(k)).map(([k, v]) => [k, v.join('|')]))).toMatchObject({
      action: 'read', // LookUpEvents, a Read action
      command: 'LookUpEvents',
      status: 'success',
      user: 'root',
      object_category: 'cloudaudit',
      vendor_product: 'Tencent Cloud CloudAudit',
    });
    expect(audit.tags).toEqual(new Set(['change'])); // reading CloudAudit does not change auditing
    const dbss = searchTime(exampleDocument('huawei-dbss'));
    expect(dbss.tags).toEqual(new Set(['change', 'audit']));
    expect(dbss.one('dest')).toBe('fedcba9876543210fedcba9876543210in01'); // the simulated instance the example is mapped for
    const ucloud = searchTime(exampleDocument('ucloud-operations'));
    const resource = exampleDocument('ucloud-operations').cloudtap.resource as { ids: string[] };
    expect(ucloud.one('vendor_product')).toBe('UCloud Operation Log');
    expect(ucloud.fields.get('object_id')).toEqual(resource.ids);
  });

  it('tags a change to CloudAudit itself as a change to auditing', () => {
    const example = exampleDocument('tencent-cloudaudit');
    const stop: EcsDocument = { ...example, event: { ...example.event, action: 'StopLogging', type: ['change'] } };
    const event = searchTime(stop);
    expect(event.one('action')).toBe('modified');
    expect(event.types).toContain('cloudtap_tencent_cloudaudit_audit_config');
    expect(event.tags).toEqual(new Set(['change', 'audit']));
  });

  it('keeps records cloudtap could not map out of the data model, under their own event type', () => {
    const event = searchTime(edgeDocuments()[0]!);
    expect(event.types).toEqual(['cloudtap_pipeline_error']);
    expect(inChangeModel(event)).toBe(false);
  });
});

describe('siem/splunk/package.sh', () => {
  it('builds cloudtap.tgz with only the app folder, no hidden files, nothing executable', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cloudtap-splunk-'));
    const script = fileURLToPath(new URL('../../siem/splunk/package.sh', import.meta.url));
    await promisify(execFile)('bash', [script, join(dir, 'cloudtap.tgz')]);
    const { stdout } = await promisify(execFile)('tar', ['-tvzf', join(dir, 'cloudtap.tgz')]);
    const entries = stdout.trim().split('\n').map((line) => ({ mode: line.split(/\s+/)[0]!, path: line.split(/\s+/).at(-1)! }));
    expect(entries.map((e) => e.path)).toEqual(
      expect.arrayContaining(['cloudtap/README.md', 'cloudtap/default/app.conf', 'cloudtap/default/props.conf', 'cloudtap/default/transforms.conf', 'cloudtap/default/eventtypes.conf', 'cloudtap/default/tags.conf', 'cloudtap/metadata/default.meta']),
    );
    expect(entries.every((e) => e.path.startsWith('cloudtap/') && !/(^|\/)\./.test(e.path))).toBe(true);
    expect(entries.filter((e) => e.mode.startsWith('-')).every((e) => e.mode === '-rw-r--r--')).toBe(true);
  });
});
