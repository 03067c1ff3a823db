import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load';
import { localSchema, type LocalConfig } from '../../shared/config/schema';
import { ConfigError } from '../../shared/lib/errors';
import { silentLog } from '../../shared/lib/logger';
import { datasetOf, ECS_VERSION, type EcsDocument } from '../../shared/ecs/document';
import { registry } from '../../shared/providers/registry';
import { runLocalOnce } from '../../shared/runtime/local';
import { createLocalSink } from '../../shared/runtime/local-sink';
import { ElasticsearchSink } from '../../shared/sinks/elasticsearch-sink';
import { FileSink } from '../../shared/sinks/file-sink';
import { SplunkHecSink } from '../../shared/sinks/splunk-hec-sink';
import { simulatedApis, type RunningSimulator } from '../../simulators/catalog';
import { startElasticsearchServer } from '../support/elasticsearch-server';
import { startSplunkHecServer } from '../support/splunk-hec-server';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const local = (sink?: unknown): LocalConfig => localSchema.parse(sink === undefined ? {} : { sink });

const doc = (i: number): EcsDocument => ({
  '@timestamp': new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(),
  ecs: { version: ECS_VERSION },
  event: { id: `evt-${i}`, kind: 'event', dataset: datasetOf('tencent-ssl'), original: '{}' },
  cloud: { provider: 'tencentcloud' },
  cloudtap: { source_id: 'ssl-main', source_type: 'tencent-ssl' },
});

describe('createLocalSink', () => {
  it('is the NDJSON file sink by default', () => {
    const sink = createLocalSink(local());
    expect(sink).toBeInstanceOf(FileSink);
    expect(sink.name).toBe('file:.cloudtap/events.ndjson');
  });

  it('builds a Splunk HEC sink with the token from the variable the config names', async () => {
    const server = await startSplunkHecServer({ useAck: true, index: 'cloud' });
    cleanups.push(() => server.stop());
    const config = local({ type: 'splunk-hec', url: server.url, tokenEnv: 'MY_HEC_TOKEN', index: 'cloud', ack: true });
    const sink = createLocalSink(config, { env: { MY_HEC_TOKEN: server.token }, splunk: { ackPollMs: 10 } });
    expect(sink).toBeInstanceOf(SplunkHecSink);
    expect((await sink.deliver([doc(1), doc(2)])).delivered).toBe(2);
    expect(server.indexedIds()).toEqual(['evt-1', 'evt-2']);
    expect(server.requests[0]!.channel).toBeDefined();
  });

  it('builds an Elasticsearch sink with the API key from the environment', async () => {
    const server = await startElasticsearchServer();
    cleanups.push(() => server.stop());
    const sink = createLocalSink(local({ type: 'elasticsearch', node: server.node, namespace: 'lab' }), { env: { ELASTIC_API_KEY: server.apiKey } });
    cleanups.push(async () => sink.close?.());
    expect(sink).toBeInstanceOf(ElasticsearchSink);
    expect((await sink.deliver([doc(1)])).delivered).toBe(1);
    expect([...server.dataStreams.keys()]).toEqual(['logs-cloudtap.tencent_ssl-lab']);
  });

  it.each([
    [{ type: 'splunk-hec', url: 'https://splunk.example.com:8088' }, 'SPLUNK_HEC_TOKEN'],
    [{ type: 'splunk-hec', url: 'https://splunk.example.com:8088', tokenEnv: 'TEAM_HEC' }, 'TEAM_HEC'],
    [{ type: 'elasticsearch', node: 'https://es.example.com' }, 'ELASTIC_API_KEY'],
  ])('a missing credential is a ConfigError naming the variable (%o)', (sink, variable) => {
    const config = local(sink);
    for (const env of [{}, { [variable]: '  ' }, { OTHER: 'not-this-one' }]) {
      const error = (() => {
        try {
          createLocalSink(config, { env });
        } catch (e) {
          return e;
        }
      })() as ConfigError;
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toContain(`set the environment variable ${variable}`);
      expect(error.message).not.toContain('not-this-one');
    }
  });
});

describe('runLocalOnce with a SIEM sink', () => {
  const now = Math.floor(Date.now() / 1000);
  const apis = simulatedApis.filter((api) => ['tencent-cloudaudit', 'ucloud-operations'].includes(api.type));

  /** Two simulated APIs with 150 events each, well past their lag, and a config for them. */
  async function scenario(sink: Record<string, unknown>) {
    const dir = await mkdtemp(join(tmpdir(), 'cloudtap-local-sink-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const running: RunningSimulator[] = [];
    for (const [i, api] of apis.entries()) {
      running.push(await api.start({ count: 150, from: now - 3 * 86_400, to: now - 86_400, seed: 11 + i, enforceRateLimit: false }));
      cleanups.push(() => running[i]!.close());
    }
    const config = parseConfig(
      {
        sources: apis.map((api, i) => ({ id: `local-${api.type}`, type: api.type, endpoint: running[i]!.endpoint, start: '4d', ...api.instanceInput })),
        local: { stateDir: join(dir, 'state'), output: join(dir, 'events.ndjson'), sink },
      },
      registry,
    );
    const env: Record<string, string> = {};
    apis.forEach((api, i) => {
      for (const [field, value] of Object.entries(api.credentials)) env[config.sources[i]!.credentialEnv[field]!] = value;
    });
    return { config, env };
  }

  it('delivers every event once to Splunk HEC, and a second run adds nothing', async () => {
    const hec = await startSplunkHecServer();
    cleanups.push(() => hec.stop());
    const { config, env } = await scenario({ type: 'splunk-hec', url: hec.url });
    const run = () => runLocalOnce({ config, registry, env: { ...env, SPLUNK_HEC_TOKEN: hec.token }, log: silentLog, alertConsole: false });
    // Alerts the default rules raise travel beside the events (event.kind: alert); the events are counted here.
    const events = () => hec.indexed.filter((e) => e.event.event.kind !== 'alert');
    const first = await run();
    expect(first.map((r) => r.ok)).toEqual([true, true]);
    expect(events()).toHaveLength(300);
    expect(new Set(hec.indexedIds()).size).toBe(hec.indexed.length);
    expect(hec.violations).toEqual([]);
    const indexedAfterFirst = hec.indexed.length;
    await run();
    expect(hec.indexed).toHaveLength(indexedAfterFirst);
  });

  it('delivers every event once to Elasticsearch data streams', async () => {
    const es = await startElasticsearchServer();
    cleanups.push(() => es.stop());
    const { config, env } = await scenario({ type: 'elasticsearch', node: es.node });
    const results = await runLocalOnce({ config, registry, env: { ...env, ELASTIC_API_KEY: es.apiKey }, log: silentLog, alertConsole: false });
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    const events = (stream: string) => es.dataStreams.get(stream)?.size ?? 0;
    expect(events('logs-cloudtap.tencent_cloudaudit-default') + events('logs-cloudtap.ucloud_operations-default')).toBe(300);
    // Alerts land in their own data stream.
    expect([...es.dataStreams.keys()].sort()).toEqual([
      'logs-cloudtap.alerts-default',
      'logs-cloudtap.tencent_cloudaudit-default',
      'logs-cloudtap.ucloud_operations-default',
    ]);
    expect(es.violations).toEqual([]);
  });

  it('fails before pulling anything when the SIEM credential is missing', async () => {
    const { config, env } = await scenario({ type: 'splunk-hec', url: 'http://127.0.0.1:9' });
    await expect(runLocalOnce({ config, registry, env, log: silentLog })).rejects.toThrow(/set the environment variable SPLUNK_HEC_TOKEN/);
  });
});
