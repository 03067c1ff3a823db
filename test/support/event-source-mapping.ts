/**
 * What an AWS Lambda event source mapping does with a standard SQS queue, for
 * tests: it long-polls the queue through the real SQS client, invokes a
 * handler with records shaped as Lambda delivers them, never runs more
 * invocations at once than MaximumConcurrency, deletes the records that
 * succeeded (honouring `batchItemFailures` when ReportBatchItemFailures is on)
 * and leaves failed ones to reappear after their visibility timeout (and, with
 * a redrive policy, to reach the dead-letter queue).
 *
 * Success and failure follow the Lambda developer guide ("Using Lambda with
 * Amazon SQS"): a thrown error fails the whole batch; with
 * ReportBatchItemFailures an empty or missing `batchItemFailures` is full
 * success, and an `itemIdentifier` that is empty or not in the batch fails the
 * whole batch.
 *
 * Differences from Lambda:
 * - A function timeout cannot kill the handler: an invocation running past
 *   `timeoutMs` counts as failed and its slot is freed, but its promise is
 *   abandoned and keeps running in this process (its late side effects still
 *   happen; Lambda would have stopped the process).
 * - One ReceiveMessage per invocation, so batch sizes are 1–10 (Lambda's
 *   larger batches need a batching window, not emulated). Pollers do not
 *   scale with queue depth; `pollers` receive in parallel, each only when an
 *   invocation slot is free.
 */
import { randomUUID } from 'node:crypto';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface EventSourceMappingOptions {
  client: SQSClient;
  queueUrl: string;
  queueArn: string;
  handler: SqsHandler;
  /** Records per invocation, 1–10 (default 10). */
  batchSize?: number;
  /** Invocations at once, 2–1000 as Lambda documents (default 1000, Lambda's upper bound). */
  maximumConcurrency?: number;
  reportBatchItemFailures?: boolean;
  /** The function timeout, in real milliseconds; an invocation still running after it counts as failed. */
  timeoutMs: number;
  functionName?: string;
  awsRegion?: string;
  /** Parallel receive loops (default min(maximumConcurrency, 5)). */
  pollers?: number;
  /** Long-poll wait per receive, 0–20 s (default 20, as Lambda polls). */
  waitTimeSeconds?: number;
  /** Clock for `getRemainingTimeInMillis` and recorded times (default Date.now). */
  now?: () => number;
}

export type InvocationOutcome = 'success' | 'partial' | 'error' | 'timeout';

/** One handler invocation, for assertions. */
export interface Invocation {
  requestId: string;
  messageIds: string[];
  start: number;
  end?: number;
  outcome?: InvocationOutcome;
  /** Message ids that count as failed (left on the queue). */
  failed: string[];
  error?: unknown;
  /** DeleteMessageBatch failed (the records reappear, as with Lambda). */
  deleteError?: unknown;
}

export interface EventSourceMapping {
  invocations: Invocation[];
  /** The most invocations that ran at once. */
  readonly maxConcurrent: number;
  /** Resolves once `count` invocations have finished (or rejects after `timeoutMs` real ms). */
  waitForInvocations(count: number, timeoutMs?: number): Promise<void>;
  /** Stop polling, abandon pending receives and wait for running invocations to finish or time out. */
  stop(): Promise<void>;
}

function checkOptions(options: EventSourceMappingOptions) {
  const batchSize = options.batchSize ?? 10;
  const maximumConcurrency = options.maximumConcurrency ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) {
    throw new Error(`event source mapping: batchSize must be an integer 1–10 (one ReceiveMessage per invocation), got ${batchSize}`);
  }
  if (!Number.isInteger(maximumConcurrency) || maximumConcurrency < 2 || maximumConcurrency > 1000) {
    throw new Error(`event source mapping: maximumConcurrency must be an integer 2–1000 (Lambda's ScalingConfig range), got ${maximumConcurrency}`);
  }
  return { batchSize, maximumConcurrency };
}

export function toSqsRecord(message: Message, queueArn: string, awsRegion: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '',
      SentTimestamp: attributes.SentTimestamp ?? '',
      SenderId: attributes.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '',
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion,
  };
}

/** The ids that failed, or `all` when the response fails the whole batch. */
function failedIds(response: SQSBatchResponse | void, batch: string[], reportBatchItemFailures: boolean): string[] {
  if (!reportBatchItemFailures || !response || !Array.isArray(response.batchItemFailures)) return [];
  const ids = response.batchItemFailures.map((f) => f?.itemIdentifier);
  if (ids.some((id) => typeof id !== 'string' || id === '' || !batch.includes(id))) return batch;
  return batch.filter((id) => ids.includes(id));
}

