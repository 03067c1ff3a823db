/**
 * CursorStore on local JSON files, for `cloudtap run` on a laptop: one file per
 * source, `<directory>/<sourceId>.json`, with the same lease rules as the
 * DynamoDB store so two CLI processes on one directory never run a source twice.
 *
 * Every change is a read-modify-write under `<sourceId>.lock`, a lock file
 * created with O_EXCL ('wx') and held only for that one update (milliseconds).
 * The lease itself lives in the state file; the lock only makes its
 * compare-and-set atomic across processes. A process that dies while holding
 * the lock leaves it behind, and the OS will not remove it (Node has no flock),
 * so a lock older than `staleLockMs` is taken to be a dead holder's and removed.
 * Residual risk, accepted for a local tool: a holder frozen (SIGSTOP, laptop
 * sleep) for longer than that inside its few-ms critical section.
 *
 * Writes go to a temp file in the same directory, are fsynced, then renamed
 * over the state file: a crash leaves the previous state intact, and readers
 * (`read`) never see a half-written file, so they take no lock. A temp file
 * whose rename did not happen is removed, and the lock is released in
 * `finally`, so a run that stops (even on an error) leaves neither behind; for
 * a process that must exit at once, `removeFilesInFlightSync` removes the
 * ones it holds at that moment.
 *
 * A lease held by a local run on this host whose process no longer exists
 * (`deadLocalOwner`) is taken over at once rather than honoured until it
 * expires: nobody can be using it.
 *
 * A remembered range resolution (RangeResolutionStore, for backfills of
 * relative ranges) is a file of its own, `<key>.range.json`, under its own
 * lock `<key>.range.lock`, written the same way.
 */
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { mkdir, open, readFile, rename, stat, unlink, link } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import { systemClock, type Clock } from '../lib/clock';
import { LeaseHeldError, LeaseLostError } from '../lib/errors';
import { silentLog, type Log } from '../lib/logger';
import { cursorSchema, encodeCursor } from './codec';
import { deadLocalOwner } from './local-owner';
import {
  appendRecentRun,
  type Cursor,
  type CursorStore,
  type Lease,
  type RangeResolution,
  type RangeResolutionStore,
  type RunOutcome,
  type RunSkip,
  type SkipRecorder,
  type SourceState,
} from '../core/ports/cursor-store';

export interface FileCursorStoreOptions {
  directory: string;
  clock?: Clock;
  /** A lock file older than this (real time, ms) is a crashed holder's. Default 5000. */
  staleLockMs?: number;
  /** Told when a dead local run's lease is taken over. */
  log?: Log;
}

/** The state file exists but is not a valid state document; never reset silently. */
export class CorruptStateFileError extends Error {
  override readonly name = 'CorruptStateFileError';
  constructor(readonly file: string, detail: string) {
    super(`cursor state file ${file} is corrupt (${detail}); fix or delete it (deleting restarts the source from its configured start)`);
  }
}

const SOURCE_ID = /^[a-z0-9-]+$/;

const fileSchema = z.strictObject({
  version: z.literal(1),
  sourceId: z.string(),
  cursor: cursorSchema.optional(),
  lease: z.strictObject({ owner: z.string(), expiresAt: z.number() }).optional(),
  updatedAt: z.number().optional(),
  lastRunAt: z.number().optional(),
  lastSuccessAt: z.number().optional(),
  lastError: z.string().optional(),
  recentRuns: z.array(z.strictObject({ at: z.number(), delivered: z.number() })).optional(),
  lastSkip: z.strictObject({ at: z.number(), reason: z.enum(['lease-held', 'expired']), heldBy: z.string().optional() }).optional(),
  skippedRuns: z.number().int().nonnegative().optional(),
});
type StateFile = z.infer<typeof fileSchema>;

/** A remembered range resolution, `<key>.range.json`: its own file, never read as a source's state. */
const rangeSchema = z.strictObject({
  version: z.literal(1),
  key: z.string(),
  from: z.number().int(),
  to: z.number().int(),
  resolvedAt: z.number(),
  fromText: z.string(),
  toText: z.string(),
});
const RANGE = '.range';

export class FileCursorStore implements CursorStore, RangeResolutionStore, SkipRecorder {
  private readonly directory: string;
  private readonly clock: Clock;
  private readonly staleLockMs: number;
  private readonly log: Log;

  constructor(options: FileCursorStoreOptions) {
    this.directory = options.directory;
    this.clock = options.clock ?? systemClock;
    this.staleLockMs = options.staleLockMs ?? 5_000;
    this.log = options.log ?? silentLog;
  }

