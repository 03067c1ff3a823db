import { loadConfigFile } from '../../shared/config/load';
import type { LocalConfig } from '../../shared/config/schema';
import { systemClock } from '../../shared/lib/clock';
import { parseDuration } from '../../shared/lib/duration';
import { ConfigError } from '../../shared/lib/errors';
import { registry } from '../../shared/providers/registry';
import { rateIntervalSeconds, runLocalOnce } from '../../shared/runtime/local';
import { consoleLog } from '../console-log';
import type { CommandIo } from '../io';
import { ProgressBoard } from '../progress';
import { formatSummary } from '../summary';

export interface RunCommandOptions {
  configPath: string;
  sourceIds?: string[];
  watch: boolean;
  /** With `watch`: a duration such as `5m`. */
  interval?: string;
  /** `count`: one line with the number of alerts; `full`: every alert as it is raised. */
  alerts?: 'count' | 'full';
  json?: boolean;
  verbose: boolean;
  io?: CommandIo;
}

/** `cloudtap run`: pull once, or keep pulling on the shortest configured schedule with --watch. */
export async function runCommand(options: RunCommandOptions): Promise<number> {
  const config = await loadConfigFile(options.configPath, registry);
  const unknown = (options.sourceIds ?? []).filter((id) => !config.sources.some((source) => source.id === id));
  if (unknown.length > 0) throw new ConfigError('--source', unknown.map((id) => `no source "${id}" in ${options.configPath}`));
  const log = consoleLog(options.verbose);

  const once = async () => {
    const results = await runLocalOnce({ config, registry, sourceIds: options.sourceIds, log, onProgress: new ProgressBoard().update });
    process.stdout.write(`${formatSummary(results, sinkTarget(config.local))}\n`);
    return results.every((result) => result.ok) ? 0 : 1;
  };
  if (!options.watch) return once();

  const interval = (options.interval === undefined ? undefined : parseDuration(options.interval)) ?? watchInterval(config.sources.map((source) => source.schedule));
  for (;;) {
    await once();
    process.stdout.write(`next pull in ${interval} s (Ctrl-C to stop)\n`);
    await systemClock.sleep(interval * 1000);
  }
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
  }
}

function watchInterval(schedules: string[]): number {
  const intervals = schedules.map(rateIntervalSeconds);
  if (intervals.some((seconds) => seconds === undefined)) {
    throw new ConfigError('--watch', ['a cron() schedule cannot be followed locally; pass --interval SECONDS']);
  }
  return Math.min(...(intervals as number[]));
}
