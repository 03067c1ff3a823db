import { describe, expect, it } from 'vitest';
import { dataStreamNames, ELASTIC_ASSETS } from '../../cli/commands/elastic-setup';
import { elasticAssets } from '../../shared/ops/siem/elastic-assets';
import { definitions } from '../../shared/providers/registry';
import { elasticDataStreamFor } from '../../infra/constructs/delivery-to-elastic';
import type { EcsDocument } from '../../shared/ecs/document';
import { dataStreamFor } from '../../shared/sinks/elasticsearch-sink';
import { elasticEncoder } from '../../shared/sinks/encoders/elastic';
import { edgeDocuments, exampleDocument, exampleDocuments, simulatedDocuments, SOURCE_TYPES } from './documents';
import { ingest, painless, type Cluster, type Json, type Pipeline } from './ingest';
import { checkDocument } from './mapping';

const assets = elasticAssets(definitions);
const pipeline = assets.pipeline as unknown as Pipeline;
const template = assets.indexTemplate as Json;
const mappings = (assets.componentTemplate as Json).template.mappings;
const LANDING = `logs-${ELASTIC_ASSETS.firehoseDataset}-default`;
const target = (document: EcsDocument, namespace = 'default') => `logs-${document.event.dataset}-${namespace}`;
const patterns = (template.index_patterns as string[]).map((p) => new RegExp(`^${p.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`));

/** A cluster with the assets installed: our template's default pipeline for logs-cloudtap.*-*, and a custom pipeline that tags. */
function cluster(custom = true): Cluster {
  return {
    pipelines: {
      [ELASTIC_ASSETS.pipeline]: pipeline,
      ...(custom ? { 'logs-cloudtap@custom': { processors: [{ append: { field: 'tags', value: 'custom_ran' } }] } } : {}),
    },
    defaultPipeline: (index) => (patterns.some((p) => p.test(index)) ? template.template.settings.index.default_pipeline : undefined),
  };
}

/** What Elastic's Firehose endpoint indexes for one record: the record in `message`, beside its dotted envelope fields. */
function firehoseEnvelope(document: EcsDocument, data = elasticEncoder.encode(document).toString('utf8')): Json {
  return {
    '@timestamp': '2026-11-21T00:01:02Z',
    message: data,
    'event.id': '49657912345678901234567890123456789012345678901234567890',
    'cloud.provider': 'aws',
    'cloud.region': 'eu-west-1',
    'cloud.account.id': '123456789012',
    'data_stream.type': 'logs',
    'data_stream.dataset': ELASTIC_ASSETS.firehoseDataset,
    'data_stream.namespace': 'default',
    'aws.firehose.arn': 'arn:aws:firehose:eu-west-1:123456789012:deliverystream/cloudtap-elastic',
    'aws.firehose.request_id': '971ae05f-a128-4a7f-b623-30f9bc513e55',
    'aws.kinesis.type': 'deliverystream',
    'aws.kinesis.name': 'cloudtap-elastic',
  };
}

const stream = (document: EcsDocument) => ({ type: 'logs', dataset: document.event.dataset, namespace: 'default' });

