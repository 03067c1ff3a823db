import { Client, errors } from '@elastic/elasticsearch';
import type { estypes } from '@elastic/elasticsearch';
import { datasetOf } from '../../shared/ecs/document';
import { elasticAssets } from '../../shared/ops/siem/elastic-assets';
import { definitions } from '../../shared/providers/registry';
import { EXIT } from '../exit-codes';
import type { CommandIo } from '../io';

/** Names of what `elastic-setup` installs; the bodies are rendered from siem/elastic/ and the source definitions. */
export const ELASTIC_ASSETS = {
  componentTemplate: 'logs-cloudtap@mappings',
  pipeline: 'logs-cloudtap@pipeline',
  indexTemplate: 'logs-cloudtap',
  /** Firehose's `es_datastream_name` dataset: one stream carries every source, the pipeline reroutes. */
  firehoseDataset: 'cloudtap.generic',
} as const;

/** Where each source's events land: `logs-cloudtap.<source>-<namespace>`. */
export function dataStreamNames(namespace: string): string[] {
  return definitions.map((definition) => `logs-${datasetOf(definition.type)}-${namespace}`);
}

export interface ElasticSetupOptions {
  /** The Elasticsearch endpoint. */
  url: string;
  /** The environment variable holding an API key (encoded form). */
  apiKeyEnv: string;
  /** The data stream namespace to check and print. */
  namespace: string;
}

const NAMESPACE = /^[a-z0-9_]{1,100}$/;

/**
 * `cloudtap elastic-setup`: install (or update) the Elastic assets, then ask
 * Elasticsearch which template and pipeline each cloudtap data stream would
 * get. PUTs replace, so running it twice leaves the cluster as running it once.
 * Exit codes: 0 done, 1 Elasticsearch refused or could not be reached, 2 usage.
 */
export async function elasticSetupCommand(options: ElasticSetupOptions, io: CommandIo = process): Promise<number> {
  const usage = (message: string) => {
    io.stderr.write(`elastic-setup: ${message} (add --help to see the options)\n`);
    return EXIT.usage;
  };
  const url = parseUrl(options.url);
  if (!url) return usage(`--url ${JSON.stringify(redactUrl(options.url))} is not an http(s) URL`);
  const namespace = options.namespace;
  if (!NAMESPACE.test(namespace)) return usage(`--namespace must be lowercase letters, digits or _ (an Elastic data stream namespace)`);
  const keyEnv = options.apiKeyEnv;
  const apiKey = io.env[keyEnv]?.trim();
  if (!apiKey) {
    return usage(`environment variable ${keyEnv} is not set: create an Elasticsearch API key with the cluster privileges manage_index_templates and manage_pipeline, and export its encoded form as ${keyEnv}`);
  }

  // Never echo the key, even if a proxy or server puts it in an error text.
  const redact = (text: string) => text.split(apiKey).join('[redacted]');
  const out = (text: string) => io.stdout.write(redact(text));
  const endpoint = redactUrl(url.href);
  const client = new Client({ node: url.href, auth: { apiKey }, maxRetries: 2, requestTimeout: 30_000 });
  let step = `connect to ${endpoint}`;
  try {
    const version = await clusterVersion(client);
    if (version && !atLeast(version, 8, 8)) {
      io.stderr.write(`elastic-setup: Elasticsearch ${version} at ${endpoint} is too old: the reroute processor needs 8.8 or later\n`);
      return EXIT.failed;
    }
    out(`Elasticsearch ${version ?? '(version not readable with this key)'} at ${endpoint}\n`);
    const assets = elasticAssets(definitions);

    step = `install component template ${ELASTIC_ASSETS.componentTemplate}`;
    await client.cluster.putComponentTemplate({
      name: ELASTIC_ASSETS.componentTemplate,
      ...(assets.componentTemplate as Omit<estypes.ClusterPutComponentTemplateRequest, 'name'>),
    });
    out(`  component template  ${ELASTIC_ASSETS.componentTemplate}  installed\n`);

    // The pipeline goes in before the template that names it, so no document meets a missing pipeline.
    step = `install ingest pipeline ${ELASTIC_ASSETS.pipeline}`;
    await client.ingest.putPipeline({ id: ELASTIC_ASSETS.pipeline, ...(assets.pipeline as Omit<estypes.IngestPutPipelineRequest, 'id'>) });
    out(`  ingest pipeline     ${ELASTIC_ASSETS.pipeline}  installed\n`);

    step = `install index template ${ELASTIC_ASSETS.indexTemplate}`;
    await client.indices.putIndexTemplate({
      name: ELASTIC_ASSETS.indexTemplate,
      ...(assets.indexTemplate as Omit<estypes.IndicesPutIndexTemplateRequest, 'name'>),
    });
    out(`  index template      ${ELASTIC_ASSETS.indexTemplate}  installed (${(assets.indexTemplate.index_patterns as string[]).join(', ')}, priority ${assets.indexTemplate.priority})\n`);

    const landing = `logs-${ELASTIC_ASSETS.firehoseDataset}-${namespace}`;
    for (const stream of [landing, ...dataStreamNames(namespace)]) {
      step = `check which template ${stream} gets`;
      const simulated = await client.indices.simulateIndexTemplate({ name: stream });
      const pipeline = defaultPipeline(simulated.template?.settings);
      if (pipeline !== ELASTIC_ASSETS.pipeline) {
        io.stderr.write(
          `elastic-setup: ${stream} would get default pipeline ${pipeline ?? '(none)'}, not ${ELASTIC_ASSETS.pipeline}: another index template with a higher priority matches it (${describeOverlaps(simulated.overlapping)})\n`,
        );
        return EXIT.failed;
      }
      out(`  checked             ${stream}  -> ${ELASTIC_ASSETS.pipeline}\n`);
    }
    out(
      `\nAmazon Data Firehose writes to ${landing} (the es_datastream_name cloudtap's deployment sets for namespace ${namespace});\n` +
        `the pipeline moves each event on to its logs-cloudtap.<source>-${namespace} data stream.\n` +
        `Data streams that already exist take the new mappings at their next rollover (POST <data stream>/_rollover).\n`,
    );
    return EXIT.ok;
  } catch (error) {
    io.stderr.write(redact(`elastic-setup: could not ${step}: ${explain(error, endpoint)}\n`));
    return EXIT.failed;
  } finally {
    await client.close();
  }
}

