import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { FirehoseClient } from '@aws-sdk/client-firehose';
import { loadConfigFile } from '../../shared/config/load';
import { systemClock, type Clock } from '../../shared/lib/clock';
import { ConfigError } from '../../shared/lib/errors';
import type { Log } from '../../shared/lib/logger';
import { backfillKey, reuseNote, runBackfill, type BackfillProgress, type BackfillResult, type ResolvedRange } from '../../shared/ops/backfill';
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
import { EXIT } from '../exit-codes';
import { interruptedExitCode, stopCleanlyOnSignals } from '../interrupt';
import { localOwner } from '../../shared/cursor/local-owner';

export interface BackfillCommandOptions {
  configPath: string;
  source: string;
  /** ISO 8601, unix seconds, or a duration ago (`7d`); a relative range is resolved once and remembered. */
  from: string;
  to: string;
  /** Resolve a relative range against now again instead of reusing the remembered one. */
  fresh?: boolean;
  /** Print one JSON object describing the outcome on stdout at the end; progress stays on stderr. */
  json?: boolean;
  stack?: string;
  table?: string;
  /** Deployed with --table: the Firehose delivery stream (the stack's output otherwise). */
  stream?: string;
  deployed?: boolean;
  verbose?: boolean;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  budgetMs?: number;
  cloudFormation?: CloudFormationClient;
  dynamoDb?: DynamoDBClient;
  firehose?: FirehoseClient;
  /** Replace the configured sink (tests). */
  sink?: Sink;
  /** Progress and messages; stderr by default. */
  write?: (text: string) => void;
  /** The JSON outcome (`json`); stdout by default. */
  print?: (text: string) => void;
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
  const definition = registry.get(instance.type)!;
  const target = await resolveTarget({ ...options, local: config.local, sources: config.sources, clock });
  const sink = options.sink ?? deployedOrLocalSink();
  function deployedOrLocalSink(): Sink {
    if (target.kind === 'local') return createLocalSink(config.local, { env, log, clock });
    // Security Lake has a stream per OCSF class, which one --stream cannot name.
    if (config.destination.type === 'security-lake') throw new ConfigError('destination', ['a deployed backfill into Security Lake is not supported yet: backfill locally with local.sink type security-lake, or let the scheduled runs catch up']);
    const stream = options.stream ?? target.deliveryStreamName;
    if (!stream) throw new ConfigError('--stream', ['a deployed backfill needs the delivery stream: pass --stream NAME or use --stack']);
    return new FirehoseSink({ deliveryStreamName: stream, client: options.firehose ?? createFirehoseClient(), encoder: encoderFor(config.destination, splunkSourcetypes(definitions)), clock, log });
  }
  // No alert router, as before: a backfill's alerts reach the sink beside its events and are not published.
  const store = backfillStore(target, clock);
  const pulls = new PullAssembly({ store, sink, rules: config.rules, clock, log });
  let lastPrinted = 0;
  const onProgress = (progress: BackfillProgress) => {
    if (clock.now() - lastPrinted < 1000 && progress.fraction < 1) return;
    lastPrinted = clock.now();
    write(`${formatProgress(progress)}\n`);
  };
  const stop = stopCleanlyOnSignals((line) => write(`${line}\n`));
  try {
    const result = await runBackfill({
      instance,
      definition,
      source: pulls.source({ definition, instance, credentials: credentialsFromEnv(definition, instance, env) }),
      from: options.from,
      to: options.to,
      fresh: options.fresh,
      puller: pulls.puller,
      store,
      keyFor: (range) => backfillKey(instance.id, range, target.kind),
      owner: localOwner(),
      signal: stop.signal,
      clock,
      budgetMs: options.budgetMs,
      onRange: (resolved) => write(`${formatRange(instance.id, resolved)}\n`),
      onProgress,
    });
    write(`${formatOutcome(instance.id, result)}\n`);
    if (options.json) (options.print ?? ((text) => process.stdout.write(text)))(`${JSON.stringify(outcomeJson(instance.id, result))}\n`);
    if (result.summary.stoppedBy === 'lease-held') return EXIT.skipped;
    return interruptedExitCode(stop.signal) ?? (result.complete ? EXIT.ok : EXIT.failed);
  } finally {
    stop.dispose();
    if (!options.sink) await sink.close?.();
  }
}

function formatProgress(progress: BackfillProgress): string {
  const width = 30;
  const filled = Math.round(progress.fraction * width);
  const eta = progress.etaSeconds === undefined ? 'ETA n/a' : `ETA ${humanDuration(progress.etaSeconds)}`;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(progress.fraction * 100)}% ${progress.delivered} delivered, ${progress.pages} pages, ${eta}`;
}

/** Which range the backfill works on, and where it comes from. */
function formatRange(sourceId: string, resolved: ResolvedRange): string {
  const span = formatSpan(resolved);
  if (resolved.reused) return `using ${reuseNote(resolved)}: ${span}; pass --fresh to resolve it again`;
  if (resolved.relative) return `backfill of ${sourceId}: ${span} ("${resolved.text}" resolved now; a re-run of the same command continues this range)`;
  return `backfill of ${sourceId}: ${span}`;
}

function formatOutcome(sourceId: string, { resolved, summary, complete, alreadyComplete }: BackfillResult): string {
  const span = formatSpan(resolved);
  if (alreadyComplete) return `✓ backfill of ${sourceId} ${span} already complete, nothing to do`;
  if (summary.stoppedBy === 'lease-held') return `backfill of ${sourceId} ${span} is already running elsewhere`;
  return complete
    ? `✓ backfill of ${sourceId} ${span} complete: ${summary.pulled} pulled, ${summary.delivered} delivered in ${summary.pages} pages`
    : `… backfill of ${sourceId} stopped at ${iso(summary.cursor?.windowStart ?? resolved.range.from)} (${summary.delivered} delivered); run the same command again to continue`;
}

/** The `--json` outcome: what ran, on which range, and what it did. */
function outcomeJson(sourceId: string, { resolved, summary, complete }: BackfillResult) {
  return {
    source: sourceId,
    from: iso(resolved.range.from),
    to: iso(resolved.range.to),
    resolvedAt: new Date(resolved.resolvedAt).toISOString(),
    reused: resolved.reused,
    complete,
    stoppedBy: summary.stoppedBy,
    pulled: summary.pulled,
    delivered: summary.delivered,
    pages: summary.pages,
  };
}

const formatSpan = ({ range }: ResolvedRange): string => `${iso(range.from)} – ${iso(range.to)}`;

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}
