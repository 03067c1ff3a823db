import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Alert } from '../core/ports/detection';
import { storableAlert } from './payload';
import { OUTBOX_TTL_SECONDS, type AlertOutbox, type DeferredAlert } from './types';

/**
 * The outbox in the cursor table. Items:
 *
 *   pk `outbox#<alertId>`  kind `alert-outbox`, alert (S, JSON without event.original),
 *                          pending (L of notifier names), deferredAt, attempts, lastError?,
 *                          expiresAt (epoch seconds, a week on: the table's TTL),
 *                          leaseOwner/leaseUntil while a run publishes it
 *   pk `outbox-index`      ids (SS): the alert ids held
 *
 * The index lets every run check for deferred alerts with one GetItem instead
 * of scanning a table full of cursors and dedup claims. It is written after
 * the entry and cleaned after it, so at worst it names an entry that is gone
 * (dropped on the next take); an entry the index misses because a run died
 * between the two writes is re-indexed when that run's page repeats (the
 * router's repair path calls `put` again). The index item holds up to about
 * 10,000 ids (400 KB).
 */
export interface DynamoDbOutboxOptions {
  tableName: string;
  client?: DynamoDBClient;
}

export const outboxPk = (alertId: string): string => `outbox#${alertId}`;
export const OUTBOX_INDEX_PK = 'outbox-index';

const isConditionFailed = (err: unknown) => err instanceof Error && err.name === 'ConditionalCheckFailedException';

export class DynamoDbOutbox implements AlertOutbox {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(options: DynamoDbOutboxOptions) {
    this.doc = DynamoDBDocumentClient.from(options.client ?? new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
    this.table = options.tableName;
  }

  async put(entry: DeferredAlert, now: number): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: outboxPk(entry.alert.id),
            kind: 'alert-outbox',
            alertId: entry.alert.id,
            alert: JSON.stringify(storableAlert(entry.alert)),
            pending: entry.pending,
            deferredAt: entry.deferredAt,
            attempts: entry.attempts,
            lastError: entry.lastError,
            expiresAt: Math.floor(now / 1000) + OUTBOX_TTL_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
    }
    await this.index('ADD', entry.alert.id);
  }

  async get(alertId: string): Promise<DeferredAlert | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: outboxPk(alertId) }, ConsistentRead: true }));
    return out.Item ? toEntry(out.Item) : undefined;
  }

  async take(owner: string, now: number, leaseMs: number, limit: number): Promise<{ entries: DeferredAlert[]; expired: string[] }> {
    const index = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: OUTBOX_INDEX_PK }, ConsistentRead: true }));
    const ids = [...((index.Item?.ids as Set<string> | undefined) ?? [])].sort().slice(0, limit);
    const entries: DeferredAlert[] = [];
    const expired: string[] = [];
    await Promise.all(
      ids.map(async (id) => {
        const item = await this.lease(id, owner, now, leaseMs);
        if (item === 'held') return;
        if (item === 'gone' || (item.expiresAt as number) < Math.floor(now / 1000)) {
          if (item !== 'gone') expired.push(id);
          await this.complete(id);
          return;
        }
        entries.push(toEntry(item));
      }),
    );
    // Oldest first, whatever order the leases came back in.
    return { entries: entries.sort((a, b) => a.deferredAt - b.deferredAt), expired };
  }

  async complete(alertId: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: outboxPk(alertId) } }));
    await this.index('DELETE', alertId);
  }

  async release(owner: string, entry: DeferredAlert): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: outboxPk(entry.alert.id) },
          UpdateExpression: `SET pending = :pending, attempts = :attempts${entry.lastError ? ', lastError = :lastError' : ''} REMOVE leaseOwner, leaseUntil`,
          ConditionExpression: 'leaseOwner = :owner',
          ExpressionAttributeValues: {
            ':pending': entry.pending,
            ':attempts': entry.attempts,
            ':owner': owner,
            ...(entry.lastError ? { ':lastError': entry.lastError } : {}),
          },
        }),
      );
    } catch (err) {
      // Our lease ran out and another run holds it now: its view wins.
      if (!isConditionFailed(err)) throw err;
    }
  }

  private async lease(id: string, owner: string, now: number, leaseMs: number): Promise<Record<string, unknown> | 'held' | 'gone'> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: outboxPk(id) },
          UpdateExpression: 'SET leaseOwner = :owner, leaseUntil = :until',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
          ExpressionAttributeValues: { ':owner': owner, ':until': now + leaseMs, ':now': now },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes ?? 'gone';
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      // dynalite does not return the item with the failure: read it to tell "leased" from "gone".
      return (await this.get(id)) ? 'held' : 'gone';
    }
  }

  private async index(action: 'ADD' | 'DELETE', id: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: OUTBOX_INDEX_PK },
        UpdateExpression: action === 'ADD' ? 'SET kind = :kind ADD ids :id' : 'DELETE ids :id',
        ExpressionAttributeValues: { ':id': new Set([id]), ...(action === 'ADD' ? { ':kind': 'alert-outbox-index' } : {}) },
      }),
    );
  }
}

function toEntry(item: Record<string, unknown>): DeferredAlert {
  return {
    alert: JSON.parse(String(item.alert)) as Alert,
    pending: Array.isArray(item.pending) ? item.pending.map(String) : [],
    deferredAt: Number(item.deferredAt),
    attempts: Number(item.attempts ?? 1),
    ...(typeof item.lastError === 'string' ? { lastError: item.lastError } : {}),
  };
}