  async acquire(sourceId: string, owner: string, ttlMs: number): Promise<{ lease: Lease; state: SourceState }> {
    checkTtl(ttlMs);
    return this.update(sourceId, (file) => {
      const now = this.clock.now();
      const held = file.lease;
      // Same rule as DynamoDB: free, expired (strictly before now), or ours; locally also a dead process's.
      if (held && held.owner !== owner && held.expiresAt >= now) {
        if (!deadLocalOwner(held.owner)) throw new LeaseHeldError(sourceId, held.owner, held.expiresAt);
        this.log.warn('took over the lease of a run on this host whose process no longer exists', {
          sourceId,
          owner: held.owner,
          until: new Date(held.expiresAt).toISOString(),
        });
      }
      const lease = { sourceId, owner, expiresAt: now + ttlMs };
      file.lease = { owner, expiresAt: lease.expiresAt };
      return { lease, state: toState(file) };
    });
  }

  async checkpoint(lease: Lease, cursor: Cursor, ttlMs: number): Promise<Lease> {
    checkTtl(ttlMs);
    return this.update(lease.sourceId, (file) => {
      const now = this.clock.now();
      if (file.lease?.owner !== lease.owner || file.lease.expiresAt <= now) {
        throw new LeaseLostError(lease.sourceId, lease.owner);
      }
      file.cursor = encodeCursor(cursor);
      file.updatedAt = now;
      file.lease.expiresAt = now + ttlMs;
      return { ...lease, expiresAt: file.lease.expiresAt };
    });
  }

  /** Like the DynamoDB store: conditional on the owner only, a no-op if the lease is someone else's or gone. */
  async release(lease: Lease, outcome: RunOutcome): Promise<void> {
    await this.update(lease.sourceId, (file) => {
      if (file.lease?.owner !== lease.owner) return NO_WRITE;
      delete file.lease;
      file.lastRunAt = outcome.at;
      if (outcome.error === undefined) {
        file.lastSuccessAt = outcome.at;
        delete file.lastError;
      } else {
        file.lastError = outcome.error;
      }
      const recentRuns = appendRecentRun(file.recentRuns, outcome);
      if (recentRuns.length > 0) file.recentRuns = recentRuns;
      else delete file.recentRuns;
      return undefined;
    });
  }

  /** Under the lock like every change, but whoever holds the lease: a skip is recorded beside the run, not instead of it. */
  async recordSkip(sourceId: string, skip: RunSkip): Promise<void> {
    await this.update(sourceId, (file) => {
      file.lastSkip = { at: skip.at, reason: skip.reason, ...(skip.heldBy !== undefined && { heldBy: skip.heldBy }) };
      file.skippedRuns = (file.skippedRuns ?? 0) + 1;
      return undefined;
    });
  }

  async read(sourceId: string): Promise<SourceState | undefined> {
    const file = await this.load(sourceId);
    return file && toState(file);
  }

  async recallRange(key: string): Promise<RangeResolution | undefined> {
    const file = await this.loadJson(key, `${RANGE}.json`, rangeSchema);
    if (file && file.key !== key) throw new CorruptStateFileError(this.path(key, `${RANGE}.json`), `it belongs to key ${file.key}`);
    return file && { from: file.from, to: file.to, resolvedAt: file.resolvedAt, fromText: file.fromText, toText: file.toText };
  }

  /** Under the key's own lock, so two processes resolving the same text at once agree on the first. */
  async rememberRange(key: string, resolution: RangeResolution, options: { replace?: boolean } = {}): Promise<RangeResolution> {
    const unlock = await this.lock(key, RANGE);
    try {
      const held = options.replace ? undefined : await this.recallRange(key);
      if (held) return held;
      await this.write(key, RANGE, { version: 1, key, ...resolution } satisfies z.input<typeof rangeSchema>);
      return { ...resolution };
    } finally {
      await unlock();
    }
  }

  /** `<directory>/<name><suffix>`; `name` (a source id or a key) must be a plain file name. */
  private path(name: string, suffix: string): string {
    if (!SOURCE_ID.test(name)) throw new Error(`invalid source id ${JSON.stringify(name)}: expected [a-z0-9-]+`);
    return join(this.directory, `${name}${suffix}`);
  }

  private async load(sourceId: string): Promise<StateFile | undefined> {
    const file = await this.loadJson(sourceId, '.json', fileSchema);
    if (file && file.sourceId !== sourceId) throw new CorruptStateFileError(this.path(sourceId, '.json'), `it belongs to source ${file.sourceId}`);
    return file;
  }

  /** The file `<name><suffix>` checked against `schema`; undefined if absent, CorruptStateFileError if unreadable. */
  private async loadJson<Schema extends z.ZodType>(name: string, suffix: string, schema: Schema): Promise<z.output<Schema> | undefined> {
    const file = this.path(name, suffix);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return undefined;
      throw err;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new CorruptStateFileError(file, `not JSON: ${(err as Error).message}`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CorruptStateFileError(file, `${issue?.path.join('.') || 'document'}: ${issue?.message}`);
    }
    return parsed.data;
  }

