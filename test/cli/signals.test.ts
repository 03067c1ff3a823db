import type { ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TencentApiServer } from '../../simulators/tencent/api-server';
import { generateCloudAuditEvents, startCloudAuditSimulator } from '../../simulators/tencent/cloudaudit/simulator';
import { Interruption, interruptOnSignals } from '../../cli/interrupt';
import { cloudtap, spawnCloudtap } from '../support/cli';
import { cloudAuditProject, deliveredEventIds, tencentEnv } from '../support/cli-project';

const keys = { secretId: 'AKIDsignalsTestFakeId', secretKey: 'signalsTestFakeSecretKey' };
const env = tencentEnv(keys);
const EVENTS = 1200;

describe('cloudtap run stopped by a signal', () => {
  let server: TencentApiServer;
  const now = Math.floor(Date.now() / 1000);
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    // 24 pages of 50, one after the other at 200 ms each: an uninterrupted run takes seconds.
    const started = await startCloudAuditSimulator({ credentials: [keys], latencyMs: () => 200 });
    server = started.server;
    started.cloudaudit.addEvents(generateCloudAuditEvents({ count: EVENTS, from: now - 6 * 3600, to: now - 3600, seed: 21 }));
  });
  afterAll(() => server.close());
  afterEach(() => {
    // A test that failed half-way must not leave a run behind.
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  });

  /** Start a cloudtap command, and once some events are delivered, send `signal` to its process group as a terminal would. */
  async function interruptRun(dir: string, signal: NodeJS.Signals, args = ['run', '--config', 'cloudtap.yaml']) {
    const child = spawnCloudtap(args, { cwd: dir, env, detached: true });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (data) => (stdout += data));
    child.stderr!.on('data', (data) => (stderr += data));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    while ((await deliveredEventIds(dir)).length < 100) {
      if (child.exitCode !== null) throw new Error(`the run ended before it was interrupted:\n${stdout}\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    process.kill(-child.pid!, signal);
    const code = await exited;
    return { code, stdout, stderr };
  }

  async function expectNoFilesInFlight(dir: string) {
    const files = await readdir(join(dir, 'state'), { recursive: true });
    expect(files.filter((file) => file.endsWith('.tmp') || file.endsWith('.lock'))).toEqual([]);
  }

  async function expectCleanStateDir(dir: string) {
    await expectNoFilesInFlight(dir);
    const state = JSON.parse(await readFile(join(dir, 'state/audit-test.json'), 'utf8'));
    expect(state.lease).toBeUndefined();
    return state;
  }

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s: delivers and checkpoints what was fetched, releases the lease, exits %i; the next run pulls the rest, every event once', async (signal, exitCode) => {
    const dir = await cloudAuditProject(server.url);
    const interrupted = await interruptRun(dir, signal);
    expect(interrupted.code, interrupted.stderr).toBe(exitCode);
    expect(interrupted.stderr).toContain(`${signal}: stopping`);
    const line = /… audit-test: (\d+) pulled, (\d+) delivered in \d+ pages, [\d.]+ s; interrupted, the next run resumes; cursor at /.exec(interrupted.stdout);
    expect(line, interrupted.stdout).not.toBeNull();
    const delivered = await deliveredEventIds(dir);
    expect(delivered.length).toBe(Number(line![2]));
    expect(delivered.length).toBeLessThan(EVENTS);
    const state = await expectCleanStateDir(dir);
    expect(state.cursor).toBeDefined();

    // No wait for a lease to expire: the next run starts at once and pulls the rest.
    const next = await cloudtap(['run', '--config', 'cloudtap.yaml'], { cwd: dir, env });
    expect(next.code, next.stdout + next.stderr).toBe(0);
    expect(next.stdout).toMatch(new RegExp(`✓ audit-test: ${EVENTS - delivered.length} pulled, ${EVENTS - delivered.length} delivered`));
    const ids = await deliveredEventIds(dir);
    expect(ids).toHaveLength(EVENTS);
    expect(new Set(ids).size).toBe(EVENTS);
  }, 60_000);

  it('backfill: SIGINT delivers and checkpoints what was fetched and exits 130; the same command then finishes the same range, every event once', async () => {
    const dir = await cloudAuditProject(server.url);
    const backfill = ['backfill', '--config', 'cloudtap.yaml', '--source', 'audit-test', '--from', '7h', '--to', '30m'];
    const interrupted = await interruptRun(dir, 'SIGINT', backfill);
    expect(interrupted.code, interrupted.stderr).toBe(130);
    expect(interrupted.stderr).toContain('SIGINT: stopping');
    const delivered = await deliveredEventIds(dir);
    expect(delivered.length).toBeLessThan(EVENTS);
    await expectNoFilesInFlight(dir);

    const next = await cloudtap(backfill, { cwd: dir, env });
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain('using the range resolved on');
    const ids = await deliveredEventIds(dir);
    expect(ids).toHaveLength(EVENTS);
    expect(new Set(ids).size).toBe(EVENTS);
  }, 60_000);

  it('--watch: a signal during the pause between pulls ends the run at once with the signal\'s exit code', async () => {
    const dir = await cloudAuditProject(server.url);
    const child = spawnCloudtap(['run', '--config', 'cloudtap.yaml', '--watch', '--interval', '1h'], { cwd: dir, env, detached: true });
    children.push(child);
    let stdout = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) =>
      child.stdout!.on('data', (data) => {
        stdout += data;
        if (stdout.includes('next pull in 1h (Ctrl-C to stop)')) resolve();
      }),
    );
    expect(stdout).toMatch(new RegExp(`✓ audit-test: ${EVENTS} pulled, ${EVENTS} delivered`));
    // The handler that lets a pull finish its pages must not hold the pause: it ends with the signal, not in an hour.
    process.kill(-child.pid!, 'SIGINT');
    expect(await exited).toBe(130);
    await expectCleanStateDir(dir);
  }, 60_000);
});

describe('interruptOnSignals', () => {
  it('aborts on the first signal with its exit code, exits at once on the second after the clean-up hook, and lets go on dispose', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const calls: string[] = [];
    let now = 0;
    const listeners = () => [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
    const before = listeners();
    const handling = interruptOnSignals({
      first: (i) => calls.push(`first ${i.signal}`),
      beforeExit: (i) => calls.push(`beforeExit ${i.signal}`),
      now: () => now,
    });
    try {
      process.emit('SIGTERM', 'SIGTERM');
      expect(handling.signal.aborted).toBe(true);
      expect(handling.signal.reason).toBeInstanceOf(Interruption);
      expect((handling.signal.reason as Interruption).exitCode).toBe(143);
      // The same signal relayed by a launcher a moment later is not a second one.
      now += 100;
      process.emit('SIGTERM', 'SIGTERM');
      expect(exit).not.toHaveBeenCalled();
      now += 1000;
      process.emit('SIGINT', 'SIGINT');
      expect(calls).toEqual(['first SIGTERM', 'beforeExit SIGINT']);
      expect(exit).toHaveBeenCalledWith(130);
    } finally {
      handling.dispose();
      exit.mockRestore();
    }
    expect(listeners()).toEqual(before);
  });
});