describe('the Elastic assets', () => {
  it('map event.original unindexed and provider request parameters as flattened', () => {
    expect(mappings.properties.event.properties.original).toEqual({ type: 'keyword', index: false, doc_values: false });
    expect(mappings.properties.cloudtap.properties.tencent.properties.request_parameters.type).toBe('flattened');
    const dynamic = mappings.dynamic_templates.map((t: Json) => Object.values(t)[0]);
    expect(dynamic[0]).toMatchObject({ path_match: 'cloudtap.*.request_parameters', match_mapping_type: 'object', mapping: { type: 'flattened' } });
    expect(mappings.date_detection).toBe(false);
  });

  it('has an index template for every cloudtap data stream, above the built-in logs-*-* and composed on it', () => {
    expect(template.data_stream).toEqual({});
    expect(template.priority).toBeGreaterThan(100);
    expect(template.template.settings.index.default_pipeline).toBe(ELASTIC_ASSETS.pipeline);
    expect(template.composed_of).toEqual(expect.arrayContaining(['logs@mappings', 'logs@settings', 'ecs@mappings', ELASTIC_ASSETS.componentTemplate]));
    // Built-ins may be missing on older or trimmed clusters; ours never is.
    expect(template.ignore_missing_component_templates).not.toContain(ELASTIC_ASSETS.componentTemplate);
    expect(template.composed_of.indexOf(ELASTIC_ASSETS.componentTemplate)).toBeGreaterThan(template.composed_of.indexOf('ecs@mappings'));
    for (const name of [LANDING, ...dataStreamNames('default'), ...dataStreamNames('prod_eu')]) expect(patterns.some((p) => p.test(name)), name).toBe(true);
    for (const name of ['logs-generic-default', 'logs-aws.cloudtrail-default', 'logs-cloudtap-default']) expect(patterns.some((p) => p.test(name)), name).toBe(false);
  });

  it('runs the pipeline processors in order: unwrap Firehose, fix types, set _id, custom hook, reroute last', () => {
    expect(pipeline.processors.map((p) => `${Object.keys(p)[0]}:${Object.values(p)[0]!.tag}`)).toEqual([
      'rename:firehose_take_record',
      'dot_expander:firehose_expand_envelope',
      'remove:firehose_drop_envelope',
      'json:firehose_parse_record',
      'remove:firehose_drop_record',
      'rename:request_parameters_not_object',
      'set:dedup_id',
      'append:mark_unrouted',
      'pipeline:custom',
      'reroute:route_by_dataset',
    ]);
  });

  it('uses only plausible Painless conditions and mustache templates', () => {
    const all = [...pipeline.processors, ...pipeline.on_failure!].map((p) => Object.values(p)[0]!);
    for (const options of all) {
      if (options.if) expect(() => painless(options.if), options.if).not.toThrow();
      for (const value of [options.value, options.dataset, options.namespace].filter((v) => typeof v === 'string')) {
        expect(value.replace(/\{\{\{?[\w@.]+\}?\}\}/g, ''), value).not.toMatch(/[{}]/);
      }
    }
    expect(() => painless("ctx.a.startsWith('x'); ctx.b = 1")).toThrow();
    expect(() => painless('ctx.a.substring(1) != null')).toThrow(/substring/);
  });
});

