/**
 * The behaviour every CursorStore must show (docs/design.md, "The correctness
 * contract", points 2, 3, 5 and 6), run against each implementation by its own test file.
 */
import { describe, expect, it } from 'vitest';
import { RECENT_RUNS_MAX, type CursorStore, type RangeResolutionStore, type SkipRecorder } from '../../shared/core/ports/cursor-store';
import { LeaseHeldError, LeaseLostError } from '../../shared/lib/errors';
import type { FakeClock } from '../support/fake-clock';

export interface StoreUnderTest {
  store: CursorStore & RangeResolutionStore & SkipRecorder;
  clock: FakeClock;
  cleanup: () => Promise<void>;
}

const TTL = 60_000;

export function describeCursorStoreContract(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  /** Runs `body` with a fresh store and always cleans up. */
  const withStore = (body: (t: StoreUnderTest) => Promise<void>) => async () => {
    const t = await makeStore();
    try {
      await body(t);
    } finally {
      await t.cleanup();
    }
  };

  describe(`${name}: CursorStore contract`, () => {

    it('reads nothing for an unknown source and gives an empty state on first acquire', withStore(async ({ store, clock }) => {
      expect(await store.read('src-a')).toBeUndefined();
      const { lease, state } = await store.acquire('src-a', 'run-1', TTL);
      expect(lease).toEqual({ sourceId: 'src-a', owner: 'run-1', expiresAt: clock.now() + TTL });
      expect(state).toEqual({});
    }));

    it('returns a checkpointed cursor from read and from the next acquire', withStore(async ({ store, clock }) => {
      const { lease } = await store.acquire('src-a', 'run-1', TTL);
      clock.advance(1_000);
      const extended = await store.checkpoint(lease, { windowStart: 1_700_000_000 }, TTL);
      expect(extended).toEqual({ ...lease, expiresAt: clock.now() + TTL });
      expect(await store.read('src-a')).toEqual({ cursor: { windowStart: 1_700_000_000 }, updatedAt: clock.now() });

      await store.release(extended, { at: clock.now() });
      const next = await store.acquire('src-a', 'run-2', TTL);
      expect(next.state.cursor).toEqual({ windowStart: 1_700_000_000 });
    }));

    it('refuses a second owner while the lease is live, up to and including its expiry instant', withStore(async ({ store, clock }) => {
      const { lease } = await store.acquire('src-a', 'run-1', TTL);
      const refused = await store.acquire('src-a', 'run-2', TTL).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(LeaseHeldError);
      expect(refused).toMatchObject({ sourceId: 'src-a', holder: 'run-1', expiresAt: lease.expiresAt });

      clock.set(lease.expiresAt);
      await expect(store.acquire('src-a', 'run-2', TTL)).rejects.toBeInstanceOf(LeaseHeldError);
    }));

    it('lets another owner take an expired lease, and fences the old owner out', withStore(async ({ store, clock }) => {
      const { lease: old } = await store.acquire('src-a', 'run-1', TTL);
      await store.checkpoint(old, { windowStart: 100, windows: [{ start: 100, end: 200, pageToken: 'p1' }] }, TTL);
      clock.advance(TTL + 1);

      const { lease: taken, state } = await store.acquire('src-a', 'run-2', TTL);
      expect(state.cursor).toEqual({ windowStart: 100, windows: [{ start: 100, end: 200, pageToken: 'p1' }] });

      const lost = await store.checkpoint(old, { windowStart: 999 }, TTL).catch((e: unknown) => e);
      expect(lost).toBeInstanceOf(LeaseLostError);
      expect(lost).toMatchObject({ sourceId: 'src-a', owner: 'run-1' });
      expect((await store.read('src-a'))?.cursor).toEqual({ windowStart: 100, windows: [{ start: 100, end: 200, pageToken: 'p1' }] });

      // The old owner's release must neither record its outcome nor free the new lease.
      await store.release(old, { at: clock.now(), error: 'stale run' });
      expect((await store.read('src-a'))?.lastError).toBeUndefined();
      await expect(store.acquire('src-a', 'run-3', TTL)).rejects.toMatchObject({ holder: 'run-2' });
      await store.checkpoint(taken, { windowStart: 200 }, TTL);
    }));

    it('fails a checkpoint once the lease has expired, even if nobody took it', withStore(async ({ store, clock }) => {
      const { lease } = await store.acquire('src-a', 'run-1', TTL);
      clock.set(lease.expiresAt);
      await expect(store.checkpoint(lease, { windowStart: 5 }, TTL)).rejects.toBeInstanceOf(LeaseLostError);
      expect((await store.read('src-a'))?.cursor).toBeUndefined();
    }));

    it('keeps the lease alive across checkpoints', withStore(async ({ store, clock }) => {
      let { lease } = await store.acquire('src-a', 'run-1', TTL);
      for (let i = 1; i <= 3; i++) {
        clock.advance(TTL - 1);
        lease = await store.checkpoint(lease, { windowStart: i }, TTL);
      }
      await expect(store.acquire('src-a', 'run-2', TTL)).rejects.toBeInstanceOf(LeaseHeldError);
    }));

    it('lets the same owner re-acquire, extending its lease', withStore(async ({ store, clock }) => {
      const { lease } = await store.acquire('src-a', 'run-1', TTL);
      await store.checkpoint(lease, { windowStart: 7 }, TTL);
      clock.advance(10_000);
      const again = await store.acquire('src-a', 'run-1', TTL);
      expect(again.lease.expiresAt).toBe(clock.now() + TTL);
      expect(again.state.cursor).toEqual({ windowStart: 7 });
    }));

    it('records a successful run, clears the last error and frees the lease', withStore(async ({ store, clock }) => {
      const first = await store.acquire('src-a', 'run-1', TTL);
      await store.release(first.lease, { at: clock.now(), error: 'provider said no' });
      expect(await store.read('src-a')).toMatchObject({ lastError: 'provider said no', lastRunAt: clock.now() });
      expect((await store.read('src-a'))?.lastSuccessAt).toBeUndefined();

      clock.advance(1_000);
      const second = await store.acquire('src-a', 'run-2', TTL); // freed without waiting for expiry
      await store.release(second.lease, { at: clock.now() });
      const afterSuccess = await store.read('src-a');
      expect(afterSuccess?.lastSuccessAt).toBe(clock.now());
      expect(afterSuccess?.lastError).toBeUndefined();

      clock.advance(1_000);
      const third = await store.acquire('src-a', 'run-3', TTL);
      await store.release(third.lease, { at: clock.now(), error: 'timeout' });
      expect(await store.read('src-a')).toMatchObject({ lastSuccessAt: clock.now() - 1_000, lastRunAt: clock.now(), lastError: 'timeout' });
      await store.acquire('src-a', 'run-4', TTL);
    }));

    it('records each run\'s delivered count, keeping only the last 24 hours', withStore(async ({ store, clock }) => {
      const HOUR = 3_600_000;
      const run = async (owner: string, outcome: { delivered?: number; error?: string }) => {
        const { lease } = await store.acquire('src-a', owner, TTL);
        await store.release(lease, { at: clock.now(), ...outcome });
      };
      const start = clock.now();
      await run('run-1', { delivered: 10 });
      clock.advance(12 * HOUR);
      await run('run-2', { delivered: 5, error: 'sink down' }); // a failed run counts what it delivered
      clock.advance(HOUR);
      await run('run-3', {}); // no count: nothing appended
      expect((await store.read('src-a'))?.recentRuns).toEqual([
        { at: start, delivered: 10 },
        { at: start + 12 * HOUR, delivered: 5 },
      ]);
      expect((await store.acquire('src-a', 'run-4', TTL)).state.recentRuns).toHaveLength(2);
      await store.release({ sourceId: 'src-a', owner: 'run-4', expiresAt: 0 }, { at: clock.now() });

      clock.set(start + 24 * HOUR); // run-1 is now exactly 24 h old: dropped
      await run('run-5', { delivered: 0 });
      expect((await store.read('src-a'))?.recentRuns).toEqual([
        { at: start + 12 * HOUR, delivered: 5 },
        { at: start + 24 * HOUR, delivered: 0 },
      ]);

      // A stale owner's release records nothing.
      const { lease } = await store.acquire('src-a', 'run-6', TTL);
      await store.release({ ...lease, owner: 'run-0' }, { at: clock.now(), delivered: 99 });
      expect((await store.read('src-a'))?.recentRuns).toHaveLength(2);
    }));

    it('caps the recent runs at RECENT_RUNS_MAX, dropping the oldest', withStore(async ({ store, clock }) => {
      const runs = RECENT_RUNS_MAX + 5;
      for (let i = 0; i < runs; i++) {
        const { lease } = await store.acquire('src-a', `run-${i}`, TTL);
        await store.release(lease, { at: clock.now(), delivered: i });
        clock.advance(60_000);
      }
      const recent = (await store.read('src-a'))?.recentRuns ?? [];
      expect(recent).toHaveLength(RECENT_RUNS_MAX);
      expect(recent[0]?.delivered).toBe(5);
      expect(recent.at(-1)?.delivered).toBe(runs - 1);
    }), 60_000);

    it('round-trips open windows exactly, big-integer page token and last-page fingerprint included', withStore(async ({ store }) => {
      const cursor = {
        windowStart: 1_735_689_600,
        windows: [
          { start: 1_735_689_600, end: 1_735_693_200, pageToken: '12345678901234567', lastPage: 'K-03v4tDTEK0OxJMvv94f6Gkt2d3_opx5bEEIugvNEU' },
          { start: 1_735_693_200, end: 1_735_696_800, done: true },
          { start: 1_735_696_800, end: 1_735_700_400 },
        ],
      };
      const { lease } = await store.acquire('src-a', 'run-1', TTL);
      await store.checkpoint(lease, cursor, TTL);
      const read = (await store.read('src-a'))?.cursor;
      expect(read).toEqual(cursor);
      expect(typeof read?.windowStart).toBe('number');
      expect(typeof read?.windows?.[0]?.end).toBe('number');
      expect(typeof read?.windows?.[0]?.pageToken).toBe('string');

      await store.release(lease, { at: 1 });
      expect((await store.acquire('src-a', 'run-2', TTL)).state.cursor).toEqual(cursor);
    }));

    it('really removes the open windows when a checkpoint has none', withStore(async ({ store }) => {
      let { lease } = await store.acquire('src-a', 'run-1', TTL);
      lease = await store.checkpoint(lease, { windowStart: 10, windows: [{ start: 10, end: 20, pageToken: 'next' }] }, TTL);
      lease = await store.checkpoint(lease, { windowStart: 20 }, TTL);
      const cursor = (await store.read('src-a'))?.cursor;
      expect(cursor).toEqual({ windowStart: 20 });
      expect(cursor && Object.keys(cursor)).toEqual(['windowStart']);
      await store.release(lease, { at: 1 });
      const next = await store.acquire('src-a', 'run-2', TTL);
      expect(next.state.cursor && Object.keys(next.state.cursor)).toEqual(['windowStart']);
    }));

    it('keeps sources independent', withStore(async ({ store }) => {
      const a = await store.acquire('src-a', 'run-1', TTL);
      const b = await store.acquire('src-b', 'run-2', TTL);
      await store.checkpoint(a.lease, { windowStart: 1 }, TTL);
      await store.checkpoint(b.lease, { windowStart: 2 }, TTL);
      expect((await store.read('src-a'))?.cursor).toEqual({ windowStart: 1 });
      expect((await store.read('src-b'))?.cursor).toEqual({ windowStart: 2 });
    }));

    it('lets exactly one of many concurrent acquirers win', withStore(async ({ store }) => {
      for (const sourceId of ['src-a', 'src-b', 'src-c']) {
        const owners = Array.from({ length: 8 }, (_, i) => `run-${i}`);
        const results = await Promise.allSettled(owners.map((owner) => store.acquire(sourceId, owner, TTL)));
        const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.lease.owner] : []));
        expect(won).toHaveLength(1);
        for (const r of results) {
          if (r.status === 'rejected') {
            expect(r.reason).toBeInstanceOf(LeaseHeldError);
            expect(r.reason).toMatchObject({ holder: won[0] });
          }
        }
      }
    }));

    it('records a skipped run beside the state, touching neither the lease nor the cursor nor the last run', withStore(async ({ store, clock }) => {
      const { lease } = await store.acquire('src-a', 'run-1', TTL);
      await store.checkpoint(lease, { windowStart: 42 }, TTL);
      clock.advance(1_000);
      await store.recordSkip('src-a', { at: clock.now(), reason: 'lease-held', heldBy: 'run-1' });
      expect(await store.read('src-a')).toMatchObject({
        cursor: { windowStart: 42 },
        lastSkip: { at: clock.now(), reason: 'lease-held', heldBy: 'run-1' },
        skippedRuns: 1,
      });
      expect((await store.read('src-a'))?.lastRunAt).toBeUndefined();
      // The holder's lease is intact: it still checkpoints and releases.
      const extended = await store.checkpoint(lease, { windowStart: 43 }, TTL);
      await store.release(extended, { at: clock.now() });

      clock.advance(1_000);
      await store.recordSkip('src-a', { at: clock.now(), reason: 'expired' });
      const state = await store.read('src-a');
      expect(state).toMatchObject({ cursor: { windowStart: 43 }, lastSuccessAt: clock.now() - 1_000, skippedRuns: 2 });
      expect(state?.lastSkip).toEqual({ at: clock.now(), reason: 'expired' });
    }));

    it('records a skip for a source that never ran', withStore(async ({ store, clock }) => {
      await store.recordSkip('src-new', { at: clock.now(), reason: 'expired' });
      expect(await store.read('src-new')).toEqual({ lastSkip: { at: clock.now(), reason: 'expired' }, skippedRuns: 1 });
      const { state } = await store.acquire('src-new', 'run-1', TTL);
      expect(state.cursor).toBeUndefined();
    }));

    it('rejects a non-positive lease ttl', withStore(async ({ store }) => {
      await expect(store.acquire('src-a', 'run-1', 0)).rejects.toBeInstanceOf(RangeError);
    }));
  });

  describe(`${name}: RangeResolutionStore contract`, () => {
    // `--from 7d --to 6d` resolved at 2025-01-01T10:00:00Z, and again five minutes later.
    const first = { from: 1_735_120_800, to: 1_735_207_200, resolvedAt: 1_735_725_600_000, fromText: '7d', toText: '6d' };
    const later = { from: 1_735_121_100, to: 1_735_207_500, resolvedAt: 1_735_725_900_000, fromText: '7d', toText: '6d' };

    it('recalls nothing for an unknown key, then exactly what was remembered', withStore(async ({ store }) => {
      expect(await store.recallRange('src-a-1f2e3d4c5b6a7988')).toBeUndefined();
      expect(await store.rememberRange('src-a-1f2e3d4c5b6a7988', first)).toEqual(first);
      expect(await store.recallRange('src-a-1f2e3d4c5b6a7988')).toEqual(first);
    }));

    it('keeps the first resolution: remembering again returns it, unless told to replace it', withStore(async ({ store }) => {
      await store.rememberRange('src-a-1f2e3d4c5b6a7988', first);
      expect(await store.rememberRange('src-a-1f2e3d4c5b6a7988', later)).toEqual(first);
      expect(await store.recallRange('src-a-1f2e3d4c5b6a7988')).toEqual(first);
      expect(await store.rememberRange('src-a-1f2e3d4c5b6a7988', later, { replace: true })).toEqual(later);
      expect(await store.recallRange('src-a-1f2e3d4c5b6a7988')).toEqual(later);
    }));

    it('lets every one of several concurrent rememberers go on with the same resolution', withStore(async ({ store }) => {
      const candidates = Array.from({ length: 6 }, (_, i) => ({ ...first, from: first.from + i, resolvedAt: first.resolvedAt + i }));
      const held = await Promise.all(candidates.map((candidate) => store.rememberRange('src-a-concurrent', candidate)));
      const stored = await store.recallRange('src-a-concurrent');
      expect(candidates).toContainEqual(stored);
      for (const one of held) expect(one).toEqual(stored);
    }));

    it('keeps range records apart from source state under the same name', withStore(async ({ store }) => {
      await store.rememberRange('src-a', first);
      expect(await store.read('src-a')).toBeUndefined();
      const { lease } = await store.acquire('src-a', 'run-1', TTL);
      await store.checkpoint(lease, { windowStart: 5 }, TTL);
      expect(await store.recallRange('src-a')).toEqual(first);
      expect(await store.recallRange('src-b')).toBeUndefined();
    }));
  });
}
