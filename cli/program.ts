import { Command, InvalidArgumentError, Option } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import type { CommandIo } from './io';

/**
 * The command line: names, options, help and examples. Each command's module
 * is imported only when that command runs, so `--help` and `--version` start
 * without loading the AWS SDK.
 */

const collect = (value: string, previous: string[] = []) => [...previous, value];

const config = () => new Option('-c, --config <file>', 'the configuration file (YAML or JSON)').makeOptionMandatory();
const json = () => new Option('--json', 'print one JSON document on stdout instead of text');
const verbose = () => new Option('-v, --verbose', 'also print info and debug log lines');
const deployed = () => new Option('--deployed', 'read the deployed state of the default stack (Cloudtap)');
const stack = () => new Option('--stack <name>', 'read the deployed state through this stack\'s outputs');
const table = () => new Option('--table <name>', 'read this DynamoDB cursor table directly');

/** A whole number of at least 1, or a usage error naming what was given. */
function positiveWhole(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < 1) throw new InvalidArgumentError(`expected a whole number of at least 1, not "${text}"`);
  return value;
}

const examples = (lines: string[]) => `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;

/** Builds the program; `done` receives each command's exit code. */
export function buildProgram(io: CommandIo, done: (code: number) => void): Command {
  const program = new Command('cloudtap')
    .description('Pull cloud audit logs, normalize them to ECS, alert on sensitive actions, deliver them to your SIEM.')
    .version(packageJson.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .helpCommand('help [command]', 'show help for a command')
    .showSuggestionAfterError(true)
    .showHelpAfterError('(add --help to see the options and examples)')
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .exitOverride()
    .addHelpText('after', `\nExit codes: 0 done, 1 a source failed, 2 usage or configuration error, 3 a source skipped (lease held),\n4 AWS unusable (credentials, region), 130/143 interrupted. See docs/cli.md.\n`);

  program
    .command('demo')
    .description('run the whole pipeline against the built-in simulators (what `npm start` does)')
    .addOption(verbose())
    .addOption(new Option('--sink <sink>', 'where the events go: the NDJSON file, or Security Lake\'s Parquet layout in a folder (default: file)').choices(['file', 'security-lake']))
    .action(async (options: { verbose?: boolean; sink?: 'file' | 'security-lake' }) => {
      const { runDemo } = await import('./commands/demo');
      done(await runDemo({ verbose: options.verbose ?? false, sink: options.sink }));
    });

  program
    .command('run')
    .description('pull every enabled source once, or again on its schedule with --watch')
    .addOption(config())
    .option('-s, --source <id>', 'pull only this source (repeatable)', collect)
    .option('-w, --watch', 'keep pulling, at the shortest configured rate() schedule or --interval')
    .option('--interval <duration>', 'with --watch: time between pulls, e.g. 5m')
    .addOption(new Option('-p, --parallel <n>', 'sources pulled at once (default 8); their rate limits are shared per credential set either way').argParser(positiveWhole))
    .addOption(new Option('--alerts <mode>', 'alerts on the console: a count at the end, or each in full as raised (default: summary; full with --verbose)').choices(['summary', 'full']))
    .addOption(json())
    .addOption(verbose())
    .addHelpText('after', examples(['cloudtap run -c cloudtap.yaml', 'cloudtap run -c cloudtap.yaml --source audit-gz --alerts full', 'cloudtap run -c cloudtap.yaml --watch --interval 5m', 'cloudtap run -c cloudtap.yaml --parallel 32']))
    .action(async (options: { config: string; source?: string[]; watch?: boolean; interval?: string; parallel?: number; alerts?: 'summary' | 'full'; json?: boolean; verbose?: boolean }) => {
      const { runCommand } = await import('./commands/run');
      done(
        await runCommand({
          configPath: options.config,
          sourceIds: options.source,
          watch: options.watch ?? false,
          interval: options.interval,
          parallel: options.parallel,
          alerts: options.alerts,
          json: options.json ?? false,
          verbose: options.verbose ?? false,
        }),
      );
    });

  program
    .command('validate')
    .description('check a configuration file and print what it configures, defaults included')
    .addOption(config())
    .addOption(json())
    .option('--stack-name <name>', 'the stack the deployment size is estimated for, as `-c cloudtap:stackName` names it (default Cloudtap)')
    .addHelpText('after', examples(['cloudtap validate -c cloudtap.yaml', 'cloudtap validate -c cloudtap.yaml --json | jq .sources', 'cloudtap validate -c cloudtap.yaml --stack-name Cloudtap-prod']))
    .action(async (options: { config: string; json?: boolean; stackName?: string }) => {
      const { validateCommand } = await import('./commands/validate');
      done(await validateCommand({ configPath: options.config, json: options.json ?? false, stackName: options.stackName, io }));
    });

  program
    .command('status')
    .description('per source: last success, cursor, lag, events in the last day, last error')
    .addOption(config())
    .addOption(deployed())
    .addOption(stack())
    .addOption(table())
    .addOption(json())
    .addHelpText('after', examples(['cloudtap status -c cloudtap.yaml', 'cloudtap status -c cloudtap.yaml --deployed --json']))
    .action(async (options: { config: string; deployed?: boolean; stack?: string; table?: string; json?: boolean }) => {
      const { statusCommand } = await import('./commands/status');
      done(await statusCommand({ configPath: options.config, deployed: options.deployed, stack: options.stack, table: options.table, json: options.json, io }));
    });

  program
    .command('backfill')
    .description('pull a past range of one source again without moving its live cursor (resumable)')
    .addOption(config())
    .requiredOption('-s, --source <id>', 'the source to backfill')
    .requiredOption('--from <time>', 'start: ISO 8601, unix seconds, or a duration ago such as 7d')
    .requiredOption('--to <time>', 'end (exclusive), in the same forms')
    .option('--fresh', 'resolve a relative --from/--to again instead of reusing the range remembered for it')
    .addOption(deployed())
    .addOption(stack())
    .addOption(table())
    .option('--stream <name>', 'with --table: the Firehose delivery stream to send to')
    .addOption(json())
    .addOption(verbose())
    .addHelpText('after', examples(['cloudtap backfill -c cloudtap.yaml --source audit-gz --from 7d --to 6d', 'cloudtap backfill -c cloudtap.yaml --source audit-gz --from 2026-11-01 --to 2026-11-02 --deployed']))
    .action(
      async (options: { config: string; source: string; from: string; to: string; fresh?: boolean; deployed?: boolean; stack?: string; table?: string; stream?: string; json?: boolean; verbose?: boolean }) => {
        const { backfillCommand } = await import('./commands/backfill');
        done(
          await backfillCommand({
            configPath: options.config,
            source: options.source,
            from: options.from,
            to: options.to,
            fresh: options.fresh,
            deployed: options.deployed,
            stack: options.stack,
            table: options.table,
            stream: options.stream,
            json: options.json,
            verbose: options.verbose,
          }),
        );
      },
    );

  program
    .command('replay')
    .description('send the records Firehose backed up to S3 after delivery failures back to the stream')
    .addOption(config())
    .addOption(stack())
    .option('--bucket <name>', 'the backup bucket (instead of the stack output)')
    .option('--stream <name>', 'the delivery stream (instead of the stack output)')
    .option('--prefix <prefix>', 'the failed-records prefix (default: the configured one)')
    .option('--dry-run', 'list what would be replayed; send nothing')
    .addOption(json())
    .addOption(verbose())
    .addHelpText('after', examples(['cloudtap replay -c cloudtap.yaml --dry-run', 'cloudtap replay -c cloudtap.yaml --stack Cloudtap-prod']))
    .action(async (options: { config: string; stack?: string; bucket?: string; stream?: string; prefix?: string; dryRun?: boolean; json?: boolean; verbose?: boolean }) => {
      const { replayCommand } = await import('./commands/replay');
      done(
        await replayCommand({
          configPath: options.config,
          stack: options.stack,
          bucket: options.bucket,
          stream: options.stream,
          prefix: options.prefix,
          dryRun: options.dryRun,
          json: options.json,
          verbose: options.verbose,
          io,
        }),
      );
    });

  program
    .command('elastic-setup')
    .description("install cloudtap's index template and ingest pipeline into Elasticsearch (safe to run again)")
    .requiredOption('--url <url>', 'the Elasticsearch endpoint, e.g. https://my-deployment.es.eu-west-1.aws.elastic.cloud')
    .option('--api-key-env <name>', 'environment variable holding an API key (encoded form) with manage_index_templates and manage_pipeline', 'ELASTIC_API_KEY')
    .option('--namespace <namespace>', 'the data stream namespace to check and print', 'default')
    .action(async (options: { url: string; apiKeyEnv: string; namespace: string }) => {
      const { elasticSetupCommand } = await import('./commands/elastic-setup');
      done(await elasticSetupCommand(options, io));
    });

  program
    .command('siem-assets')
    .description('write the Splunk app and the Elastic assets for every source type')
    .requiredOption('--out <dir>', 'where to write them; files already there are replaced')
    .action(async (options: { out: string }) => {
      const { siemAssetsCommand } = await import('./commands/siem-assets');
      done(await siemAssetsCommand(options, io));
    });

  return program;
}
