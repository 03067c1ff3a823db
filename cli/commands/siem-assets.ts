import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ELASTIC_ASSET_FILES, elasticAssets } from '../../shared/ops/siem/elastic-assets';
import { splunkAppFiles } from '../../shared/ops/siem/splunk-app';
import { definitions } from '../../shared/providers/registry';
import type { CommandIo } from './elastic-setup';

export const SIEM_ASSETS_USAGE = `Usage: cloudtap siem-assets --out DIR
  Writes the SIEM assets for every source type cloudtap knows, rendered from the source definitions:
  DIR/splunk/cloudtap/   the Splunk app folder (siem/splunk/package.sh packages it)
  DIR/elastic/*.json     the component template, ingest pipeline and index template elastic-setup installs
`;

/** `cloudtap siem-assets --out DIR`: files already there are replaced. Exit codes: 0 written (or --help), 2 usage. */
export async function siemAssetsCommand(argv: string[], io: Pick<CommandIo, 'stdout' | 'stderr'> = process): Promise<number> {
  let values: { out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } }));
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n\n${SIEM_ASSETS_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(SIEM_ASSETS_USAGE);
    return 0;
  }
  const { out } = values;
  if (!out) {
    io.stderr.write(`siem-assets: --out DIR is required\n\n${SIEM_ASSETS_USAGE}`);
    return 2;
  }
  const elastic = elasticAssets(definitions);
  const files = new Map<string, string>([
    ...[...splunkAppFiles(definitions)].map(([path, text]) => [join('splunk', 'cloudtap', path), text] as const),
    ...Object.entries(ELASTIC_ASSET_FILES).map(([asset, name]) => [join('elastic', name), `${JSON.stringify(elastic[asset as keyof typeof elastic], null, 2)}\n`] as const),
  ]);
  for (const [path, text] of files) {
    await mkdir(dirname(join(out, path)), { recursive: true });
    await writeFile(join(out, path), text);
  }
  io.stdout.write(`wrote ${files.size} files under ${resolve(out)}\n`);
  return 0;
}
