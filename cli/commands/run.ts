import { loadConfigFile } from '../../shared/config/load';
import type { LocalConfig } from '../../shared/config/schema';
import { systemClock } from '../../shared/lib/clock';
import { ConfigError } from '../../shared/lib/errors';
import { registry } from '../../shared/providers/registry';
import { rateIntervalSeconds, runLocalOnce } from '../../shared/runtime/local';
import { consoleLog } from '../console-log';
import { ProgressBoard } from '../progress';
import { formatSummary } from '../summary';

export interface RunCommandOptions {
  configPath: string;
  sourceIds?: string[];
  watch: boolean;
  intervalSeconds?: number;
  verbose: boolean;
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

  const interval = options.intervalSeconds ?? watchInterval(config.sources.map((source) => source.schedule));
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
