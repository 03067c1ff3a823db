import type { Clock } from '../lib/clock';
import type { Cursor, CursorStore, Lease, RunOutcome } from './ports/cursor-store';

/** How long past its deadline a run's lease lasts: a crashed run blocks the next one this long at most. */
export const LEASE_GRACE_MS = 60_000;

/** The lease a run takes at its start: until a minute after its deadline, and never less than a minute. */
export function initialLeaseTtlMs(startedAt: number, deadline: number): number {
  return Math.max(LEASE_GRACE_MS, deadline - startedAt + LEASE_GRACE_MS);
}

/**
 * Each extension ends the lease a minute after the run's deadline, never
 * later, so a run that dies late blocks the next one no longer than one that
 * dies early. Never longer than the initial TTL, never below 1 ms.
 */
export function extensionTtlMs(now: number, deadline: number, initialTtlMs: number): number {
  return Math.min(initialTtlMs, Math.max(1, deadline + LEASE_GRACE_MS - now));
}

export interface CheckpointerOptions {
  store: CursorStore;
  lease: Lease;
  /** The cursor to save, read when a write starts. */
  cursor: () => Cursor;
  deadline: number;
  initialTtlMs: number;
  clock: Clock;
}

/**
 * A run's cursor writes, holder of its lease. Group commit: one write covers
 * every page acknowledged before it starts; pages acknowledged while it runs
 * share the next one. Callers wait for the write that covers them, so a page
 * counts as done only once it is both delivered and checkpointed, and the
 * store sees one write per round instead of one per lane.
 */
export class Checkpointer {
  private lease: Lease;
  /** The write under way, and the next one, shared by every page acknowledged meanwhile. */
  private writing: Promise<void> = Promise.resolve();
  private nextWrite?: Promise<void>;

  constructor(private readonly options: CheckpointerOptions) {
    this.lease = options.lease;
  }

  /** Resolves once a write that started after this call has saved the cursor and extended the lease. */
  commit(): Promise<void> {
    if (this.nextWrite) return this.nextWrite;
    const { store, cursor, deadline, initialTtlMs, clock } = this.options;
    const write = this.writing
      .catch(() => undefined)
      .then(async () => {
        this.nextWrite = undefined;
        const ttl = extensionTtlMs(clock.now(), deadline, initialTtlMs);
        this.lease = await store.checkpoint(this.lease, cursor(), ttl);
      });
    this.nextWrite = write;
    this.writing = write;
    return write;
  }

  /** Record how the run ended and give up the lease as it stands after the last write. */
  release(outcome: RunOutcome): Promise<void> {
    return this.options.store.release(this.lease, outcome);
  }
}