function parseUrl(value: string | undefined): URL | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** A URL fit to print: any user:password in it replaced. */
function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.username || url.password) {
      url.username = 'redacted';
      url.password = '';
    }
    return url.href.replace(/\/$/, '');
  } catch {
    return value.replace(/\/\/[^/@]*@/, '//redacted@');
  }
}

/** The cluster's version; undefined when the key may not read it (GET / needs the monitor privilege). */
async function clusterVersion(client: Client): Promise<string | undefined> {
  try {
    return (await client.info()).version.number;
  } catch (error) {
    if (error instanceof errors.ResponseError && error.meta.statusCode === 403) return undefined;
    throw error;
  }
}

function atLeast(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

/** `index.default_pipeline` from simulated settings, nested or flat. */
function defaultPipeline(settings: estypes.IndicesIndexSettings | undefined): string | undefined {
  const anySettings = settings as Record<string, any> | undefined;
  return anySettings?.index?.default_pipeline ?? anySettings?.['index.default_pipeline'] ?? anySettings?.default_pipeline;
}

function describeOverlaps(overlapping: estypes.IndicesSimulateIndexTemplateResponse['overlapping']): string {
  return overlapping?.length ? `it overlaps ${overlapping.map((template) => template.name).join(', ')}` : 'check GET _index_template';
}

/** One line a person can act on, for every way the client fails. */
function explain(error: unknown, endpoint: string): string {
  if (error instanceof errors.ResponseError) {
    const status = error.meta.statusCode;
    const cause = (error.meta.body as { error?: { type?: string; reason?: string } } | undefined)?.error;
    const detail = cause ? `${cause.type ?? 'error'}: ${cause.reason ?? ''}` : `HTTP ${status}`;
    if (status === 401) return `Elasticsearch rejected the API key (401 ${detail}); check that it is the encoded form and not expired`;
    if (status === 403) {
      return `the API key lacks a privilege (403 ${detail}); it needs the cluster privileges manage_index_templates and manage_pipeline`;
    }
    return `Elasticsearch answered ${status} (${detail})`;
  }
  if (error instanceof errors.ProductNotSupportedError) {
    return `${endpoint} did not answer as Elasticsearch; use the Elasticsearch endpoint (not Kibana's, nor the Firehose endpoint)`;
  }
  if (error instanceof errors.ConnectionError || error instanceof errors.TimeoutError) {
    return `no answer (${error.message}); check the URL and that this machine can reach it`;
  }
  return error instanceof Error ? error.message : String(error);
}
