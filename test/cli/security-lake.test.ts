import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load';
import { validateOcsf, type OcsfRecord } from '../../shared/ocsf/index';
import { registry } from '../../shared/providers/registry';
import { decodeLines } from '../../shared/sinks/encode';
import { partitionOf, partitionPath } from '../../shared/sinks/security-lake/layout';
import { simulatedApis, type RunningSimulator } from '../../simulators/catalog';
import { asJson, readLake } from '../sinks/security-lake/read-lake';
import { cloudtap } from '../support/cli';

/**
 * `cloudtap run` as a user runs it, every registered API on its simulator, into the local
 * Security Lake sink: Parquet files in the custom-source layout, read back with hyparquet.
 */
const EVENTS = 60;

describe('cloudtap run into the local Security Lake sink', () => {
  const now = Math.floor(Date.now() / 1000);
  const running: RunningSimulator[] = [];
  let sources: Record<string, unknown>[];
  let env: Record<string, string>;

  beforeAll(async () => {
    for (const api of simulatedApis) {
      running.push(await api.start({ count: EVENTS, from: now - 2 * 86_400, to: now - 3600, seed: 7, enforceRateLimit: false }));
    }
    sources = simulatedApis.map((api, i) => ({ id: `sl-${api.type}`, type: api.type, endpoint: running[i]!.endpoint, start: '3d', ...api.instanceInput }));
    // Credentials reach the run through the variables the configuration names, as for a user.
    const config = parseConfig({ sources }, registry);
    env = {};
    simulatedApis.forEach((api, i) => {
      for (const [field, value] of Object.entries(api.credentials)) env[config.sources[i]!.credentialEnv[field]!] = value;
    });
  });
  afterAll(async () => {
    await Promise.all(running.map((simulator) => simulator.close()));
  });

  /** A project pulling every simulator into `sink`; JSON is YAML. */
  async function project(sink: Record<string, unknown>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'cloudtap-lake-'));
    await writeFile(join(dir, 'cloudtap.yaml'), JSON.stringify({ sources, local: { stateDir: 'state', output: 'out/events.ndjson', sink } }));
    return dir;
  }

  it('writes every source type as OCSF Parquet, one class per custom source, partitioned by region, account and day', async () => {
    const dir = await project({ type: 'security-lake', dir: 'lake', rawData: true });
    const run = await cloudtap(['run', '--config', 'cloudtap.yaml', '--json'], { cwd: dir, env, timeoutMs: 120_000 });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.output).toBe(`Security Lake layout under ${join(dir, 'lake', 'ext')} (Parquet, one folder per OCSF class)`);

    const files = await readLake(join(dir, 'lake'));
    const rows = files.flatMap((file) => file.rows.map((row) => ({ file: file.path, record: asJson(row) as OcsfRecord })));
    expect(rows).toHaveLength(report.totals.delivered);
    for (const { file, record } of rows) {
      // The file's folder is its record's class and partition.
      expect(file.startsWith(`ext/cloudtap-${record.class_uid}/${partitionPath(partitionOf(record))}`), file).toBe(true);
      // Read back from Parquet it still validates, but for the gaps its source cannot fill, which the record itself names (docs/ocsf.md).
      const undeclared = validateOcsf(record).filter((problem) => !String(record.status_detail ?? '').includes(problem));
      expect(undeclared, `${file} ${JSON.stringify(record.metadata)}`).toEqual([]);
    }
    // Every record keeps its raw record, as asked.
    expect(rows.every(({ record }) => typeof record.raw_data === 'string' && record.raw_data.length > 0)).toBe(true);
    expect(files.every((file) => file.path.endsWith('.parquet'))).toBe(true);

    // The same events the NDJSON file receives from the same simulators, by event id.
    const plain = await project({ type: 'file' });
    expect((await cloudtap(['run', '--config', 'cloudtap.yaml'], { cwd: plain, env, timeoutMs: 120_000 })).code).toBe(0);
    // Alerts travel beside the events in the file; Security Lake takes the events only.
    const documents = decodeLines(await readFile(join(plain, 'out/events.ndjson'), 'utf8')).filter((document) => document.event.kind !== 'alert');
    const uids = rows.map(({ record }) => (record.metadata as { uid: string }).uid).sort();
    expect(uids).toEqual(documents.map((document) => document.event.id).sort());
    const types = new Set(documents.map((document) => document.cloudtap.source_type));
    expect([...types].sort()).toEqual(simulatedApis.map((api) => api.type).sort());
  }, 240_000);
});
