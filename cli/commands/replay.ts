import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { FirehoseClient } from '@aws-sdk/client-firehose';
import { S3Client } from '@aws-sdk/client-s3';
import { loadConfigFile } from '../../shared/config/load';
import { ConfigError } from '../../shared/lib/errors';
import type { Log } from '../../shared/lib/logger';
import { defaultReplayPrefix, replayFailedRecords, type ObjectResult, type ReplaySummary } from '../../shared/ops/replay';
import { DEFAULT_STACK, stackOutputs, STACK_OUTPUTS } from '../../shared/ops/target';
import { registry } from '../../shared/providers/registry';
import { createFirehoseClient, FirehoseSink } from '../../shared/sinks/firehose-sink';
import { consoleLog } from '../console-log';
import { EXIT } from '../exit-codes';
import { writeJson, type CommandIo } from '../io';

/** Stack output naming the bucket Firehose backs failed records up to (infra/stack.ts). */
export const BUCKET_OUTPUT = 'BucketName';

export interface ReplayCommandOptions {
  configPath: string;
  stack?: string;
  /** Skip CloudFormation: the bucket and stream named directly. */
  bucket?: string;
  stream?: string;
  /** Default: the configured destination's failed-records prefix. */
  prefix?: string;
  dryRun?: boolean;
  verbose?: boolean;
  cloudFormation?: CloudFormationClient;
  s3?: S3Client;
  firehose?: FirehoseClient;
  /** Sink retry tuning (tests). */
  maxAttempts?: number;
  baseDelayMs?: number;
  /** One JSON document on stdout at the end (the summary and every object) instead of text. */
  json?: boolean;
  io?: CommandIo;
  write?: (text: string) => void;
  log?: Log;
}

/** `cloudtap replay`: exit 0 when everything found was replayed (or would be), 1 when objects failed or were malformed. */
export async function replayCommand(options: ReplayCommandOptions): Promise<number> {
  const config = await loadConfigFile(options.configPath, registry);
  const io = options.io ?? process;
  // In --json mode the text goes to stderr, so stdout holds the JSON document alone.
  const write = options.write ?? ((text) => (options.json ? io.stderr : io.stdout).write(text));
  const log = options.log ?? consoleLog(options.verbose ?? false);
  let bucket = options.bucket;
  let stream = options.stream;
  if (!bucket || (!stream && !options.dryRun)) {
    const stackName = options.stack ?? DEFAULT_STACK;
    const outputs = await stackOutputs(options.cloudFormation ?? new CloudFormationClient({}), stackName);
    bucket ??= outputs[BUCKET_OUTPUT];
    stream ??= outputs[STACK_OUTPUTS.deliveryStream];
    if (!bucket) throw new ConfigError(`stack ${stackName}`, [`has no output ${BUCKET_OUTPUT}; pass --bucket NAME`]);
    if (!stream && !options.dryRun) throw new ConfigError(`stack ${stackName}`, [`has no output ${STACK_OUTPUTS.deliveryStream}; pass --stream NAME`]);
  }
  const prefix = options.prefix ?? defaultReplayPrefix(config.destination);
  const s3 = options.s3 ?? new S3Client({});
  // Records go back exactly as Firehose backed them up: no re-encoding, one record each.
  const sink = new FirehoseSink({
    deliveryStreamName: stream ?? '(dry run)',
    client: options.firehose ?? createFirehoseClient(),
    log,
    maxAttempts: options.maxAttempts,
    baseDelayMs: options.baseDelayMs,
  });
  const objects: ObjectResult[] = [];
  write(`${options.dryRun ? 'dry run: would replay' : 'replaying'} s3://${bucket}/${prefix}${stream ? ` into ${stream}` : ''}\n`);
  try {
    const summary = await replayFailedRecords({
      s3,
      bucket,
      prefix,
      sender: sink,
      dryRun: options.dryRun,
      log,
      onObject: (result) => {
        objects.push(result);
        write(`${formatObject(result)}\n`);
      },
    });
    write(formatSummary(summary));
    if (options.json) writeJson(io, { ...summary, stream: stream ?? null, results: objects });
    return summary.failed.length > 0 || summary.malformed.length > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    await sink.close();
    if (!options.s3) s3.destroy();
  }
}

export function formatObject(result: ObjectResult): string {
  const records = `${result.records} record${result.records === 1 ? '' : 's'}`;
  switch (result.status) {
    case 'replayed':
      return `  replayed     ${result.key} (${records})`;
    case 'would-replay':
      return `  would replay ${result.key} (${records})`;
    case 'malformed':
      return `  MALFORMED    ${result.key}: ${result.reason} (skipped)`;
    default:
      return `  FAILED       ${result.key}: ${result.reason} (left in place)`;
  }
}

export function formatSummary(summary: ReplaySummary): string {
  const lines = [
    summary.dryRun
      ? `${summary.replayed} of ${summary.objects} objects would be replayed: ${summary.records} records`
      : `${summary.replayed} of ${summary.objects} objects replayed: ${summary.records} records sent, objects moved under ${summary.prefix}replayed/`,
  ];
  const codes = Object.entries(summary.errorCodes).sort(([, a], [, b]) => b - a);
  if (codes.length > 0) lines.push('by error code:', ...codes.map(([code, n]) => `  ${code}: ${n}`));
  if (summary.malformed.length > 0) lines.push(`${summary.malformed.length} malformed objects skipped (see above)`);
  if (summary.failed.length > 0) lines.push(`${summary.failed.length} objects not replayed; run replay again to retry them`);
  if (summary.objects === 0) lines.push('nothing to replay');
  return `${lines.join('\n')}\n`;
}
