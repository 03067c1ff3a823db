import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { decideClaim, dedupPk, DEFAULT_ABANDON_AFTER_MS, nowSeconds, windowEnd, type ClaimRecord } from './dedup';
import type { ClaimOutcome, ClaimRequest, DedupStore } from './types';

/**
 * Dedup claims in the cursor table (item layout in dedup.ts; `kind`
 * `alert-dedup`), one conditional write per alert. The table's TTL on
 * `expiresAt` (epoch seconds) removes old windows; the condition does not
 * wait for it.
 */
export interface DynamoDbDedupOptions {
  tableName: string;
  client?: DynamoDBClient;
  abandonAfterMs?: number;
}

export class DynamoDbDedupStore implements DedupStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly abandonAfterMs: number;

  constructor(private readonly options: DynamoDbDedupOptions) {
    this.doc = DynamoDBDocumentClient.from(options.client ?? new DynamoDBClient({}));
    this.abandonAfterMs = options.abandonAfterMs ?? DEFAULT_ABANDON_AFTER_MS;
  }

  async claim(request: ClaimRequest): Promise<ClaimOutcome> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { pk: dedupPk(request.ruleId, request.dedupKey) },
          UpdateExpression: 'SET kind = :kind, ruleId = :ruleId, alertId = :id, expiresAt = :expiresAt, claimedAt = :now REMOVE publishedAt, deferredAt',
          ConditionExpression:
            'attribute_not_exists(pk) OR expiresAt < :nowSeconds OR ' +
            '(attribute_not_exists(publishedAt) AND attribute_not_exists(deferredAt) AND (alertId = :id OR claimedAt < :abandoned))',
          ExpressionAttributeValues: {
            ':kind': 'alert-dedup',
            ':ruleId': request.ruleId,
            ':id': request.alertId,
            ':expiresAt': windowEnd(request),
            ':now': request.now,
            ':nowSeconds': nowSeconds(request.now),
            ':abandoned': request.now - this.abandonAfterMs,
          },
          // The old item tells a first claim from this alert's unfinished one.
          ReturnValues: 'ALL_OLD',
        }),
      );
      return decideClaim(toRecord(out.Attributes), request, this.abandonAfterMs);
    } catch (err) {
      if (err instanceof Error && err.name === 'ConditionalCheckFailedException') return 'duplicate';
      throw err;
    }
  }

  markPublished(ruleId: string, dedupKey: string, alertId: string, now: number): Promise<void> {
    return this.mark(ruleId, dedupKey, alertId, 'publishedAt', now);
  }

  markDeferred(ruleId: string, dedupKey: string, alertId: string, now: number): Promise<void> {
    return this.mark(ruleId, dedupKey, alertId, 'deferredAt', now);
  }

  /** Only on this alert's own claim: a newer window's claim is not ours to mark. */
  private async mark(ruleId: string, dedupKey: string, alertId: string, attribute: 'publishedAt' | 'deferredAt', now: number): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { pk: dedupPk(ruleId, dedupKey) },
          UpdateExpression: `SET ${attribute} = :now`,
          ConditionExpression: 'alertId = :id',
          ExpressionAttributeValues: { ':now': now, ':id': alertId },
        }),
      );
    } catch (err) {
      if (!(err instanceof Error && err.name === 'ConditionalCheckFailedException')) throw err;
    }
  }
}

function toRecord(item: Record<string, unknown> | undefined): ClaimRecord | undefined {
  if (!item || typeof item.alertId !== 'string' || typeof item.expiresAt !== 'number') return undefined;
  return {
    alertId: item.alertId,
    expiresAt: item.expiresAt,
    claimedAt: typeof item.claimedAt === 'number' ? item.claimedAt : 0,
    ...(typeof item.publishedAt === 'number' ? { publishedAt: item.publishedAt } : {}),
    ...(typeof item.deferredAt === 'number' ? { deferredAt: item.deferredAt } : {}),
  };
}
