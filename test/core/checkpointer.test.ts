import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Checkpointer, extensionTtlMs, initialLeaseTtlMs } from '../../shared/core/checkpointer';
import type { Cursor, CursorStore, Lease } from '../../shared/core/ports/cursor-store';
import { FileCursorStore } from '../../shared/cursor/file-store';
import { LeaseLostError } from '../../shared/lib/errors';
import { FakeClock } from '../support/fake-clock';

const MINUTE = 60_000;

describe('the lease TTL rule', () => {
  it.each([
    // startedAt, deadline: a minute past the deadline, never less than a minute
    { startedAt: 0, deadline: 15 * MINUTE, initial: 16 * MINUTE },
    { startedAt: 0, deadline: 0, initial: MINUTE },
    { startedAt: 10 * MINUTE, deadline: 5 * MINUTE, initial: MINUTE },
  ])('a run started at $startedAt with deadline $deadline takes the lease for $initial ms', ({ startedAt, deadline, initial }) => {
    expect(initialLeaseTtlMs(startedAt, deadline)).toBe(initial);
  });

  it.each([
    // now, deadline, initial TTL: each extension ends the lease a minute after the deadline, never later
    { now: 0, deadline: 15 * MINUTE, initial: 16 * MINUTE, ttl: 16 * MINUTE },
    { now: 14 * MINUTE, deadline: 15 * MINUTE, initial: 16 * MINUTE, ttl: 2 * MINUTE },
    { now: 15 * MINUTE, deadline: 15 * MINUTE, initial: 16 * MINUTE, ttl: MINUTE },
    { now: 16 * MINUTE, deadline: 15 * MINUTE, initial: 16 * MINUTE, ttl: 1 },
    { now: 20 * MINUTE, deadline: 15 * MINUTE, initial: 16 * MINUTE, ttl: 1 },
    // never longer than the lease first taken
    { now: 0, deadline: 15 * MINUTE, initial: 10 * MINUTE, ttl: 10 * MINUTE },
  ])('at $now, deadline $deadline, initial $initial: extended by $ttl ms', ({ now, deadline, initial, ttl }) => {
    expect(extensionTtlMs(now, deadline, initial)).toBe(ttl);
  });
});

describe('Checkpointer', () => {
  let directory: string | undefined;
  afterEach(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
    directory = undefined;
  });

  /** A file store in a fresh directory, recording each checkpoint call's cursor and TTL. */
  async function setup(clock: FakeClock) {
    directory = await mkdtemp(join(tmpdir(), 'cloudtap-checkpointer-'));
    const file = new FileCursorStore({ directory, clock });
    const writes: { cursor: Cursor; ttlMs: number }[] = [];
    const store: CursorStore = {
      acquire: (...args) => file.acquire(...args),
      checkpoint: (lease, cursor, ttlMs) => {
        writes.push({ cursor: structuredClone(cursor), ttlMs });
        return file.checkpoint(lease, cursor, ttlMs);
      },
      release: (...args) => file.release(...args),
      read: (...args) => file.read(...args),
    } as CursorStore;
    const deadline = clock.now() + 15 * MINUTE;
    const initialTtlMs = initialLeaseTtlMs(clock.now(), deadline);
    const { lease } = await store.acquire('audit', 'run-1', initialTtlMs);
    return { file, store, writes, lease, deadline, initialTtlMs };
  }

  it('group commit: commits asked for while a write runs share the next write, which saves the cursor as it then is', async () => {
    const clock = new FakeClock();
    const { file, store, writes, lease, deadline, initialTtlMs } = await setup(clock);
    let cursor: Cursor = { windowStart: 100 };
    const checkpointer = new Checkpointer({ store, lease, cursor: () => cursor, deadline, initialTtlMs, clock });

    const first = checkpointer.commit();
    // Not started yet: a second commit joins the same write.
    expect(checkpointer.commit()).toBe(first);
    while (writes.length === 0) await new Promise((resolve) => setImmediate(resolve));
    // The write is under way with windowStart 100; later pages share the next one.
    cursor = { windowStart: 200 };
    const second = checkpointer.commit();
    cursor = { windowStart: 300 };
    const third = checkpointer.commit();
    expect(second).not.toBe(first);
    expect(third).toBe(second);
    await Promise.all([first, second, third]);

    expect(writes.map((write) => write.cursor.windowStart)).toEqual([100, 300]);
    expect((await file.read('audit'))?.cursor).toEqual({ windowStart: 300 });
  });

  it('extends the lease by the TTL rule at each write, and releases the lease it holds after them', async () => {
    const clock = new FakeClock();
    const { file, store, writes, lease, deadline, initialTtlMs } = await setup(clock);
    const checkpointer = new Checkpointer({ store, lease, cursor: () => ({ windowStart: 100 }), deadline, initialTtlMs, clock });
    clock.advance(14 * MINUTE);
    await checkpointer.commit();
    clock.advance(MINUTE + MINUTE / 2);
    await checkpointer.commit();
    expect(writes.map((write) => write.ttlMs)).toEqual([2 * MINUTE, MINUTE / 2]);

    await checkpointer.release({ at: clock.now(), delivered: 5 });
    // Released: another owner takes the lease at once.
    await expect(file.acquire('audit', 'run-2', MINUTE)).resolves.toMatchObject({ lease: { owner: 'run-2' } });
  });

  it('a lost lease fails the commit, and the next commit tries again with its own write', async () => {
    const clock = new FakeClock();
    const { file, store, writes, lease, deadline, initialTtlMs } = await setup(clock);
    const checkpointer = new Checkpointer({ store, lease: { ...lease, owner: 'someone-else' } as Lease, cursor: () => ({ windowStart: 100 }), deadline, initialTtlMs, clock });
    await expect(checkpointer.commit()).rejects.toBeInstanceOf(LeaseLostError);
    await expect(checkpointer.commit()).rejects.toBeInstanceOf(LeaseLostError);
    expect(writes).toHaveLength(2);
    expect((await file.read('audit'))?.cursor).toBeUndefined();
  });
});
