import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { dataStreamNames, ELASTIC_ASSETS } from '../../cli/commands/elastic-setup';
import { main } from '../../cli/main';
import { elasticAssets } from '../../shared/ops/siem/elastic-assets';
import { definitions } from '../../shared/providers/registry';
import { startFakeElasticsearch, type FakeElasticsearch } from './fake-elasticsearch';

const API_KEY = Buffer.from('fake-setup-id:fake-setup-api-key-value').toString('base64');
const assets = elasticAssets(definitions);
let es: FakeElasticsearch | undefined;

afterEach(async () => {
  await es?.stop();
  es = undefined;
});

/** Run the command in-process as `cloudtap elastic-setup ...` would, capturing what a user sees. */
async function setup(args: string[], env: NodeJS.ProcessEnv = { ELASTIC_API_KEY: API_KEY }) {
  let stdout = '';
  let stderr = '';
  const code = await main(['elastic-setup', ...args], {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env,
  });
  return { code, stdout, stderr, output: stdout + stderr };
}

const landing = (namespace: string) => `logs-${ELASTIC_ASSETS.firehoseDataset}-${namespace}`;
const simulated = (namespace: string) => [landing(namespace), ...dataStreamNames(namespace)].map((name) => `POST /_index_template/_simulate_index/${name}`);

