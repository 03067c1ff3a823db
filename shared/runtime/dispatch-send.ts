import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import pMap from 'p-map';
import type { Log } from '../lib/logger';
import type { PlannedStart } from './dispatch-plan';
import type { PullMessage } from './invocation';

/**
 * Sending the minute's starts to the source types' queues: SendMessageBatch,
 * up to 10 entries a call (the SQS API's limit), each delayed until its start.
 * An entry SQS did not take is sent once more; one failing twice is returned,
 * by source id, for the dispatcher to log and count: never dropped silently.
 */

/** SQS's DelaySeconds range: 0 to 900 (15 minutes). */
export const MAX_DELAY_SECONDS = 900;
/** SendMessageBatch takes at most 10 entries. */
const BATCH_SIZE = 10;
/** Calls in flight at once: 1,000 starts are 100 calls. */
const PARALLEL_CALLS = 8;

export interface QueuedMessage {
  sourceId: string;
  sourceType: string;
  queueUrl: string;
  body: string;
  delaySeconds: number;
}

export interface FailedMessage {
  sourceId: string;
  sourceType: string;
  /** SQS's error code for the entry, or the error of the whole call. */
  code: string;
  message: string;
}

export interface SendOutcome {
  /** Messages SQS took, per source type. */
  sent: Map<string, number>;
  failed: FailedMessage[];
}

/** One message per start: the PullMessage, delayed by the seconds from `nowMs` to the start (0 for a start already due). */
export function buildMessages(starts: readonly PlannedStart[], nowMs: number, queues: Readonly<Record<string, string>>): QueuedMessage[] {
  return starts.map(({ entry, startMs, periodSeconds }) => {
    const queueUrl = queues[entry.source.type];
    if (!queueUrl) throw new Error(`no queue for source type "${entry.source.type}" (instance "${entry.source.id}")`);
    const message: PullMessage = { source: entry.source, secretName: entry.secretName, dueAt: startMs / 1000, periodSeconds };
    return {
      sourceId: entry.source.id,
      sourceType: entry.source.type,
      queueUrl,
      body: JSON.stringify(message),
      delaySeconds: Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.round((startMs - nowMs) / 1000))),
    };
  });
}

export async function sendMessages(sqs: SQSClient, messages: readonly QueuedMessage[], log: Log): Promise<SendOutcome> {
  const sent = new Map<string, number>();
  const first = await sendOnce(sqs, messages, sent);
  if (first.length === 0) return { sent, failed: [] };
  log.warn('SQS did not take some messages; sending them once more', { count: first.length, sourceIds: first.map(({ message }) => message.sourceId) });
  const second = await sendOnce(sqs, first.map(({ message }) => message), sent);
  return { sent, failed: second.map(({ message, code, error }) => ({ sourceId: message.sourceId, sourceType: message.sourceType, code, message: error })) };
}

interface Refused {
  message: QueuedMessage;
  code: string;
  error: string;
}

/** Send every message once; return those SQS did not take. */
async function sendOnce(sqs: SQSClient, messages: readonly QueuedMessage[], sent: Map<string, number>): Promise<Refused[]> {
  const refusedPerBatch = await pMap(batchesByQueue(messages), async (batch) => {
    const refused = await sendBatch(sqs, batch);
    const notTaken = new Set(refused.map((item) => item.message));
    for (const message of batch) if (!notTaken.has(message)) sent.set(message.sourceType, (sent.get(message.sourceType) ?? 0) + 1);
    return refused;
  }, { concurrency: PARALLEL_CALLS });
  return refusedPerBatch.flat();
}

async function sendBatch(sqs: SQSClient, batch: readonly QueuedMessage[]): Promise<Refused[]> {
  try {
    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: batch[0]!.queueUrl,
        // Ids need only be unique within the call.
        Entries: batch.map((message, index) => ({ Id: `m${index}`, MessageBody: message.body, DelaySeconds: message.delaySeconds })),
      }),
    );
    return (out.Failed ?? []).map((entry) => ({
      message: batch[Number(entry.Id?.slice(1))]!,
      code: entry.Code ?? 'unknown',
      error: entry.Message ?? `SQS refused the entry${entry.SenderFault ? ' (sender fault)' : ''}`,
    }));
  } catch (error) {
    const code = error instanceof Error ? error.name : 'Error';
    return batch.map((message) => ({ message, code, error: error instanceof Error ? error.message : String(error) }));
  }
}

function batchesByQueue(messages: readonly QueuedMessage[]): QueuedMessage[][] {
  const byQueue = new Map<string, QueuedMessage[]>();
  for (const message of messages) {
    const queued = byQueue.get(message.queueUrl);
    if (queued) queued.push(message);
    else byQueue.set(message.queueUrl, [message]);
  }
  const batches: QueuedMessage[][] = [];
  for (const queued of byQueue.values()) for (let at = 0; at < queued.length; at += BATCH_SIZE) batches.push(queued.slice(at, at + BATCH_SIZE));
  return batches;
}
