/**
 * CursorStore on DynamoDB: every lease transition is one conditional write, so
 * two invocations can never both believe they hold a source (docs/design.md,
 * "The correctness contract", point 5) and a run that lost its lease can never
 * move the cursor (points 2 and 6).
 *
 * Item layout (table key: `pk` String only; the table also holds other item kinds):
 *
 *   pk              S  "source#<sourceType>#<sourceId>" (typed, so IAM can confine a function to its
 *                      type's items with dynamodb:LeadingKeys); the previous layout's "source#<sourceId>"
 *                      (legacySourceKey) is moved to the typed key by the dispatcher
 *   kind            S  "source"
 *   sourceId        S
 *   cursor          M  { windowStart N, windows? L[M{ start N, end N, pageToken? S, done? BOOL, lastPage? S }] }
 *                      written whole, so a closed window or a cleared pageToken is really gone
 *   updatedAt       N  epoch ms of the last checkpoint
 *   leaseOwner      S  present only while leased
 *   leaseExpiresAt  N  epoch ms, present only while leased
 *   lastRunAt       N  epoch ms at which the last run ended
 *   lastSuccessAt   N  epoch ms of the last successful run
 *   lastError       S  the last run's error, removed by a successful run
 *   recentRuns      L  [M{ at N, delivered N }] delivered counts of the runs of the last 24 h (≤ 300),
 *                      oldest first, written whole by release
 *   lastSkippedAt   N  epoch ms of the last run skipped (lease held, or its message expired)
 *   lastSkipReason  S  "lease-held" | "expired"
 *   lastSkipHeldBy  S  the lease owner a "lease-held" skip found; removed by any other skip
 *   skippedRuns     N  runs skipped, ever
 *
 * A remembered range resolution (RangeResolutionStore: what a backfill's
 * relative `--from`/`--to` meant when first resolved) is an item of its own:
 *
 *   pk              S  "backfill-range#<key>"
 *   kind            S  "backfill-range"
 *   from, to        N  the range, unix seconds
 *   resolvedAt      N  epoch ms
 *   fromText        S  the text resolved, as typed
 *   toText          S
 *
 * Lease times come from the injected clock (the invoking Lambda's), not the
 * server's: DynamoDB has no "now" in condition expressions.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { systemClock, type Clock } from '../lib/clock';
import { LeaseHeldError, LeaseLostError } from '../lib/errors';
import { decodeCursor, encodeCursor } from './codec';
import {
  appendRecentRun,
  type Cursor,
  type CursorStore,
  type Lease,
  type RangeResolution,
  type RangeResolutionStore,
  type RecentRun,
  type RunOutcome,
  type RunSkip,
  type SkipRecorder,
  type SkipReason,
  type SourceState,
} from '../core/ports/cursor-store';

export interface DynamoDbCursorStoreOptions {
  tableName: string;
  client?: DynamoDBClient;
  clock?: Clock;
  /**
   * Each source id's type, for its key `source#<type>#<id>`: one type for a
   * puller function (which serves one), or a lookup in the config.
   */
  sourceType: string | ((sourceId: string) => string);
}

export const sourceKey = (sourceType: string, sourceId: string): string => `source#${sourceType}#${sourceId}`;
export const legacySourceKey = (sourceId: string): string => `source#${sourceId}`;
export const rangeKey = (key: string): string => `backfill-range#${key}`;

export class DynamoDbCursorStore implements CursorStore, RangeResolutionStore, SkipRecorder {
  private readonly tableName: string;
  private readonly doc: DynamoDBDocumentClient;
  private readonly clock: Clock;
  /** The item key of a source id. */
  private readonly keyOf: (sourceId: string) => string;

  constructor(options: DynamoDbCursorStoreOptions) {
    this.tableName = options.tableName;
    this.doc = DynamoDBDocumentClient.from(options.client ?? new DynamoDBClient({}));
    this.clock = options.clock ?? systemClock;
    const type = options.sourceType;
    this.keyOf = typeof type === 'string' ? (sourceId) => sourceKey(type, sourceId) : (sourceId) => sourceKey(type(sourceId), sourceId);
  }