describe('cloudtap elastic-setup', () => {
  it('installs exactly the shipped bodies, component template first and index template last, with the API key', async () => {
    es = await startFakeElasticsearch({ apiKey: API_KEY });
    const result = await setup(['--url', es.url]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(es.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /',
      `PUT /_component_template/${ELASTIC_ASSETS.componentTemplate}`,
      `PUT /_ingest/pipeline/${ELASTIC_ASSETS.pipeline}`,
      `PUT /_index_template/${ELASTIC_ASSETS.indexTemplate}`,
      ...simulated('default'),
    ]);
    expect(es.requests.every((r) => r.authorization === `ApiKey ${API_KEY}`)).toBe(true);
    expect(es.requests[1]!.body).toEqual(assets.componentTemplate);
    expect(es.requests[2]!.body).toEqual(assets.pipeline);
    expect(es.requests[3]!.body).toEqual(assets.indexTemplate);
    expect(result.stdout).toContain(`writes to ${landing('default')} (the es_datastream_name`);
    expect(result.stdout).toContain('logs-cloudtap.tencent_cloudaudit-default');
    expect(result.output).not.toContain(API_KEY);
  });

  it('is idempotent: a second run sends the same requests and leaves the same state', async () => {
    es = await startFakeElasticsearch({ apiKey: API_KEY });
    expect((await setup(['--url', es.url])).code).toBe(0);
    const first = { requests: structuredClone(es.requests), state: structuredClone([es.componentTemplates, es.indexTemplates, es.pipelines]) };
    es.requests.length = 0;
    expect((await setup(['--url', es.url])).code).toBe(0);
    expect(es.requests).toEqual(first.requests);
    expect([es.componentTemplates, es.indexTemplates, es.pipelines]).toEqual(first.state);
  });

  it('works on a cluster without the built-in logs templates, and checks the namespace it is given', async () => {
    es = await startFakeElasticsearch({ apiKey: API_KEY, builtIns: false });
    const result = await setup(['--url', `${es.url}/`, '--namespace', 'prod_eu']);
    expect(result.code).toBe(0);
    expect(es.requests.map((r) => `${r.method} ${r.path}`).slice(4)).toEqual(simulated('prod_eu'));
    expect(result.stdout).toContain('writes to logs-cloudtap.generic-prod_eu');
  });

  it('reads the key from the variable --api-key-env names', async () => {
    es = await startFakeElasticsearch({ apiKey: API_KEY });
    const result = await setup(['--url', es.url, '--api-key-env', 'MY_ES_KEY'], { MY_ES_KEY: API_KEY });
    expect(result.code).toBe(0);
  });

  it.each([
    [['--url', 'http://127.0.0.1:9'], {}, /environment variable ELASTIC_API_KEY is not set/],
    [[], { ELASTIC_API_KEY: API_KEY }, /required option '--url <url>' not specified/],
    [['--url', 'ftp://es.example.com'], { ELASTIC_API_KEY: API_KEY }, /is not an http\(s\) URL/],
    [['--url', 'http://127.0.0.1:9', '--namespace', 'Prod-1'], { ELASTIC_API_KEY: API_KEY }, /--namespace must be lowercase/],
    [['--url', 'http://127.0.0.1:9', '--bogus'], { ELASTIC_API_KEY: API_KEY }, /unknown option '--bogus'/],
  ])('usage error %j: exit 2 with a message that says what to do', async (args, env, message) => {
    const result = await setup(args, env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('add --help to see the options');
  });

  it('reports a rejected key without printing it', async () => {
    es = await startFakeElasticsearch({ apiKey: API_KEY });
    const wrong = Buffer.from('fake-id:wrong-fake-key').toString('base64');
    const result = await setup(['--url', es.url], { ELASTIC_API_KEY: wrong });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/could not connect to .*: Elasticsearch rejected the API key \(401 security_exception/);
    expect(result.output).not.toContain(wrong);
  });

  it('names the missing privilege, and redacts the key even when the server echoes it', async () => {
    es = await startFakeElasticsearch({ apiKey: API_KEY });
    es.fail(/^\/_ingest\/pipeline\//, 403, { type: 'security_exception', reason: `action [cluster:admin/ingest/pipeline/put] is unauthorized for API key ${API_KEY}` });
    const result = await setup(['--url', es.url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/could not install ingest pipeline logs-cloudtap@pipeline: the API key lacks a privilege \(403 .*\); it needs the cluster privileges manage_index_templates and manage_pipeline/);
    expect(result.stderr).toContain('[redacted]');
    expect(result.output).not.toContain(API_KEY);
    // Nothing after the failed step was attempted.
    expect(es.requests.map((r) => r.path)).not.toContain(`/_index_template/${ELASTIC_ASSETS.indexTemplate}`);
  });

  it('goes on when the key may not read the cluster version (no monitor privilege)', async () => {
    es = await startFakeElasticsearch({ apiKey: API_KEY });
    es.fail(/^\/$/, 403, { type: 'security_exception', reason: 'action [cluster:monitor/main] is unauthorized' });
    const result = await setup(['--url', es.url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('(version not readable with this key)');
  });

  it('refuses a cluster too old for the reroute processor', async () => {
    es = await startFakeElasticsearch({ apiKey: API_KEY, version: '8.7.1' });
    const result = await setup(['--url', es.url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the reroute processor needs 8.8 or later');
    expect(es.requests).toHaveLength(1);
  });

  it('fails when a higher-priority template would take the cloudtap data streams', async () => {
    es = await startFakeElasticsearch({ apiKey: API_KEY });
    es.indexTemplates.set('everything', { index_patterns: ['logs-cloudtap*'], priority: 500, template: { settings: { index: { default_pipeline: 'other' } } } });
    const result = await setup(['--url', es.url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/logs-cloudtap\.generic-default would get default pipeline other, not logs-cloudtap@pipeline: .*overlaps/);
  });

  it('explains a server that is not Elasticsearch, and one it cannot reach, without printing URL credentials', async () => {
    const kibana = createServer((_, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    await new Promise<void>((resolve) => kibana.listen(0, '127.0.0.1', resolve));
    const port = (kibana.address() as AddressInfo).port;
    try {
      const notEs = await setup(['--url', `http://admin:fake-password@127.0.0.1:${port}`]);
      expect(notEs.code).toBe(1);
      expect(notEs.stderr).toMatch(/did not answer as Elasticsearch; use the Elasticsearch endpoint/);
      expect(notEs.output).not.toContain('fake-password');
    } finally {
      await new Promise((resolve) => kibana.close(resolve));
    }
    const unreachable = await setup(['--url', `http://127.0.0.1:${port}`]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/could not connect to http:\/\/127\.0\.0\.1:\d+: no answer \(.*ECONNREFUSED.*\); check the URL/);
  });
});
