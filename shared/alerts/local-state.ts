/**
 * State for the local dedup store and outbox: in memory (tests, one-shot
 * runs) or one JSON file under the state directory (`cloudtap run`, so
 * dedup windows and deferred alerts survive between runs). A file update is a
 * read-modify-write under an O_EXCL lock file, written to a temp file, fsynced
 * and renamed over the old one, the same scheme as the file cursor store.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { serially } from '../lib/serially';

export interface StateCell<T> {
  /** Apply `change` to the current state and persist it; changes never interleave. */
  update<R>(change: (state: T) => R): Promise<R>;
  read(): Promise<T>;
}

export function memoryCell<T>(initial: T): StateCell<T> {
  let state = initial;
  const queue = serially();
  return {
    update: (change) => queue(() => change(state)),
    read: async () => state,
  };
}

export class CorruptAlertStateError extends Error {
  override readonly name = 'CorruptAlertStateError';
  constructor(readonly file: string, detail: string) {
    super(`alert state file ${file} is corrupt (${detail}); fix or delete it`);
  }
}

export function fileCell<T>(file: string, initial: () => T, parse: (json: unknown) => T | undefined, staleLockMs = 5_000): StateCell<T> {
  const lockFile = `${file}.lock`;

  async function load(): Promise<T> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return initial();
      throw err;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new CorruptAlertStateError(file, `not JSON: ${(err as Error).message}`);
    }
    const state = parse(json);
    if (state === undefined) throw new CorruptAlertStateError(file, 'unexpected shape');
    return state;
  }

  async function write(state: T): Promise<void> {
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(`${JSON.stringify(state)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file).catch(async (err: unknown) => {
      await unlink(temp).catch(() => {});
      throw err;
    });
  }

  async function lock(): Promise<() => Promise<void>> {
    await mkdir(dirname(file), { recursive: true });
    const deadline = Date.now() + 3 * staleLockMs;
    for (;;) {
      try {
        const handle = await open(lockFile, 'wx');
        await handle.close();
        return () => unlink(lockFile).catch(() => {});
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      await removeIfStale();
      if (Date.now() > deadline) throw new Error(`could not lock ${lockFile}: held by another process for too long`);
      await sleep(2 + Math.random() * 8);
    }
  }

  /** Move a stale lock aside (only one mover wins) and put it back if it was renewed meanwhile. */
  async function removeIfStale(): Promise<void> {
    const before = await stat(lockFile).catch(() => undefined);
    if (!before || Date.now() - before.mtimeMs <= staleLockMs) return;
    const aside = `${lockFile}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
    if (!(await rename(lockFile, aside).then(() => true, () => false))) return;
    const moved = await stat(aside);
    if (moved.ino !== before.ino || moved.mtimeMs !== before.mtimeMs) await link(aside, lockFile).catch(() => {});
    await unlink(aside).catch(() => {});
  }

  async function updateLocked<R>(change: (state: T) => R): Promise<R> {
    const unlock = await lock();
    try {
      const state = await load();
      const result = change(state);
      await write(state);
      return result;
    } finally {
      await unlock();
    }
  }

  // Updates from this process queue here and take the file lock one at a time: left to race
  // for it, the many lanes of a local run starve one another past the lock's deadline.
  const queue = serially();
  return {
    update: (change) => queue(() => updateLocked(change)),
    read: load,
  };
}