  async acquire(sourceId: string, owner: string, ttlMs: number): Promise<{ lease: Lease; state: SourceState }> {
    checkTtl(ttlMs);
    // A failed condition is re-read; if the read finds the lease already gone
    // (released in between), try again rather than report a holder that left.
    for (let attempt = 1; ; attempt++) {
      const now = this.clock.now();
      const expiresAt = now + ttlMs;
      try {
        const out = await this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: this.keyOf(sourceId) },
            UpdateExpression: 'SET kind = :kind, sourceId = :sourceId, leaseOwner = :owner, leaseExpiresAt = :expiresAt',
            ConditionExpression: 'attribute_not_exists(leaseOwner) OR leaseExpiresAt < :now OR leaseOwner = :owner',
            ExpressionAttributeValues: {
              ':kind': 'source',
              ':sourceId': sourceId,
              ':owner': owner,
              ':expiresAt': expiresAt,
              ':now': now,
            },
            ReturnValues: 'ALL_NEW',
            // Real DynamoDB returns the holder with the failure; dynalite ignores this.
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { lease: { sourceId, owner, expiresAt }, state: toState(out.Attributes ?? {}) };
      } catch (err) {
        if (!isConditionFailed(err)) throw err;
        const holder = err.Item ? rawHolder(err.Item) : await this.readHolder(sourceId);
        if (holder && holder.expiresAt >= now) throw new LeaseHeldError(sourceId, holder.owner, holder.expiresAt);
        if (attempt >= 3) throw new LeaseHeldError(sourceId, holder?.owner ?? 'unknown', holder?.expiresAt ?? now);
      }
    }
  }

  async checkpoint(lease: Lease, cursor: Cursor, ttlMs: number): Promise<Lease> {
    checkTtl(ttlMs);
    const now = this.clock.now();
    const expiresAt = now + ttlMs;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: this.keyOf(lease.sourceId) },
          UpdateExpression: 'SET #cursor = :cursor, updatedAt = :now, leaseExpiresAt = :expiresAt',
          // The fence: only the live holder may write. An expired lease is lost
          // even if nobody took it yet, so the same rule holds in both stores.
          ConditionExpression: 'leaseOwner = :owner AND leaseExpiresAt > :now',
          ExpressionAttributeNames: { '#cursor': 'cursor' },
          ExpressionAttributeValues: {
            ':cursor': encodeCursor(cursor),
            ':now': now,
            ':expiresAt': expiresAt,
            ':owner': lease.owner,
          },
        }),
      );
    } catch (err) {
      if (isConditionFailed(err)) throw new LeaseLostError(lease.sourceId, lease.owner);
      throw err;
    }
    return { ...lease, expiresAt };
  }

  /**
   * Conditional on the owner only: a run whose lease merely expired (nobody
   * took over) still records how it ended. If another owner holds the lease,
   * or it is already gone, this is a silent no-op: release runs in `finally`,
   * must not mask the run's own error, and there is nothing left to release.
   */
  async release(lease: Lease, outcome: RunOutcome): Promise<void> {
    const success = outcome.error === undefined;
    // recentRuns is read, trimmed and written whole rather than grown with
    // list_append (which cannot trim, so the item would grow without bound).
    // The read-modify-write is safe: only the lease holder writes recentRuns,
    // and the write stays one conditional UpdateItem on `leaseOwner = :owner`,
    // so if the lease changed hands after the read nothing is written at all.
    const recentRuns = appendRecentRun(await this.readRecentRuns(lease.sourceId), outcome);
    const set = ['lastRunAt = :at', success ? 'lastSuccessAt = :at' : 'lastError = :error'];
    const remove = ['leaseOwner', 'leaseExpiresAt'];
    if (success) remove.unshift('lastError');
    if (recentRuns.length > 0) set.push('recentRuns = :recentRuns');
    else remove.push('recentRuns');
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: this.keyOf(lease.sourceId) },
          UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
          ConditionExpression: 'leaseOwner = :owner',
          ExpressionAttributeValues: {
            ':at': outcome.at,
            ':owner': lease.owner,
            ...(success ? {} : { ':error': outcome.error }),
            ...(recentRuns.length > 0 ? { ':recentRuns': recentRuns } : {}),
          },
        }),
      );
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
    }
  }

  /** One unconditional UpdateItem of the skip fields (and the item's identity, should it not exist yet). */
  async recordSkip(sourceId: string, skip: RunSkip): Promise<void> {
    const held = skip.heldBy !== undefined;
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: this.keyOf(sourceId) },
        UpdateExpression:
          'SET kind = :kind, sourceId = :sourceId, lastSkippedAt = :at, lastSkipReason = :reason, ' +
          `skippedRuns = if_not_exists(skippedRuns, :zero) + :one${held ? ', lastSkipHeldBy = :heldBy' : ' REMOVE lastSkipHeldBy'}`,
        ExpressionAttributeValues: {
          ':kind': 'source',
          ':sourceId': sourceId,
          ':at': skip.at,
          ':reason': skip.reason,
          ':zero': 0,
          ':one': 1,
          ...(held && { ':heldBy': skip.heldBy }),
        },
      }),
    );
  }

  async read(sourceId: string): Promise<SourceState | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: this.keyOf(sourceId) }, ConsistentRead: true }),
    );
    return out.Item ? toState(out.Item) : undefined;
  }

  async recallRange(key: string): Promise<RangeResolution | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: rangeKey(key) }, ConsistentRead: true }));
    return out.Item ? toRange(out.Item) : undefined;
  }

  /** One PutItem, conditional on the key being free unless `replace`: the first of two concurrent resolutions holds. */
  async rememberRange(key: string, resolution: RangeResolution, options: { replace?: boolean } = {}): Promise<RangeResolution> {
    const { from, to, resolvedAt, fromText, toText } = resolution;
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: rangeKey(key), kind: 'backfill-range', from, to, resolvedAt, fromText, toText },
          ...(options.replace ? {} : { ConditionExpression: 'attribute_not_exists(pk)' }),
        }),
      );
      return { from, to, resolvedAt, fromText, toText };
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      const held = await this.recallRange(key);
      if (!held) throw new Error(`backfill range ${key}: the item was there a moment ago and is gone; run again`);
      return held;
    }
  }

  private async readRecentRuns(sourceId: string): Promise<RecentRun[] | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: this.keyOf(sourceId) },
        ConsistentRead: true,
        ProjectionExpression: 'recentRuns',
      }),
    );
    return decodeRecentRuns(out.Item?.recentRuns);
  }

  private async readHolder(sourceId: string): Promise<{ owner: string; expiresAt: number } | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: this.keyOf(sourceId) },
        ConsistentRead: true,
        ProjectionExpression: 'leaseOwner, leaseExpiresAt',
      }),
    );
    const item = out.Item;
    return typeof item?.leaseOwner === 'string' && typeof item.leaseExpiresAt === 'number'
      ? { owner: item.leaseOwner, expiresAt: item.leaseExpiresAt }
      : undefined;
  }
}

function checkTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`lease ttl must be a positive number of ms, got ${ttlMs}`);
}

function toState(item: Record<string, unknown>): SourceState {
  const state: SourceState = {};
  if (item.cursor !== undefined) state.cursor = decodeCursor(item.cursor, `source ${String(item.sourceId)} (DynamoDB item ${String(item.pk)})`);
  if (typeof item.lastSuccessAt === 'number') state.lastSuccessAt = item.lastSuccessAt;
  if (typeof item.lastRunAt === 'number') state.lastRunAt = item.lastRunAt;
  if (typeof item.lastError === 'string') state.lastError = item.lastError;
  if (typeof item.updatedAt === 'number') state.updatedAt = item.updatedAt;
  const recentRuns = decodeRecentRuns(item.recentRuns);
  if (recentRuns) state.recentRuns = recentRuns;
  if (typeof item.lastSkippedAt === 'number' && SKIP_REASONS.includes(item.lastSkipReason as SkipReason)) {
    state.lastSkip = { at: item.lastSkippedAt, reason: item.lastSkipReason as SkipReason };
    if (typeof item.lastSkipHeldBy === 'string') state.lastSkip.heldBy = item.lastSkipHeldBy;
  }
  if (typeof item.skippedRuns === 'number') state.skippedRuns = item.skippedRuns;
  return state;
}

const SKIP_REASONS: readonly string[] = ['lease-held', 'expired'] satisfies SkipReason[];

/** A range item, checked: one that is not what this store writes is refused rather than used. */
function toRange(item: Record<string, unknown>): RangeResolution {
  const { from, to, resolvedAt, fromText, toText } = item;
  if (
    !Number.isInteger(from) ||
    !Number.isInteger(to) ||
    typeof resolvedAt !== 'number' ||
    typeof fromText !== 'string' ||
    typeof toText !== 'string'
  ) {
    throw new Error(`DynamoDB item ${String(item.pk)} is not a backfill range (from, to, resolvedAt, fromText, toText); delete it to resolve the range again`);
  }
  return { from: from as number, to: to as number, resolvedAt, fromText, toText };
}

/** Entries that are not `{ at: number, delivered: number }` are dropped rather than failing status. */
function decodeRecentRuns(value: unknown): RecentRun[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.flatMap((entry: { at?: unknown; delivered?: unknown } | null) =>
    typeof entry?.at === 'number' && typeof entry.delivered === 'number' ? [{ at: entry.at, delivered: entry.delivered }] : [],
  );
}

/** The holder from a ConditionalCheckFailedException's raw (unmarshalled by nobody) ALL_OLD item. */
function rawHolder(item: Record<string, { S?: string; N?: string } | undefined>) {
  const owner = item.leaseOwner?.S;
  const expiresAt = Number(item.leaseExpiresAt?.N);
  return owner !== undefined && Number.isFinite(expiresAt) ? { owner, expiresAt } : undefined;
}

function isConditionFailed(
  err: unknown,
): err is Error & { Item?: Record<string, { S?: string; N?: string } | undefined> } {
  return err instanceof Error && err.name === 'ConditionalCheckFailedException';
}