  /** Read-modify-write under the lock; `change` mutates the state and returns the result, or NO_WRITE. */
  private async update<T>(sourceId: string, change: (file: StateFile) => T): Promise<Exclude<T, typeof NO_WRITE>> {
    const unlock = await this.lock(sourceId);
    try {
      const file = (await this.load(sourceId)) ?? { version: 1 as const, sourceId };
      const result = change(file);
      if (result !== NO_WRITE) await this.write(sourceId, '', file);
      return result as Exclude<T, typeof NO_WRITE>;
    } finally {
      await unlock();
    }
  }

  /** `<name><kind>.json`, replaced whole: temp file, fsync, rename. */
  private async write(name: string, kind: string, document: unknown): Promise<void> {
    const target = this.path(name, `${kind}.json`);
    const temp = this.path(name, `${kind}.json.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    filesInFlight.add(temp);
    let renamed = false;
    try {
      const handle = await open(temp, 'wx');
      try {
        await handle.writeFile(`${JSON.stringify(document, null, 2)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
      renamed = true;
    } finally {
      if (!renamed) await unlink(temp).catch(() => {});
      filesInFlight.delete(temp);
    }
    await syncDirectory(this.directory);
  }

  /** Take `<name><kind>.lock`: a source's (no kind), or a range record's (`.range`). */
  private async lock(name: string, kind = ''): Promise<() => Promise<void>> {
    const file = this.path(name, `${kind}.lock`);
    await mkdir(this.directory, { recursive: true });
    const deadline = Date.now() + 3 * this.staleLockMs;
    for (;;) {
      try {
        const handle = await open(file, 'wx');
        filesInFlight.add(file);
        const unlock = () =>
          unlink(file)
            .catch(() => {})
            .finally(() => filesInFlight.delete(file));
        try {
          await handle.writeFile(`${process.pid}\n`).finally(() => handle.close());
        } catch (err) {
          await unlock();
          throw err;
        }
        return unlock;
      } catch (err) {
        if (errorCode(err) !== 'EEXIST') throw err;
      }
      await this.removeIfStale(file);
      if (Date.now() > deadline) throw new Error(`could not lock ${file}: held by another process for too long`);
      await sleep(2 + Math.random() * 8); // jitter so contenders do not retry in lockstep
    }
  }

  /**
   * Two processes may both judge the same lock stale; if one removes it and
   * takes a fresh lock, a plain unlink by the other would delete that live
   * lock. So: move the lock aside (atomic, only one mover wins), check it is
   * the stale file we judged, and put it back (link fails if the name is taken
   * meanwhile, never overwriting) if it turns out to be a fresh one.
   */
  private async removeIfStale(file: string): Promise<void> {
    const before = await stat(file).catch(() => undefined);
    if (!before || Date.now() - before.mtimeMs <= this.staleLockMs) return;
    const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
    filesInFlight.add(aside);
    try {
      await rename(file, aside);
    } catch {
      filesInFlight.delete(aside);
      return; // someone else moved it first
    }
    try {
      const moved = await stat(aside);
      if (moved.ino !== before.ino || moved.mtimeMs !== before.mtimeMs) await link(aside, file).catch(() => {});
    } finally {
      await unlink(aside).catch(() => {});
      filesInFlight.delete(aside);
    }
  }
}

const NO_WRITE = Symbol('no write');

/** The lock and temp files this process holds right now, across stores: at most a few, for milliseconds each. */
const filesInFlight = new Set<string>();

/**
 * Remove the lock and temp files this process holds right now. Only for a
 * process about to exit without finishing its updates (a second Ctrl-C): the
 * state files themselves are intact, as after a crash.
 */
export function removeFilesInFlightSync(): void {
  for (const file of filesInFlight) {
    try {
      unlinkSync(file);
    } catch {
      // already gone
    }
  }
  filesInFlight.clear();
}

function toState(file: StateFile): SourceState {
  const state: SourceState = {};
  if (file.cursor) state.cursor = encodeCursor(file.cursor);
  if (file.lastSuccessAt !== undefined) state.lastSuccessAt = file.lastSuccessAt;
  if (file.lastRunAt !== undefined) state.lastRunAt = file.lastRunAt;
  if (file.lastError !== undefined) state.lastError = file.lastError;
  if (file.updatedAt !== undefined) state.updatedAt = file.updatedAt;
  if (file.recentRuns !== undefined) state.recentRuns = file.recentRuns.map((run) => ({ ...run }));
  if (file.lastSkip !== undefined) state.lastSkip = { ...file.lastSkip };
  if (file.skippedRuns !== undefined) state.skippedRuns = file.skippedRuns;
  return state;
}

function checkTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`lease ttl must be a positive number of ms, got ${ttlMs}`);
}

/** Make the rename itself durable. Not possible on every platform (Windows), where it is skipped. */
async function syncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // best effort
  } finally {
    await handle?.close();
  }
}

function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}
