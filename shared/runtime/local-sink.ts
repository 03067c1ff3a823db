import type { Clock } from '../lib/clock';
import { ConfigError } from '../lib/errors';
import type { Log } from '../lib/logger';
import type { LocalConfig } from '../config/schema';
import { ElasticsearchSink, type ElasticsearchSinkOptions } from '../sinks/elasticsearch-sink';
import { FileSink } from '../sinks/file-sink';
import type { Sink } from '../core/ports/sink';
import { definitions } from '../providers/registry';
import { splunkSourcetypes } from '../providers/siem';
import { SecurityLakeLocalSink } from '../sinks/security-lake/local-sink';
import { SplunkHecSink, type SplunkHecSinkOptions } from '../sinks/splunk-hec-sink';

export interface LocalSinkOptions {
  env?: NodeJS.ProcessEnv;
  log?: Log;
  clock?: Clock;
  /** Tuning passed through to the SIEM sinks (tests shorten backoffs and ack timeouts). */
  splunk?: Partial<SplunkHecSinkOptions>;
  elasticsearch?: Partial<ElasticsearchSinkOptions>;
}

/** Read a credential from the variable the config names; a missing one is named, its value never is. */
function secretFromEnv(env: NodeJS.ProcessEnv, variable: string, what: string, sinkType: string): string {
  const value = env[variable];
  if (value && value.trim() !== '') return value.trim();
  throw new ConfigError('local.sink', [`${sinkType}: set the environment variable ${variable} to ${what}`]);
}

/** The sink a local run delivers to, as `config.local.sink` says: the NDJSON file, Splunk HEC, Elasticsearch or Security Lake's layout in a folder. */
export function createLocalSink(local: LocalConfig, options: LocalSinkOptions = {}): Sink {
  const env = options.env ?? process.env;
  const sink = local.sink;
  switch (sink.type) {
    case 'file':
      return new FileSink({ path: local.output });
    case 'splunk-hec':
      return new SplunkHecSink({
        url: sink.url,
        token: secretFromEnv(env, sink.tokenEnv, 'the HEC token', sink.type),
        index: sink.index,
        sourcetypeOf: splunkSourcetypes(definitions),
        ack: sink.ack,
        log: options.log,
        clock: options.clock,
        ...options.splunk,
      });
    case 'elasticsearch':
      return new ElasticsearchSink({
        node: sink.node,
        apiKey: secretFromEnv(env, sink.apiKeyEnv, 'an Elasticsearch API key (encoded form)', sink.type),
        namespace: sink.namespace,
        log: options.log,
        clock: options.clock,
        ...options.elasticsearch,
      });
    case 'security-lake':
      return new SecurityLakeLocalSink({ dir: sink.dir, sourceName: sink.sourceName, rawData: sink.rawData, log: options.log });
  }
}
