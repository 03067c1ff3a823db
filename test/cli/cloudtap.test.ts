import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeLines } from '../../shared/sinks/encode';
import { generateCloudAuditEvents, startCloudAuditSimulator } from '../../simulators/tencent/cloudaudit/simulator';
import type { TencentApiServer } from '../../simulators/tencent/api-server';
import { cloudtap } from '../support/cli';
import { cloudAuditProject } from '../support/cli-project';

const keys = { secretId: 'AKIDcliTestFakeSecretId', secretKey: 'cliTestFakeSecretKeyValue' };

describe('cloudtap CLI', () => {
  let server: TencentApiServer;
  let dir: string;
  const now = Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    const started = await startCloudAuditSimulator({ credentials: [keys] });
    server = started.server;
    started.cloudaudit.addEvents(generateCloudAuditEvents({ count: 400, from: now - 6 * 3600, to: now - 3600, seed: 5 }));
    dir = await cloudAuditProject(server.url);
  });
  afterAll(() => server.close());

  it('pulls once into the NDJSON file, then resumes with nothing new', async () => {
    const env = { TENCENTCLOUD_SECRET_ID: keys.secretId, TENCENTCLOUD_SECRET_KEY: keys.secretKey };
    const first = await cloudtap(['run', '--config', 'cloudtap.yaml'], { cwd: dir, env });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/✓ audit-test: 400 pulled, 400 delivered in \d+ pages/);
    expect(first.stdout).toContain('400 events written to out/events.ndjson');
    const events = async () =>
      decodeLines(await readFile(join(dir, 'out/events.ndjson'), 'utf8')).filter((document) => document.event.kind !== 'alert');
    expect(new Set((await events()).map((document) => document.event.id)).size).toBe(400);
    // Alerts from the default rules are counted at the end (`--alerts full` prints them), and kept in the state dir.
    expect(first.stdout).toMatch(/\n\d+ alerts? \(\d+ (LOW|MEDIUM|HIGH|CRITICAL)[^)]*\) written to state\/alerts\.ndjson/);

    const second = await cloudtap(['run', '--config', 'cloudtap.yaml'], { cwd: dir, env });
    expect(second.stdout).toMatch(/✓ audit-test: 0 pulled, 0 delivered/);
    expect(await events()).toHaveLength(400);

    // `status` reads what the runs recorded: the cursor, and what they delivered in the last day.
    const status = await cloudtap(['status', '--config', 'cloudtap.yaml'], { cwd: dir });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/✓ audit-test \(tencent-cloudaudit\)/);
    expect(status.stdout).toMatch(/events \(24h\): 400\b/);
    for (const output of [first, second]) expect(`${output.stdout}${output.stderr}`).not.toContain(keys.secretKey);
  });

  it('names the missing credential variable and exits non-zero', async () => {
    const result = await cloudtap(['run', '--config', 'cloudtap.yaml'], {
      cwd: dir,
      env: { TENCENTCLOUD_SECRET_ID: '', TENCENTCLOUD_SECRET_KEY: '' },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✗ audit-test: .*secretId: set the environment variable TENCENTCLOUD_SECRET_ID/s);
  });

  it('validates a configuration and explains what is wrong', async () => {
    await writeFile(join(dir, 'bad.yaml'), 'sources:\n  - id: audit-test\n    type: tencent-cloudaudit\n    lag: soon\n');
    const good = await cloudtap(['validate', '--config', 'cloudtap.yaml'], { cwd: dir });
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/audit-test \(tencent-cloudaudit, ap-guangzhou\): rate\(5 minutes\), lag 10m, first run from 1d ago/);
    const bad = await cloudtap(['validate', '--config', 'bad.yaml'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('sources[0].lag: expected a duration such as 30s, 10m, 6h or 7d');
  });
});
