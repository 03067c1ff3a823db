import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { FirehoseClient } from '@aws-sdk/client-firehose';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { loadConfigFile } from '../../shared/config/load';
import { systemClock, unixSeconds, type Clock } from '../../shared/lib/clock';
import { parseTimeArgument, TIME_HINT } from '../../shared/lib/duration';
import { ConfigError } from '../../shared/lib/errors';
import type { Log } from '../../shared/lib/logger';
import { backfillKey, runBackfill, type BackfillProgress } from '../../shared/ops/backfill';
import { humanDuration } from '../../shared/ops/status-report';
import { backfillStore, resolveTarget } from '../../shared/ops/target';
import { definitions, registry } from '../../shared/providers/registry';
import { splunkSourcetypes } from '../../shared/providers/siem';
import { PullAssembly } from '../../shared/runtime/assemble';
import { credentialsFromEnv } from '../../shared/runtime/credentials';
import { createLocalSink } from '../../shared/runtime/local-sink';
import { encoderFor } from '../../shared/sinks/encoders/for-format';
import { createFirehoseClient, FirehoseSink } from '../../shared/sinks/firehose-sink';
import type { Sink } from '../../shared/core/ports/sink';
import { consoleLog } from '../console-log';

export interface BackfillCommandOptions {
  configPath: string;
  source: string;
  /** ISO 8601, unix seconds, or a duration ago (`7d`). */
  from: string;
  to: string;
  stack?: string;
  table?: string;
  /** Deployed with --table: the Firehose delivery stream (the stack's output otherwise). */
  stream?: string;
  deployed?: boolean;
  /** Resolve a relative range again instead of reusing the one remembered for the same text. */
  fresh?: boolean;
  /** One JSON document on stdout at the end; progress stays on stderr. */
  json?: boolean;
  verbose?: boolean;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  budgetMs?: number;
  cloudFormation?: CloudFormationClient;
  dynamoDb?: DynamoDBClient;
  firehose?: FirehoseClient;
  /** Replace the configured sink (tests). */
  sink?: Sink;
  write?: (text: string) => void;
  log?: Log;
}

/** `cloudtap backfill`: exit 0 when the range is complete, 1 when stopped early (re-run the same command to continue). */
export async function backfillCommand(options: BackfillCommandOptions): Promise<number> {
  const config = await loadConfigFile(options.configPath, registry);
  const clock = options.clock ?? systemClock;
  const env = options.env ?? process.env;
  const write = options.write ?? ((text) => process.stderr.write(text));
  const log = options.log ?? consoleLog(options.verbose ?? false);
  const instance = config.sources.find((source) => source.id === options.source);
  if (!instance) throw new ConfigError('--source', [`no source "${options.source}" in ${options.configPath}`]);
  const nowSeconds = unixSeconds(clock.now());
  const range = { from: parseTime(options.from, '--from', nowSeconds), to: parseTime(options.to, '--to', nowSeconds) };
  const definition = registry.get(instance.type)!;
  const target = await resolveTarget({ ...options, local: config.local, clock });
  const sink = options.sink ?? deployedOrLocalSink();
  function deployedOrLocalSink(): Sink {
    if (target.kind === 'local') return createLocalSink(config.local, { env, log, clock });
    const stream = options.stream ?? target.deliveryStreamName;
    if (!stream) throw new ConfigError('--stream', ['a deployed backfill needs the delivery stream: pass --stream NAME or use --stack']);
    return new FirehoseSink({ deliveryStreamName: stream, client: options.firehose ?? createFirehoseClient(), encoder: encoderFor(config.destination, splunkSourcetypes(definitions)), clock, log });
  }
  // No alert router, as before: a backfill's alerts reach the sink beside its events and are not published.
  const pulls = new PullAssembly({ store: backfillStore(target, clock), sink, rules: config.rules, clock, log });
  let lastPrinted = 0;
  const onProgress = (progress: BackfillProgress) => {
    if (clock.now() - lastPrinted < 1000 && progress.fraction < 1) return;
    lastPrinted = clock.now();
    write(`${formatProgress(progress)}\n`);
  };
  try {
    const { summary, complete } = await runBackfill({
      instance,
      definition,
      source: pulls.source({ definition, instance, credentials: credentialsFromEnv(definition, instance, env) }),
      range,
      puller: pulls.puller,
      store: pulls.wiring.store,
      key: backfillKey(instance.id, range, target.kind),
      owner: `cli-backfill-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
      clock,
      budgetMs: options.budgetMs,
      onProgress,
    });
    const span = `${iso(range.from)} – ${iso(range.to)}`;
    if (summary.stoppedBy === 'lease-held') {
      write(`backfill of ${instance.id} ${span} is already running elsewhere\n`);
      return 1;
    }
    write(
      complete
        ? `✓ backfill of ${instance.id} ${span} complete: ${summary.pulled} pulled, ${summary.delivered} delivered in ${summary.pages} pages\n`
        : `… backfill of ${instance.id} stopped at ${iso(summary.cursor?.windowStart ?? range.from)} (${summary.delivered} delivered); run the same command again to continue\n`,
    );
    return complete ? 0 : 1;
  } finally {
    if (!options.sink) await sink.close?.();
  }
}

function formatProgress(progress: BackfillProgress): string {
  const width = 30;
  const filled = Math.round(progress.fraction * width);
  const eta = progress.etaSeconds === undefined ? 'ETA n/a' : `ETA ${humanDuration(progress.etaSeconds)}`;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(progress.fraction * 100)}% ${progress.delivered} delivered, ${progress.pages} pages, ${eta}`;
}

/** ISO 8601, unix seconds, or a duration before now (`7d`, `36h`). */
export function parseTime(text: string, flag: string, nowSeconds: number): number {
  const seconds = parseTimeArgument(text, nowSeconds);
  if (seconds === undefined) throw new ConfigError(flag, [`"${text}" is not a time: expected ${TIME_HINT}`]);
  return seconds;
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}
