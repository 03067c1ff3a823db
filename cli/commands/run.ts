import { join, resolve } from 'node:path';
import { loadConfigFile, type CloudtapConfig } from '../../shared/config/load';
import type { LocalConfig } from '../../shared/config/schema';
import { systemClock } from '../../shared/lib/clock';
import { DURATION_HINT, formatDuration, parseDuration } from '../../shared/lib/duration';
import { ConfigError } from '../../shared/lib/errors';
import { escapesAllowed } from '../../shared/lib/terminal';
import { registry } from '../../shared/providers/registry';
import { rateSeconds } from '../../shared/lib/schedule';
import { runLocalOnce, type LocalRunResult } from '../../shared/runtime/local';
import { consoleLog } from '../console-log';
import { EXIT } from '../exit-codes';
import { interruptedExitCode, stopCleanlyOnSignals } from '../interrupt';
import { ProgressBoard } from '../progress';
import { AlertCount, formatSummary, runReport, statusOf } from '../summary';

export interface RunCommandOptions {
  configPath: string;
  sourceIds?: string[];
  watch: boolean;
  /** `--interval`: the pause between pulls with --watch, a duration such as `5m` or `30s`; default the shortest `rate()` schedule. */
  interval?: string;
  verbose: boolean;
  /** `--parallel`: sources pulled at once; default DEFAULT_LOCAL_PARALLEL. */
  parallel?: number;
  /** `--json`: one JSON document per pull on stdout (the run report), nothing else there. */
  json?: boolean;
  /** `--alerts summary|full`: alerts counted at the end (default), or each printed in full as raised (also the default with --verbose). */
  alerts?: AlertDetail;
  /** Stops the run as Ctrl-C does. Default: SIGINT and SIGTERM do, and a second one exits at once. */
  signal?: AbortSignal;
}


type AlertDetail = 'summary' | 'full';

/** `cloudtap run`: pull once, or keep pulling on the shortest configured schedule with --watch. */
export async function runCommand(options: RunCommandOptions): Promise<number> {
  // Mistakes in the options are refused before anything runs (the command line checks --alerts' choices).
  const intervalSeconds = options.interval === undefined ? undefined : parseInterval(options.interval, options.watch);
  const alertDetail = options.alerts ?? (options.verbose ? 'full' : 'summary');
  const config = await loadConfigFile(options.configPath, registry);
  const unknown = (options.sourceIds ?? []).filter((id) => !config.sources.some((source) => source.id === id));
  if (unknown.length > 0) throw new ConfigError('--source', unknown.map((id) => `no source "${id}" in ${options.configPath}`));
  const every = options.watch ? (intervalSeconds ?? watchInterval(config.sources.map((source) => source.schedule))) : undefined;

  // With --json, stdout carries the report alone: progress goes to stderr, and only to a terminal.
  const board = new ProgressBoard(options.json ? { out: process.stderr, plain: false } : {});
  const say = (line: string) => board.print(`${line}\n`, options.json ? process.stderr : process.stdout);
  const warn = (line: string) => board.print(`${line}\n`, process.stderr);
  const stop = options.signal ? { signal: options.signal, dispose: () => {} } : stopCleanlyOnSignals(warn);
  const pull = { config, options, board, warn, signal: stop.signal, alertDetail };
  try {
    for (;;) {
      const code = await pullOnce(pull);
      if (every === undefined || stop.signal.aborted) return code;
      say(`next pull in ${formatDuration(every)} (Ctrl-C to stop)`);
      const slept = await systemClock.sleep(every * 1000, stop.signal).then(
        () => true,
        () => false,
      );
      if (!slept) return interruptedExitCode(stop.signal)!;
    }
  } finally {
    stop.dispose();
  }
}

interface Pull {
  config: CloudtapConfig;
  options: RunCommandOptions;
  board: ProgressBoard;
  warn: (line: string) => void;
  signal: AbortSignal;
  alertDetail: AlertDetail;
}

/** One pull of every selected source, its report on stdout; resolves with the exit code. */
async function pullOnce({ config, options, board, warn, signal, alertDetail }: Pull): Promise<number> {
  const alerts = new AlertCount();
  const alertsFile = join(config.local.stateDir, 'alerts.ndjson');
  const stderr = { write: (text: string) => board.print(text, process.stderr) };
  board.expect(options.sourceIds?.length ?? config.sources.filter((source) => source.enabled).length);
  const results = await runLocalOnce({
    config,
    registry,
    sourceIds: options.sourceIds,
    parallel: options.parallel,
    log: consoleLog(options.verbose, warn),
    signal,
    onProgress: board.update,
    onResult: (result) => board.finish(result.sourceId, statusOf(result)),
    alertConsole: { stream: stderr, color: escapesAllowed(process.stderr), detail: alertDetail === 'full' ? 'full' : 'none', onPublished: alerts.add },
  });
  board.done();
  const code = exitCode(results, signal);
  const output = sinkTarget(config.local);
  const report = options.json
    ? JSON.stringify(runReport(results, { output, alerts, alertsFile, exitCode: code }), null, 2)
    : formatSummary(results, output, { count: alerts, file: alertsFile, printed: alertDetail === 'full' });
  process.stdout.write(`${report}\n`);
  return code;
}

/**
 * 0 only when every selected source ran (caught up or stopped for time); 1
 * when one failed; 3 when none failed but one was skipped for a held lease;
 * 130 or 143 when interrupted, whatever the sources did (cli/exit-codes.ts).
 */
function exitCode(results: LocalRunResult[], signal: AbortSignal): number {
  const interrupted = interruptedExitCode(signal);
  if (interrupted !== undefined) return interrupted;
  const statuses = results.map(statusOf);
  if (statuses.includes('failed')) return EXIT.failed;
  if (statuses.includes('skipped')) return EXIT.skipped;
  return EXIT.ok;
}

function parseInterval(text: string, watch: boolean): number {
  if (!watch) throw new ConfigError('--interval', ['--interval is the pause between pulls of --watch: add --watch, or leave --interval out']);
  const seconds = parseDuration(text);
  if (seconds === undefined) {
    const unitless = /^\s*\d+\s*$/.test(text) ? ` (a number needs its unit, e.g. ${text.trim()}s)` : '';
    throw new ConfigError('--interval', [`"${text}" is not a duration: expected ${DURATION_HINT}${unitless}`]);
  }
  if (seconds <= 0) throw new ConfigError('--interval', [`"${text}": the pause between pulls must be longer than 0s`]);
  return seconds;
}


/** Where a local run's events went, for the summary line. */
function sinkTarget(local: LocalConfig): string {
  switch (local.sink.type) {
    case 'file':
      return local.output;
    case 'splunk-hec':
      return `Splunk HEC ${local.sink.url}`;
    case 'elasticsearch':
      return `Elasticsearch ${local.sink.node} (logs-cloudtap.*-${local.sink.namespace})`;
    case 'security-lake':
      return `Security Lake layout under ${resolve(local.sink.dir, 'ext')} (Parquet, one folder per OCSF class)`;
  }
}

function watchInterval(schedules: string[]): number {
  const intervals = schedules.map(rateSeconds);
  if (intervals.some((seconds) => seconds === undefined)) {
    throw new ConfigError('--watch', ['a cron() schedule cannot be followed locally; pass --interval with a duration such as 5m']);
  }
  return Math.min(...(intervals as number[]));
}
