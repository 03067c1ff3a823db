import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import pMap from 'p-map';
import type { Log } from '../lib/logger';
import { legacySourceKey, sourceKey } from '../cursor/dynamodb-store';
import { entrySchedule, periodSecondsAt } from './dispatch-plan';
import type { DispatchEntry } from './invocation';

/**
 * The dispatcher's look at the cursor table, every fifth minute: which
 * instances are stalled, and which still have a cursor item in the previous
 * layout's key. Those are moved to the typed key here, one transaction each,
 * and until that succeeds the instance is not dispatched: its puller, which
 * reads only the typed key, would otherwise start it from scratch.
 */

/** Legacy items moved at once. */
const PARALLEL_MOVES = 10;

/** A stalled instance has had no successful run for this long, or three periods if longer, plus its lag. */
export const STALL_FLOOR_SECONDS = 900;

export interface SweepResult {
  /** Ids still under a legacy key (not migrated yet): not to be dispatched. */
  blocked: Set<string>;
  /** Ids migrated by this sweep. */
  migrated: string[];
  /** Per source type (every type of the table, zero or more ids): instances without a successful run for too long. */
  stalled: Map<string, string[]>;
  /** Per source type: instances with no cursor item at all (never run). Not stalled: a new instance has none until its first run. */
  neverRun: Map<string, string[]>;
}

export interface SweepOptions {
  dynamo: DynamoDBClient;
  tableName: string;
  entries: readonly DispatchEntry[];
  nowMs: number;
  log: Log;
}

type Item = Record<string, unknown>;

export async function sweepCursorTable(options: SweepOptions): Promise<SweepResult> {
  const doc = DynamoDBDocumentClient.from(options.dynamo);
  const items = await scanSourceItems(doc, options.tableName);
  const result: SweepResult = { blocked: new Set(), migrated: [], stalled: new Map(), neverRun: new Map() };
  for (const { source } of options.entries) {
    for (const map of [result.stalled, result.neverRun]) if (!map.has(source.type)) map.set(source.type, []);
  }
  // Moving is a read and a transaction per item: 1,000 of them one by one would hold up the minute's dispatch.
  const typedItems = await pMap(options.entries, async (entry) => {
    const { id, type } = entry.source;
    const typed = items.get(sourceKey(type, id));
    if (!items.has(legacySourceKey(id))) return typed;
    if (typed) {
      options.log.warn('an instance has both a typed and a legacy cursor item; the typed one is used, the legacy one left as it is', { sourceId: id, sourceType: type });
      return typed;
    }
    const moved = await migrate(doc, options, entry);
    if (moved) result.migrated.push(id);
    else result.blocked.add(id);
    return moved;
  }, { concurrency: PARALLEL_MOVES });
  for (const [index, entry] of options.entries.entries()) {
    const { id, type } = entry.source;
    const item = typedItems[index];
    if (!item) {
      if (!result.blocked.has(id)) result.neverRun.get(type)!.push(id);
    } else if (isStalled(entry, item, options.nowMs)) result.stalled.get(type)!.push(id);
  }
  result.migrated.sort();
  return result;
}

function isStalled(entry: DispatchEntry, item: Item, nowMs: number): boolean {
  const period = periodSecondsAt(entrySchedule(entry), nowMs);
  const allowedMs = (Math.max(3 * period, STALL_FLOOR_SECONDS) + entry.source.lagSeconds) * 1000;
  const lastSuccessAt = typeof item.lastSuccessAt === 'number' ? item.lastSuccessAt : undefined;
  return lastSuccessAt === undefined || nowMs - lastSuccessAt > allowedMs;
}

/** Every `source#...` item, the attributes the sweep reads only, across all pages of the Scan. */
async function scanSourceItems(doc: DynamoDBDocumentClient, tableName: string): Promise<Map<string, Item>> {
  const items = new Map<string, Item>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'begins_with(pk, :source)',
        ProjectionExpression: 'pk, lastSuccessAt',
        ExpressionAttributeValues: { ':source': 'source#' },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) items.set(String(item.pk), item);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/**
 * Copy the legacy item to the typed key and delete it, in one transaction.
 * The delete holds only while no run holds the lease and the item is as it
 * was read (same updatedAt and lastRunAt), so a run of the previous layout in
 * between makes the move fail rather than lose its checkpoint; the next sweep
 * tries again. Returns the typed item, or undefined when it was not moved.
 */
async function migrate(doc: DynamoDBDocumentClient, options: SweepOptions, entry: DispatchEntry): Promise<Item | undefined> {
  const { id, type } = entry.source;
  const legacyKey = legacySourceKey(id);
  try {
    const { Item: legacy } = await doc.send(new GetCommand({ TableName: options.tableName, Key: { pk: legacyKey }, ConsistentRead: true }));
    if (!legacy) return undefined;
    const { leaseOwner: _owner, leaseExpiresAt: _expires, ...kept } = legacy;
    const typed = { ...kept, pk: sourceKey(type, id) };
    const unchanged = (['updatedAt', 'lastRunAt'] as const).map((name) => (legacy[name] === undefined ? `attribute_not_exists(${name})` : `${name} = :${name}`));
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: options.tableName, Item: typed, ConditionExpression: 'attribute_not_exists(pk)' } },
          {
            Delete: {
              TableName: options.tableName,
              Key: { pk: legacyKey },
              ConditionExpression: `(attribute_not_exists(leaseExpiresAt) OR leaseExpiresAt < :now) AND ${unchanged.join(' AND ')}`,
              ExpressionAttributeValues: {
                ':now': options.nowMs,
                ...(legacy.updatedAt === undefined ? {} : { ':updatedAt': legacy.updatedAt }),
                ...(legacy.lastRunAt === undefined ? {} : { ':lastRunAt': legacy.lastRunAt }),
              },
            },
          },
        ],
      }),
    );
    options.log.info('moved a cursor item to its typed key', { sourceId: id, sourceType: type, from: legacyKey, to: typed.pk });
    return typed;
  } catch (error) {
    const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons?.map((reason) => reason.Code ?? 'None');
    options.log.warn('could not move a cursor item to its typed key yet; the instance is not dispatched until it is', {
      sourceId: id,
      sourceType: type,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      ...(reasons ? { reasons } : {}),
    });
    return undefined;
  }
}
