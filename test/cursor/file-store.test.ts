import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, open, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CorruptStateFileError, FileCursorStore, removeFilesInFlightSync } from '../../shared/cursor/file-store';
import { LeaseHeldError } from '../../shared/lib/errors';
import type { Log } from '../../shared/lib/logger';
import { FakeClock } from '../support/fake-clock';
import { describeCursorStoreContract } from './store-contract';

async function makeStore(options: { staleLockMs?: number } = {}) {
  const directory = await mkdtemp(join(tmpdir(), 'cloudtap-cursors-'));
  const clock = new FakeClock();
  const store = new FileCursorStore({ directory, clock, ...options });
  return { directory, clock, store, cleanup: () => rm(directory, { recursive: true, force: true }) };
}

describeCursorStoreContract('FileCursorStore', () => makeStore());

describe('FileCursorStore files', () => {
  it('keeps one readable JSON file per source and no lock between updates', async () => {
    const { store, directory, cleanup } = await makeStore();
    try {
      const { lease } = await store.acquire('src-a', 'run-1', 60_000);
      await store.checkpoint(lease, { windowStart: 5, windows: [{ start: 5, end: 9, pageToken: '12345678901234567' }] }, 60_000);
      expect(await readdir(directory)).toEqual(['src-a.json']);
      const json = JSON.parse(await readFile(join(directory, 'src-a.json'), 'utf8'));
      expect(json).toMatchObject({
        sourceId: 'src-a',
        cursor: { windowStart: 5, windows: [{ start: 5, end: 9, pageToken: '12345678901234567' }] },
        lease: { owner: 'run-1' },
      });
    } finally {
      await cleanup();
    }
  });

  it('keeps a remembered range in its own file, <key>.range.json, and refuses one that is corrupt', async () => {
    const { store, directory, cleanup } = await makeStore();
    const resolution = { from: 1_735_120_800, to: 1_735_207_200, resolvedAt: 1_735_725_600_000, fromText: '7d', toText: '6d' };
    try {
      await store.rememberRange('src-a-0123456789abcdef', resolution);
      expect(await readdir(directory)).toEqual(['src-a-0123456789abcdef.range.json']);
      expect(JSON.parse(await readFile(join(directory, 'src-a-0123456789abcdef.range.json'), 'utf8'))).toEqual({
        version: 1,
        key: 'src-a-0123456789abcdef',
        ...resolution,
      });
      const file = join(directory, 'src-b.range.json');
      await writeFile(file, JSON.stringify({ version: 1, key: 'src-b', from: 'last week' }));
      const err = await store.recallRange('src-b').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CorruptStateFileError);
      expect((err as Error).message).toContain(`${file} is corrupt (from: `);
      await expect(store.recallRange('../src-a')).rejects.toThrow(/invalid source id/);
    } finally {
      await cleanup();
    }
  });

  it('ignores a temp file left by a crash mid-write: the previous state stays readable', async () => {
    const { store, directory, cleanup } = await makeStore();
    try {
      const { lease } = await store.acquire('src-a', 'run-1', 60_000);
      await store.checkpoint(lease, { windowStart: 5 }, 60_000);
      await writeFile(join(directory, 'src-a.json.4242.deadbeef.tmp'), '{"version":1,"sourceId":"src-a","cursor":{"wind');
      expect((await store.read('src-a'))?.cursor).toEqual({ windowStart: 5 });
      await store.checkpoint(lease, { windowStart: 6 }, 60_000);
      expect((await store.read('src-a'))?.cursor).toEqual({ windowStart: 6 });
    } finally {
      await cleanup();
    }
  });

  it('refuses a corrupt state file with an error naming it, and does not overwrite it', async () => {
    const { store, directory, cleanup } = await makeStore();
    const file = join(directory, 'src-a.json');
    try {
      await writeFile(file, '{"version":1,"sourceId":"src-a","cursor":{"wind');
      const err = await store.read('src-a').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CorruptStateFileError);
      expect((err as Error).message).toContain(file);
      await expect(store.acquire('src-a', 'run-1', 60_000)).rejects.toThrow(file);
      expect(await readFile(file, 'utf8')).toBe('{"version":1,"sourceId":"src-a","cursor":{"wind');

      await writeFile(file, JSON.stringify({ version: 1, sourceId: 'src-a', cursor: { windowStart: '5' } }));
      await expect(store.read('src-a')).rejects.toThrow(/src-a\.json is corrupt \(cursor\.windowStart: /);
      await writeFile(file, '');
      await expect(store.read('src-a')).rejects.toBeInstanceOf(CorruptStateFileError);
    } finally {
      await cleanup();
    }
  });

  it('rejects a source id that is not a plain file name', async () => {
    const { store, cleanup } = await makeStore();
    try {
      await expect(store.read('../etc/passwd')).rejects.toThrow(/invalid source id/);
    } finally {
      await cleanup();
    }
  });

  it('removes a stale lock left by a crashed process', async () => {
    const { store, directory, cleanup } = await makeStore({ staleLockMs: 2_000 });
    const lock = join(directory, 'src-a.lock');
    try {
      await writeFile(lock, '99999\n');
      const old = new Date(Date.now() - 60_000);
      await utimes(lock, old, old);
      await store.acquire('src-a', 'run-1', 60_000);
      await expect(stat(lock)).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await cleanup();
    }
  });

  it('waits for a live lock rather than breaking it', async () => {
    const { store, directory, cleanup } = await makeStore({ staleLockMs: 2_000 });
    const lock = join(directory, 'src-a.lock');
    try {
      await writeFile(lock, '99999\n');
      let done = false;
      const acquiring = store.acquire('src-a', 'run-1', 60_000).then(() => (done = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(done).toBe(false);
      await rm(lock);
      await acquiring;
      expect(done).toBe(true);
    } finally {
      await cleanup();
    }
  });

  it('lets exactly one of several processes take each source', async () => {
    const { directory, cleanup } = await makeStore();
    const worker = fileURLToPath(new URL('./acquire-worker.ts', import.meta.url));
    const sources = 60; // enough that the workers really overlap
    try {
      const children = ['proc-1', 'proc-2', 'proc-3'].map((owner) => {
        const child = spawn(process.execPath, ['--import', 'tsx', worker, directory, owner, String(sources)], {
          cwd: fileURLToPath(new URL('../..', import.meta.url)),
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (err += d));
        const ready = new Promise<void>((resolve, reject) => {
          child.stdout.on('data', () => out.includes('ready\n') && resolve());
          child.once('exit', () => reject(new Error(`worker exited before ready: ${err}`)));
        });
        const result = new Promise<boolean[]>((resolve, reject) =>
          child.once('exit', (code) =>
            code === 0 ? resolve(JSON.parse(out.split('\n')[1] ?? '')) : reject(new Error(`worker ${owner} failed: ${err}`)),
          ),
        );
        return { child, ready, result };
      });
      await Promise.all(children.map((c) => c.ready));
      for (const c of children) c.child.stdin.write('go\n');
      const results = await Promise.all(children.map((c) => c.result));
      for (let i = 0; i < sources; i++) {
        expect(results.filter((won) => won[i]).length, `src-${i}`).toBe(1);
      }
    } finally {
      await cleanup();
    }
  }, 60_000);

  it('removes, on demand and synchronously, the lock it holds mid-update (a process exiting at once)', async () => {
    const { store, directory, cleanup } = await makeStore();
    const fifo = join(directory, 'src-a.json');
    try {
      // Reading a FIFO blocks until a writer comes: the update holds its lock until then.
      execFileSync('mkfifo', [fifo]);
      const acquiring = store.acquire('src-a', 'run-1', 60_000).catch((error: unknown) => error);
      while (!(await readdir(directory)).includes('src-a.lock')) await new Promise((resolve) => setTimeout(resolve, 5));
      removeFilesInFlightSync();
      expect(await readdir(directory)).toEqual(['src-a.json']);
      const writer = await open(fifo, 'w');
      await writer.writeFile('not json');
      await writer.close();
      expect(await acquiring).toBeInstanceOf(CorruptStateFileError);
      expect(await readdir(directory)).toEqual(['src-a.json']);
    } finally {
      await cleanup();
    }
  });
});

describe('FileCursorStore leases of local runs', () => {
  /** The pid of a process that has come and gone. */
  async function deadPid(): Promise<number> {
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => child.once('exit', resolve));
    return child.pid!;
  }

  async function storeWithLease(owner: string) {
    const made = await makeStore();
    const lines: string[] = [];
    const record = (message: string, extra?: Record<string, unknown>) => lines.push(`${message} ${JSON.stringify(extra)}`);
    const log: Log = { debug: record, info: record, warn: record, error: record };
    const store = new FileCursorStore({ directory: made.directory, clock: made.clock, log });
    await writeFile(
      join(made.directory, 'src-a.json'),
      JSON.stringify({ version: 1, sourceId: 'src-a', cursor: { windowStart: 5 }, lease: { owner, expiresAt: made.clock.now() + 10 * 60_000 } }),
    );
    return { ...made, store, lines };
  }

  it('takes over at once a lease whose owner is a process on this host that no longer exists, and says so', async () => {
    const owner = `cli-${hostname()}-${await deadPid()}-x`;
    const { store, lines, cleanup } = await storeWithLease(owner);
    try {
      const { lease, state } = await store.acquire('src-a', 'run-2', 60_000);
      expect(lease.owner).toBe('run-2');
      expect(state.cursor).toEqual({ windowStart: 5 });
      expect(lines.join('\n')).toContain(`took over the lease of a run on this host whose process no longer exists`);
      expect(lines.join('\n')).toContain(owner);
    } finally {
      await cleanup();
    }
  });

  it.each([
    ['a live process on this host', () => `cli-${hostname()}-${process.ppid}-x`],
    ['a process on another host', async () => `cli-not-${hostname()}-${await deadPid()}-x`],
    ['an owner that is not a local run (a Lambda request id)', async () => `${await deadPid()}-4b6c-9d2e`],
  ])('honours until it expires a lease held by %s', async (_what, ownerOf) => {
    const owner = await ownerOf();
    const { store, cleanup } = await storeWithLease(owner);
    try {
      await expect(store.acquire('src-a', 'run-2', 60_000)).rejects.toBeInstanceOf(LeaseHeldError);
      await expect(store.acquire('src-a', 'run-2', 60_000)).rejects.toThrow(owner);
    } finally {
      await cleanup();
    }
  });
});