export function startEventSourceMapping(options: EventSourceMappingOptions): EventSourceMapping {
  const { batchSize, maximumConcurrency } = checkOptions(options);
  const now = options.now ?? Date.now;
  const region = options.awsRegion ?? 'us-east-1';
  const functionName = options.functionName ?? 'function';
  const invocations: Invocation[] = [];
  const running = new Set<Promise<void>>();
  const stopping = new AbortController();
  /** Pollers in a ReceiveMessage: each holds a slot, so parallel pollers cannot overshoot the cap. */
  let receiving = 0;
  let handlersRunning = 0;
  let maxConcurrent = 0;
  let finished = 0;
  const slotWaiters = new Set<() => void>();
  const finishListeners = new Set<() => void>();
  const wakeAll = (listeners: Set<() => void>) => {
    for (const listener of [...listeners]) listener();
  };

  const context = (requestId: string, deadline: number): Context => ({
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:123456789012:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${requestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  });

  async function invoke(messages: Message[]): Promise<void> {
    const records = messages.map((m) => toSqsRecord(m, options.queueArn, region));
    const batch = records.map((r) => r.messageId);
    const invocation: Invocation = { requestId: randomUUID(), messageIds: batch, start: now(), failed: [] };
    invocations.push(invocation);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), options.timeoutMs)));
    handlersRunning += 1;
    maxConcurrent = Math.max(maxConcurrent, handlersRunning);
    try {
      const handled = options.handler({ Records: records }, context(invocation.requestId, invocation.start + options.timeoutMs));
      const result = await Promise.race([handled, timedOut]);
      if (result === 'timeout') {
        invocation.outcome = 'timeout';
        invocation.failed = batch;
        handled.catch(() => {}); // abandoned: a later rejection must not surface as unhandled
      } else {
        invocation.failed = failedIds(result, batch, options.reportBatchItemFailures ?? false);
        invocation.outcome = invocation.failed.length === 0 ? 'success' : 'partial';
      }
    } catch (error) {
      invocation.outcome = 'error';
      invocation.error = error;
      invocation.failed = batch;
    } finally {
      clearTimeout(timer);
      handlersRunning -= 1;
    }
    invocation.end = now();
    const done = records.filter((r) => !invocation.failed.includes(r.messageId));
    if (done.length === 0) return;
    try {
      const out = await options.client.send(
        new DeleteMessageBatchCommand({ QueueUrl: options.queueUrl, Entries: done.map((r, i) => ({ Id: `r${i}`, ReceiptHandle: r.receiptHandle })) }),
      );
      if (out.Failed?.length) invocation.deleteError = out.Failed;
    } catch (error) {
      invocation.deleteError = error;
    }
  }

  function launch(messages: Message[]) {
    const task = invoke(messages).finally(() => {
      running.delete(task);
      finished += 1;
      wakeAll(slotWaiters);
      wakeAll(finishListeners);
    });
    running.add(task);
  }

  async function poll(): Promise<void> {
    while (!stopping.signal.aborted) {
      if (running.size + receiving >= maximumConcurrency) {
        await new Promise<void>((resolve) => {
          const wake = () => {
            slotWaiters.delete(wake);
            resolve();
          };
          slotWaiters.add(wake);
        });
        continue;
      }
      receiving += 1;
      let messages: Message[] = [];
      try {
        const out = await options.client.send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: batchSize,
            WaitTimeSeconds: options.waitTimeSeconds ?? 20,
            MessageSystemAttributeNames: ['All'],
          }),
          { abortSignal: stopping.signal },
        );
        messages = out.Messages ?? [];
      } catch {
        if (!stopping.signal.aborted) await new Promise((r) => setTimeout(r, 100));
      } finally {
        receiving -= 1;
      }
      if (messages.length > 0) launch(messages);
      else wakeAll(slotWaiters);
    }
  }

  const pollers = Array.from({ length: options.pollers ?? Math.min(maximumConcurrency, 5) }, () => poll());

  return {
    invocations,
    get maxConcurrent() {
      return maxConcurrent;
    },
    waitForInvocations(count, timeoutMs = 30_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (finished < count) return;
          clearTimeout(timer);
          finishListeners.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          finishListeners.delete(check);
          reject(new Error(`event source mapping: ${finished} of ${count} invocations finished within ${timeoutMs} ms`));
        }, timeoutMs);
        finishListeners.add(check);
        check();
      });
    },
    async stop() {
      stopping.abort();
      wakeAll(slotWaiters);
      await Promise.all(pollers);
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}
