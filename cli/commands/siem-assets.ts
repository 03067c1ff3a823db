import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ELASTIC_ASSET_FILES, elasticAssets } from '../../shared/ops/siem/elastic-assets';
import { splunkAppFiles } from '../../shared/ops/siem/splunk-app';
import { definitions } from '../../shared/providers/registry';
import type { CommandIo } from '../io';

/**
 * `cloudtap siem-assets --out DIR`: the Splunk app folder (DIR/splunk/cloudtap/,
 * which siem/splunk/package.sh packages) and the Elastic bodies elastic-setup
 * installs (DIR/elastic/*.json). Files already there are replaced.
 */
export async function siemAssetsCommand({ out }: { out: string }, io: Pick<CommandIo, 'stdout'> = process): Promise<number> {
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
