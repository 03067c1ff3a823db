/**
 * A RequestPacer shared by every invocation behind one rate limit (one
 * credential set, one API, one scope): ten instances signing with one key
 * send, together, no more than the key may.
 *
 * Item layout (in the cursor table, beside the source items):
 *
 *   pk         S  "pace#<rateLimitKey>"   (rateLimitKey: `<type>#<credential set>#<scope>`)
 *   kind       S  "pace"
 *   nextAt     N  epoch ms (whole): the next free request slot
 *   expiresAt  N  epoch seconds, a day after the slots last restarted: the table's TTL removes idle items
 *
 * `take` reserves a slot with one conditional UpdateItem and sleeps until it:
 *   1. `SET nextAt = nextAt + :step IF nextAt >= :now`: the slot is the old nextAt;
 *   2. failing that (no item, or the slots lie in the past), `SET nextAt = :now + :step
 *      IF attribute_not_exists(nextAt) OR nextAt < :now`: the slot is now;
 *   3. failing that too (another caller restarted the slots in between), try again.
 * Every slot granted is at least `step` after the one before, whichever caller took
 * it, so no second holds more than 1000 / step slots; the step carries the
 * documented rate's headroom (PACE_HEADROOM), which absorbs clock skew between
 * invocations and network jitter.
 *
 * Times come from the injected clock: DynamoDB has no "now" in condition expressions.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RequestPacer } from '../core/ports/pacer';
import { systemClock, type Clock } from '../lib/clock';
import { PACE_HEADROOM } from '../providers/http';

export interface DynamoDbPacerOptions {
  tableName: string;
  /** rateLimitKey(type, credentialSet, scope). */
  key: string;
  /** The API's documented rate (the definition's `pace`); the pacer grants PACE_HEADROOM of it. */
  requestsPerSecond: number;
  client?: DynamoDBClient;
  clock?: Clock;
}

export const paceKey = (rateLimitKey: string): string => `pace#${rateLimitKey}`;

/**
 * How late past its slot a request may still go. The headroom leaves about 110 ms
 * (limit x step - 1 s) before one second could hold one request too many; a quarter
 * of that is for the lateness taken here (a restarted slot is its caller's "now"
 * before two round trips), the rest for the request's way to the provider.
 */
export const LATE_SLOT_MS = 25;
/** Late slots given up in a row, at most, before a request goes late. */
const LATE_SLOTS_GIVEN_UP = 3;

/** Idle pace items go after a day; one that goes while in use only restarts its slots at "now". */
const PACE_ITEM_TTL_SECONDS = 86_400;

export class DynamoDbPacer implements RequestPacer {
  /** Milliseconds between two granted slots; whole, so slot times stay exact in a double. */
  readonly stepMs: number;
  private readonly tableName: string;
  private readonly pk: string;
  private readonly doc: DynamoDBDocumentClient;
  private readonly clock: Clock;

  constructor(options: DynamoDbPacerOptions) {
    if (!(options.requestsPerSecond > 0) || !Number.isFinite(options.requestsPerSecond)) {
      throw new RangeError(`pacer ${options.key}: requestsPerSecond must be a positive number, got ${options.requestsPerSecond}`);
    }
    this.stepMs = Math.ceil(1000 / (options.requestsPerSecond * PACE_HEADROOM));
    this.tableName = options.tableName;
    this.pk = paceKey(options.key);
    this.doc = DynamoDBDocumentClient.from(options.client ?? new DynamoDBClient({}));
    this.clock = options.clock ?? systemClock;
  }

  /**
   * Wait for a slot of one's own. A slot the caller reaches late (its reservation's
   * round trips, or a busy event loop, outlasted it) is given up for the next one:
   * sent late, its request would follow the previous slot's by less than a step,
   * and a few of those put more requests in one second than the limit allows.
   */
  async take(signal?: AbortSignal): Promise<void> {
    for (let givenUp = 0; ; givenUp++) {
      const slot = await this.reserve(signal);
      await this.clock.sleep(Math.max(0, slot - this.clock.now()), signal);
      // A table answering slower than a step would make every slot late: then go anyway.
      if (this.clock.now() - slot <= LATE_SLOT_MS || givenUp === LATE_SLOTS_GIVEN_UP) return;
    }
  }

  /** Reserve the next slot without waiting for it: its time, epoch ms. */
  async reserve(signal?: AbortSignal): Promise<number> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.clock.now();
      const next = await this.update('SET nextAt = nextAt + :step', 'nextAt >= :now', { ':step': this.stepMs, ':now': now }, 'UPDATED_OLD');
      if (next !== undefined) return Number(next.nextAt);
      const restarted = await this.update(
        'SET kind = :kind, nextAt = :next, expiresAt = :expiresAt',
        'attribute_not_exists(nextAt) OR nextAt < :now',
        { ':kind': 'pace', ':next': now + this.stepMs, ':now': now, ':expiresAt': Math.floor(now / 1000) + PACE_ITEM_TTL_SECONDS },
        'NONE',
      );
      if (restarted !== undefined) return now;
    }
  }

  /** One conditional UpdateItem: its returned attributes, or undefined when the condition failed. */
  private async update(
    expression: string,
    condition: string,
    values: Record<string, unknown>,
    returnValues: 'UPDATED_OLD' | 'NONE',
  ): Promise<Record<string, unknown> | undefined> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: this.pk },
          UpdateExpression: expression,
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
          ReturnValues: returnValues,
        }),
      );
      return out.Attributes ?? {};
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return undefined;
      throw error;
    }
  }
}
