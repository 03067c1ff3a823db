import { formatDuration } from '../../shared/lib/duration';
import { loadConfigFile } from '../../shared/config/load';
import { registry } from '../../shared/providers/registry';

/** Check a config file; print what it configures so a person can see the defaults that apply. */
export async function validateCommand(path: string): Promise<number> {
  const config = await loadConfigFile(path, registry);
  process.stdout.write(`${path} is valid: ${config.sources.length} source(s), destination ${config.destination.type}\n`);
  for (const source of config.sources) {
    const start = 'at' in source.start ? new Date(source.start.at * 1000).toISOString() : `${formatDuration(source.start.lookbackSeconds)} ago`;
    process.stdout.write(
      `  ${source.id} (${source.type}${source.region ? `, ${source.region}` : ''})${source.enabled ? '' : ' [disabled]'}: ${source.schedule}, lag ${formatDuration(source.lagSeconds)}, first run from ${start}${source.endpoint ? `, endpoint ${source.endpoint}` : ''}\n`,
    );
  }
  return 0;
}
