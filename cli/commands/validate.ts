import { loadConfigFile, type CloudtapConfig } from '../../shared/config/load';
import { ConfigError } from '../../shared/lib/errors';
import { formatDuration } from '../../shared/lib/duration';
import { registry } from '../../shared/providers/registry';
import { EXIT } from '../exit-codes';
import { writeJson, type CommandIo } from '../io';

export interface ValidateCommandOptions {
  configPath: string;
  json?: boolean;
  io?: CommandIo;
}

/** `cloudtap validate`: check a config file; print what it configures so a person sees the defaults that apply. */
export async function validateCommand(options: ValidateCommandOptions): Promise<number> {
  const io = options.io ?? process;
  let config: CloudtapConfig;
  try {
    config = await loadConfigFile(options.configPath, registry);
  } catch (error) {
    if (!(error instanceof ConfigError) || !options.json) throw error;
    writeJson(io, { file: options.configPath, valid: false, problems: error.issues });
    io.stderr.write(`${error.message}\n`);
    return EXIT.usage;
  }
  if (options.json) {
    writeJson(io, { file: options.configPath, valid: true, ...describeConfig(config) });
    return EXIT.ok;
  }
  io.stdout.write(`${options.configPath} is valid: ${config.sources.length} source(s), destination ${config.destination.type}\n`);
  for (const source of config.sources) {
    const start = 'at' in source.start ? new Date(source.start.at * 1000).toISOString() : `${formatDuration(source.start.lookbackSeconds)} ago`;
    io.stdout.write(
      `  ${source.id} (${source.type}${source.region ? `, ${source.region}` : ''})${source.enabled ? '' : ' [disabled]'}: ${source.schedule}, lag ${formatDuration(source.lagSeconds)}, first run from ${start}${source.endpoint ? `, endpoint ${source.endpoint}` : ''}\n`,
    );
  }
  return EXIT.ok;
}

/** What `validate --json` reports: every resolved source (no credentials, only the variables that hold them) and the destination. */
function describeConfig(config: CloudtapConfig) {
  return {
    destination: { type: config.destination.type },
    sources: config.sources.map((source) => ({
      id: source.id,
      type: source.type,
      region: source.region ?? null,
      enabled: source.enabled,
      schedule: source.schedule,
      lagSeconds: source.lagSeconds,
      start: 'at' in source.start ? { at: new Date(source.start.at * 1000).toISOString() } : { lookbackSeconds: source.start.lookbackSeconds },
      endpoint: source.endpoint ?? null,
      credentialEnv: source.credentialEnv,
    })),
  };
}