describe('the ingest pipeline on cloudtap documents', () => {
  const examples = exampleDocuments();

  it.each(SOURCE_TYPES)('%s: a Firehose record is unwrapped to exactly the document cloudtap sent, and routed to its data stream', (type) => {
    const document = exampleDocument(type);
    const result = ingest(cluster(), LANDING, firehoseEnvelope(document));
    expect(result.history).toEqual([LANDING, target(document)]);
    expect(result.id).toBe(`${document.cloudtap.source_id}:${document.event.id}`);
    const { aws, data_stream, tags, ...rest } = result.source;
    expect(rest).toEqual(document);
    expect(data_stream).toEqual(stream(document));
    expect(aws).toEqual({ firehose: expect.objectContaining({ request_id: expect.any(String) }), kinesis: { type: 'deliverystream', name: 'cloudtap-elastic' } });
    expect(tags).toEqual([...(document.tags ?? []), 'custom_ran']); // the custom pipeline ran once, in the final stream
  });

  it('agrees with the deployment and the local sink on data stream names', () => {
    expect(elasticDataStreamFor('default')).toBe(LANDING);
    for (const document of examples) expect(dataStreamFor(document, 'prod_eu')).toBe(target(document, 'prod_eu'));
  });

  it.each(SOURCE_TYPES)('%s: a document sent straight to its data stream (local _bulk sink) keeps its target and gains data_stream.*', (type) => {
    const document = exampleDocument(type);
    const result = ingest(cluster(false), target(document), document, { id: document.event.id });
    expect(result.history).toEqual([target(document)]);
    expect(result.source).toEqual({ ...document, data_stream: stream(document) });
    expect(result.id).toBe(`${document.cloudtap.source_id}:${document.event.id}`);
  });

  it('gives a redelivered event the same _id, so the data stream refuses the second copy', () => {
    const stored = new Map<string, Json>();
    const create = (result: ReturnType<typeof ingest>) => {
      const key = `${result.index}/${result.id}`;
      if (stored.has(key)) return 409; // version_conflict_engine_exception: a create with an existing _id
      stored.set(key, result.source);
      return 201;
    };
    const statuses = [...examples, ...examples].map((document) => create(ingest(cluster(), LANDING, firehoseEnvelope(document))));
    expect(statuses).toEqual([...examples.map(() => 201), ...examples.map(() => 409)]);
    // The same event through the direct sink lands on the same _id as through Firehose.
    expect(create(ingest(cluster(), target(examples[0]!), examples[0]!))).toBe(409);
  });

  it('accepts the record with surrounding whitespace or a trailing newline', () => {
    const document = examples[0]!;
    const result = ingest(cluster(false), LANDING, firehoseEnvelope(document, ` ${JSON.stringify(document)}\n`));
    expect(result.index).toBe(target(document));
    expect(result.source.event).toEqual(document.event);
  });

  it('keeps a record that is not JSON in the landing stream with the error set, rather than dropping it', () => {
    const envelope = firehoseEnvelope(examples[0]!, '{"@timestamp": "2026-11-21T00:00:00Z", truncated');
    const result = ingest(cluster(), LANDING, envelope, { now: '2026-11-21T00:05:00.000Z' });
    expect(result.index).toBe(LANDING);
    expect(result.source.message).toBe(envelope.message);
    expect(result.source['@timestamp']).toBe(envelope['@timestamp']);
    expect(result.source.event.kind).toBe('pipeline_error');
    expect(result.source.error.message).toEqual([expect.stringMatching(/^cloudtap pipeline: json processor firehose_parse_record failed: /)]);
    expect(result.source.tags).toEqual(['cloudtap_pipeline_error']);
    expect(checkDocument(mappings, result.source)).toEqual([]);
  });

  it('leaves JSON that is not a cloudtap event in the landing stream, tagged', () => {
    const result = ingest(cluster(), LANDING, { '@timestamp': '2026-11-21T00:00:00Z', message: '{"hello":"world"}' });
    expect(result.index).toBe(LANDING);
    expect(result.source).toEqual({ '@timestamp': '2026-11-21T00:00:00Z', hello: 'world', tags: ['cloudtap_unrouted'] });
  });

  it('moves CloudAudit request parameters that are not an object out of the flattened field', () => {
    const [unmapped, notJson, scalar] = edgeDocuments() as [EcsDocument, EcsDocument, EcsDocument];
    for (const [document, raw] of [[notJson, '{not json'], [scalar, 12]] as const) {
      const tencent = ingest(cluster(false), LANDING, firehoseEnvelope(document)).source.cloudtap.tencent;
      expect(tencent.request_parameters).toBeUndefined();
      expect(tencent.request_parameters_raw).toEqual(raw);
    }
    expect(ingest(cluster(false), LANDING, firehoseEnvelope(unmapped)).index).toBe('logs-cloudtap.tencent_ssl-default');
  });

  it('indexes every simulated document of every source type without a mapping conflict, and unchanged', () => {
    const [unmapped, ...reshaped] = edgeDocuments();
    const documents = [...Object.values(simulatedDocuments()).flat(), ...examples, unmapped!, ...reshaped];
    for (const document of documents) {
      const result = ingest(cluster(false), LANDING, firehoseEnvelope(document));
      expect(result.index).toBe(target(document));
      expect(checkDocument(mappings, result.source), document.event.id).toEqual([]);
      // Nothing of the Firehose envelope leaks into the event (an unmapped record has no cloud.* of its own).
      const { aws, data_stream, ...rest } = result.source;
      if (!reshaped.includes(document)) expect(rest).toEqual(document);
    }
    expect(documents.length).toBeGreaterThan(600);
  });

  it('finds the conflicts the checker exists for', () => {
    const document = examples[0]!;
    expect(checkDocument(mappings, { ...document, user: { name: { first: 'a' } } })).toEqual(['user.name: keyword field receives {"first":"a"}']);
    expect(checkDocument(mappings, { ...document, source: { ip: 'not-an-ip' } })).toEqual(['source.ip: ip field receives "not-an-ip"']);
    expect(checkDocument(mappings, { ...document, cloud: 'x' })).toEqual(['cloud: object field receives "x"']);
    expect(checkDocument(mappings, { ...document, extra: 3 })[0]).toMatch(/^extra: no mapping/);
  });
});
