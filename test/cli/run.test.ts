import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TencentApiServer } from '../../simulators/tencent/api-server';
import { generateCloudAuditEvents, startCloudAuditSimulator } from '../../simulators/tencent/cloudaudit/simulator';
import { cloudtap } from '../support/cli';
import { cloudAuditProject, deliveredEventIds, tencentEnv } from '../support/cli-project';

const keys = { secretId: 'AKIDrunTestFakeSecretId', secretKey: 'runTestFakeSecretKeyValue' };
const env = tencentEnv(keys);
const EVENTS = 400;

describe('cloudtap run', () => {
  let server: TencentApiServer;
  const now = Math.floor(Date.now() / 1000);
  const requests = () => server.requestsFor('DescribeEvents').length;

  beforeAll(async () => {
    const started = await startCloudAuditSimulator({ credentials: [keys] });
    server = started.server;
    started.cloudaudit.addEvents(generateCloudAuditEvents({ count: EVENTS, from: now - 6 * 3600, to: now - 3600, seed: 5 }));
  });
  afterAll(() => server.close());

  /** A state file whose lease `owner` holds until ten minutes from now. */
  async function leasedBy(dir: string, owner: string): Promise<number> {
    const expiresAt = Date.now() + 10 * 60_000;
    await mkdir(join(dir, 'state'));
    await writeFile(join(dir, 'state/audit-test.json'), JSON.stringify({ version: 1, sourceId: 'audit-test', lease: { owner, expiresAt } }));
    return expiresAt;
  }

  it('skips a source whose lease another run holds: no ✓, exit 3, no success recorded, `skipped` in --json', async () => {
    const dir = await cloudAuditProject(server.url);
    const expiresAt = await leasedBy(dir, 'lambda-request-7f3a');
    const before = requests();

    const run = await cloudtap(['run', '--config', 'cloudtap.yaml'], { cwd: dir, env });
    expect(run.code).toBe(3);
    expect(run.stdout).toContain(`– audit-test: skipped: another run holds the lease (owner lambda-request-7f3a, until ${new Date(expiresAt).toISOString()})`);
    expect(run.stdout).not.toContain('✓');
    expect(requests()).toBe(before);
    const state = JSON.parse(await readFile(join(dir, 'state/audit-test.json'), 'utf8'));
    // The skip is recorded (`cloudtap status` shows it); no run outcome, and the holder's lease untouched.
    expect(state).toEqual({
      version: 1,
      sourceId: 'audit-test',
      lease: { owner: 'lambda-request-7f3a', expiresAt },
      lastSkip: { at: expect.any(Number), reason: 'lease-held', heldBy: 'lambda-request-7f3a' },
      skippedRuns: 1,
    });

    const json = await cloudtap(['run', '--config', 'cloudtap.yaml', '--json'], { cwd: dir, env });
    expect(json.code).toBe(3);
    const report = JSON.parse(json.stdout);
    expect(report.sources).toEqual([
      {
        sourceId: 'audit-test',
        status: 'skipped',
        pulled: 0,
        delivered: 0,
        pages: 0,
        durationMs: expect.any(Number),
        cursor: null,
        lease: { owner: 'lambda-request-7f3a', until: new Date(expiresAt).toISOString() },
      },
    ]);
    expect(report.exitCode).toBe(3);
    expect(report.totals).toMatchObject({ sources: 1, ok: 0, skipped: 1 });
  });

  it('takes over at once a lease left by a process on this host that no longer exists', async () => {
    const dir = await cloudAuditProject(server.url);
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.once('exit', resolve));
    const owner = `cli-${hostname()}-${gone.pid}-x`;
    await leasedBy(dir, owner);

    const run = await cloudtap(['run', '--config', 'cloudtap.yaml'], { cwd: dir, env });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`✓ audit-test: ${EVENTS} pulled, ${EVENTS} delivered`));
    expect(run.stderr).toContain('took over the lease of a run on this host whose process no longer exists');
    expect(run.stderr).toContain(owner);
    expect(new Set(await deliveredEventIds(dir)).size).toBe(EVENTS);
  });

  it.each([
    [['--watch', '--interval', 'abc'], '"abc" is not a duration: expected a duration such as 30s, 10m, 6h or 7d'],
    [['--watch', '--interval', '300'], '"300" is not a duration: expected a duration such as 30s, 10m, 6h or 7d (a number needs its unit, e.g. 300s)'],
    [['--watch', '--interval', '0s'], '"0s": the pause between pulls must be longer than 0s'],
    [['--interval', '5m'], '--interval is the pause between pulls of --watch'],
    [['--alerts', 'some'], "argument 'some' is invalid. Allowed choices are summary, full."],
  ])('refuses %j before anything runs: exit 2, no request', async (args, message) => {
    const dir = await cloudAuditProject(server.url);
    const before = requests();
    const run = await cloudtap(['run', '--config', 'cloudtap.yaml', ...args], { cwd: dir, env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(requests()).toBe(before);
  });

  it('counts alerts by severity at the end instead of printing each; --alerts full prints each one; no escape code when not on a terminal', async () => {
    const quiet = await cloudtap(['run', '--config', 'cloudtap.yaml'], { cwd: await cloudAuditProject(server.url), env });
    expect(quiet.code).toBe(0);
    const count = /\n(\d+) alerts \(((?:\d+ (?:CRITICAL|HIGH|MEDIUM|LOW)(?:, )?)+)\) written to state\/alerts\.ndjson \(--alerts full prints each one\)\n/.exec(quiet.stdout);
    expect(count, quiet.stdout).not.toBeNull();
    const total = Number(count![1]);
    expect(total).toBeGreaterThan(10);
    const bySeverity = count![2]!.split(', ').map((part) => Number(part.split(' ')[0]));
    expect(bySeverity.reduce((a, b) => a + b)).toBe(total);
    expect(quiet.stderr).not.toContain('ALERT');

    const dir = await cloudAuditProject(server.url);
    const full = await cloudtap(['run', '--config', 'cloudtap.yaml', '--alerts', 'full'], { cwd: dir, env });
    expect(full.code).toBe(0);
    // The same events raise the same alerts: each one printed, and counted.
    expect(full.stderr.match(/^ALERT (LOW|MEDIUM|HIGH|CRITICAL) · /gm)).toHaveLength(total);
    expect(full.stdout).toContain(`\n${total} alerts (${count![2]}) written to state/alerts.ndjson\n`);
    const file = (await readFile(join(dir, 'state/alerts.ndjson'), 'utf8')).trim().split('\n');
    expect(file).toHaveLength(total);
    for (const output of [quiet, full]) expect(output.stdout + output.stderr).not.toContain('\x1b');
  });

  it('--json: one JSON document on stdout and nothing else', async () => {
    const dir = await cloudAuditProject(server.url);
    const run = await cloudtap(['run', '--config', 'cloudtap.yaml', '--json'], { cwd: dir, env });
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    const state = JSON.parse(await readFile(join(dir, 'state/audit-test.json'), 'utf8'));
    const alerts = (await readFile(join(dir, 'state/alerts.ndjson'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    expect(report).toEqual({
      sources: [
        {
          sourceId: 'audit-test',
          status: 'ok',
          pulled: EVENTS,
          delivered: EVENTS,
          pages: expect.any(Number),
          durationMs: expect.any(Number),
          cursor: { windowStart: state.cursor.windowStart, at: new Date(state.cursor.windowStart * 1000).toISOString(), openWindows: 0 },
        },
      ],
      totals: { sources: 1, ok: 1, failed: 0, skipped: 0, interrupted: 0, pulled: EVENTS, delivered: EVENTS, pages: report.sources[0].pages },
      alerts: {
        total: alerts.length,
        bySeverity: {
          critical: alerts.filter((alert) => alert.severity === 'critical').length,
          high: alerts.filter((alert) => alert.severity === 'high').length,
          medium: alerts.filter((alert) => alert.severity === 'medium').length,
          low: alerts.filter((alert) => alert.severity === 'low').length,
        },
        file: 'state/alerts.ndjson',
      },
      output: 'out/events.ndjson',
      exitCode: 0,
    });
    expect(report.sources[0].pages).toBeGreaterThanOrEqual(EVENTS / 50);
    expect(await deliveredEventIds(dir)).toHaveLength(EVENTS);
  });
});
