import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeLines } from '../../shared/sinks/encode';

/** Environment variables with the simulator's keys, as `cloudtap run` reads them. */
export const tencentEnv = (keys: { secretId: string; secretKey: string }) => ({
  TENCENTCLOUD_SECRET_ID: keys.secretId,
  TENCENTCLOUD_SECRET_KEY: keys.secretKey,
});

/**
 * A fresh project directory for the spawned CLI: `cloudtap.yaml` with one
 * source `audit-test` on the CloudAudit simulator at `endpoint`, state in
 * `state/`, events in `out/events.ndjson`.
 */
export async function cloudAuditProject(endpoint: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cloudtap-project-'));
  await writeFile(
    join(dir, 'cloudtap.yaml'),
    ['sources:', '  - id: audit-test', '    type: tencent-cloudaudit', '    region: ap-guangzhou', `    endpoint: ${endpoint}`, '    start: 1d', 'local:', '  stateDir: state', '  output: out/events.ndjson'].join('\n'),
  );
  return dir;
}

/**
 * The ids of the events (alerts left out) in the project's output so far; none before the file exists.
 * Only whole lines count: a run may be appending while this reads.
 */
export async function deliveredEventIds(dir: string): Promise<string[]> {
  const text = await readFile(join(dir, 'out/events.ndjson'), 'utf8').catch(() => '');
  return decodeLines(text.slice(0, text.lastIndexOf('\n') + 1))
    .filter((document) => document.event.kind !== 'alert')
    .map((document) => document.event.id);
}
