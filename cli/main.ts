import { parseArgs } from 'node:util';
import { ConfigError } from '../shared/lib/errors';
import { runDemo } from './commands/demo';
import { elasticSetupCommand } from './commands/elastic-setup';
import { backfillCommand } from './commands/backfill';
import { replayCommand } from './commands/replay';
import { siemAssetsCommand } from './commands/siem-assets';
import { runCommand } from './commands/run';
import { statusCommand } from './commands/status';
import { validateCommand } from './commands/validate';

const USAGE = `cloudtap — pull cloud audit logs, normalize them to ECS, deliver them to your SIEM

Usage:
  cloudtap demo                              run the whole pipeline against the built-in simulators
  cloudtap run --config FILE [--source ID]... [--watch [--interval DURATION]] [--alerts summary|full] [--json] [--verbose]
                                             pull every enabled source once (or on its schedule with --watch)
  cloudtap validate --config FILE            check a configuration file and print what it configures
  cloudtap status --config FILE [--deployed | --stack NAME | --table NAME]
                                             per source: last success, cursor, lag, last error
  cloudtap backfill --config FILE --source ID --from T --to T [--deployed | --stack NAME | --table NAME --stream NAME]
                                             pull a past range again without moving the live cursor (resumable)
  cloudtap replay --config FILE [--stack NAME | --bucket NAME --stream NAME] [--prefix P] [--dry-run]
                                             send records Firehose backed up to S3 after failures back to the stream
  cloudtap elastic-setup --url URL [...]     install cloudtap's index template and ingest pipeline into Elasticsearch
  cloudtap siem-assets --out DIR             write the Splunk app and the Elastic assets for every source type
`;

export async function main(argv: string[]): Promise<number> {
  // elastic-setup and siem-assets have options of their own (--url, --out), so they parse their own arguments.
  if (argv[0] === 'elastic-setup') return elasticSetupCommand(argv.slice(1));
  if (argv[0] === 'siem-assets') return siemAssetsCommand(argv.slice(1));
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      source: { type: 'string', multiple: true },
      watch: { type: 'boolean', default: false },
      stack: { type: 'string' },
      table: { type: 'string' },
      stream: { type: 'string' },
      deployed: { type: 'boolean', default: false },
      from: { type: 'string' },
      to: { type: 'string' },
      bucket: { type: 'string' },
      prefix: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      interval: { type: 'string' },
      alerts: { type: 'string' },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', short: 'v', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }
  try {
    switch (command) {
      case 'demo':
        return await runDemo({ verbose: values.verbose });
      case 'run':
        return await runCommand({
          configPath: requireConfig(values.config),
          sourceIds: values.source,
          watch: values.watch,
          interval: values.interval,
          verbose: values.verbose,
          json: values.json,
          alerts: values.alerts,
        });
      case 'validate':
        return await validateCommand(requireConfig(values.config));
      case 'status':
        return await statusCommand({ configPath: requireConfig(values.config), stack: values.stack, table: values.table, deployed: values.deployed });
      case 'replay':
        return await replayCommand({
          configPath: requireConfig(values.config),
          stack: values.stack,
          bucket: values.bucket,
          stream: values.stream,
          prefix: values.prefix,
          dryRun: values['dry-run'],
          verbose: values.verbose,
        });
      case 'backfill':
        return await backfillCommand({
          configPath: requireConfig(values.config),
          source: values.source?.[0] ?? '',
          from: values.from ?? '',
          to: values.to ?? '',
          stack: values.stack,
          table: values.table,
          stream: values.stream,
          deployed: values.deployed,
          verbose: values.verbose,
        });
      default:
        process.stderr.write(`unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

function requireConfig(path: string | undefined): string {
  if (!path) throw new ConfigError('command line', ['--config FILE is required']);
  return path;
}
