import { FirehoseClient, PutRecordBatchCommand, type FirehoseClientConfig } from '@aws-sdk/client-firehose';
import type { EcsDocument } from '../ecs/document';
import { systemClock, type Clock } from '../lib/clock';
import { DeliveryError } from '../lib/errors';
import { silentLog, type Log } from '../lib/logger';
import { retry } from '../lib/retry';
import type { Encoder } from './encoders/encoder';
import { ndjsonEncoder } from './encoders/ndjson';
import { pack, packCalls, type PackedCall, type PackedRecord } from './pack';
import type { DeliveryReport, Sink } from '../core/ports/sink';

export interface FirehoseSinkOptions {
  deliveryStreamName: string;
  /** Should be built with `maxAttempts: 1` (see createFirehoseClient). */
  client?: FirehoseClient;
  clock?: Clock;
  log?: Log;
  /** Attempts per PutRecordBatch call, the first included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
  /** The destination's record format (see encoderFor); NDJSON for S3 by default. */
  encoder?: Encoder;
  /** One document per Firehose record even where the format could pack several. */
  onePerRecord?: boolean;
}

/**
 * A Firehose client whose SDK-level retries are off. The sink retries only the
 * records Firehose reports as failed; SDK retries would stack on top of that
 * (attempts multiply, delays become unpredictable) and would resend a whole
 * batch where one record failed. Timeouts keep a hung call from eating the
 * Lambda's remaining time; the sink's own retry takes over.
 */
export function createFirehoseClient(config: FirehoseClientConfig = {}): FirehoseClient {
  return new FirehoseClient({
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
    ...config,
  });
}

// Firehose signals throughput exceeded as ServiceUnavailableException (503); the rest are AWS-wide.
const TRANSIENT = new Set(['ServiceUnavailableException', 'ThrottlingException', 'Throttling', 'SlowDown',
  'TooManyRequestsException', 'InternalFailure', 'InternalServerError', 'TimeoutError', 'RequestTimeout',
  'RequestTimeoutException']);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

interface SdkLikeError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/** Throttling, 5xx and network failures may pass; anything else (bad stream, bad input, auth) will not. */
export function isRetryableFirehoseError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as SdkLikeError;
  const status = e.$metadata?.httpStatusCode ?? 0;
  return (
    TRANSIENT.has(e.name ?? '') || NETWORK.has(e.code ?? '') || e.$retryable !== undefined || status === 429 || status >= 500
  );
}

const errorCode = (error: unknown): string =>
  (typeof error === 'object' && error !== null && ((error as SdkLikeError).name || (error as SdkLikeError).code)) || 'UnknownError';

/** Some records of a call were not acknowledged; thrown so `retry` sends again. */
class PartialFailure extends Error {
  constructor(
    readonly codes: Record<string, number>,
    readonly requestId: string | undefined,
  ) {
    super('some records were not acknowledged');
  }
}

/** The AWS request id of a failed SDK call, or of the last partly failed PutRecordBatch: what AWS support asks for. */
const requestIdOf = (error: unknown): string | undefined =>
  error instanceof PartialFailure ? error.requestId : (error as { $metadata?: { requestId?: string } } | null)?.$metadata?.requestId;

const documentsIn = (records: readonly PackedRecord[]) => records.reduce((n, r) => n + r.count, 0);

/** Delivers documents as records in the encoder's format through PutRecordBatch, retrying only what failed. */
export class FirehoseSink implements Sink {
  readonly name: string;
  readonly encoder: Encoder;
  private readonly client: FirehoseClient;
  private readonly ownsClient: boolean;
  private readonly clock: Clock;
  private readonly log: Log;

  constructor(private readonly options: FirehoseSinkOptions) {
    this.name = `firehose:${options.deliveryStreamName}`;
    this.client = options.client ?? createFirehoseClient();
    this.ownsClient = !options.client;
    this.clock = options.clock ?? systemClock;
    this.log = options.log ?? silentLog;
    this.encoder = options.encoder ?? ndjsonEncoder;
  }

  async deliver(documents: EcsDocument[]): Promise<DeliveryReport> {
    // Encode everything first: a document that cannot fit fails the batch before anything is sent.
    // Formats the destination reads one event per record from (Elastic) are never packed.
    const encoded = documents.map((d) => this.encoder.encode(d));
    const calls = pack(encoded, {
      onePerRecord: this.options.onePerRecord || !this.encoder.packable,
      maxEventsPerRecord: this.encoder.maxEventsPerRecord,
    });
    const report: DeliveryReport = { delivered: 0, records: 0, retries: 0 };
    for (const [i, call] of calls.entries()) {
      // On failure later calls are not attempted: the caller will not checkpoint, so they would only repeat.
      const unsent = documentsIn(calls.slice(i + 1).flatMap((c) => c.records));
      report.retries += await this.send(call, unsent);
      report.records += call.records.length;
      report.delivered += documentsIn(call.records);
    }
    return report;
  }

  /**
   * Sends records exactly as given (one Firehose record each, bytes untouched), in calls within
   * the limits, with the same retry of unacknowledged records; for replaying backed-up records.
   */
  async putRecords(records: readonly Buffer[]): Promise<DeliveryReport> {
    const calls = packCalls(records.map((data, i) => ({ data, first: i, count: 1 })));
    const report: DeliveryReport = { delivered: 0, records: 0, retries: 0 };
    for (const [i, call] of calls.entries()) {
      report.retries += await this.send(call, documentsIn(calls.slice(i + 1).flatMap((c) => c.records)));
      report.records += call.records.length;
      report.delivered += call.records.length;
    }
    return report;
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.destroy();
  }

  /** Send one call until every record is acknowledged; resolves with the number of resends. */
  private async send(call: PackedCall, unsent: number): Promise<number> {
    let pending = call.records;
    let retries = 0;
    try {
      await retry(
        async () => {
          const result = await this.putOnce(pending);
          pending = result.pending;
          if (pending.length > 0) throw new PartialFailure(result.codes, result.requestId);
        },
        {
          attempts: this.options.maxAttempts ?? 6,
          baseDelayMs: this.options.baseDelayMs ?? 200,
          maxDelayMs: this.options.maxDelayMs ?? 5_000,
          clock: this.clock,
          random: this.options.random,
          isRetryable: (error) => error instanceof PartialFailure || isRetryableFirehoseError(error),
          onRetry: (error, attempt, delayMs) => {
            retries++;
            // Counts and codes only: record contents never reach the log.
            this.log.warn('firehose: retrying unacknowledged records', {
              stream: this.options.deliveryStreamName,
              attempt,
              delayMs,
              records: pending.length,
              errors: error instanceof PartialFailure ? error.codes : errorCode(error),
            });
          },
        },
      );
    } catch (error) {
      const failures = error instanceof PartialFailure ? { ...error.codes } : { [errorCode(error)]: documentsIn(pending) };
      if (unsent > 0) failures.NotSent = unsent;
      const failed = Object.values(failures).reduce((a, b) => a + b, 0);
      this.log.error('firehose: records not acknowledged', { stream: this.options.deliveryStreamName, failures });
      const deliveryError = new DeliveryError(this.name, failed, failures, requestIdOf(error));
      if (!(error instanceof PartialFailure)) deliveryError.cause = error;
      throw deliveryError;
    }
    return retries;
  }

  /** One PutRecordBatch; returns the records still unacknowledged, with document counts per ErrorCode. */
  private async putOnce(records: PackedRecord[]): Promise<{ pending: PackedRecord[]; codes: Record<string, number>; requestId?: string }> {
    const output = await this.client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: this.options.deliveryStreamName,
        Records: records.map((r) => ({ Data: r.data })),
      }),
    );
    const responses = output.RequestResponses ?? [];
    const failedEntries = responses.filter((r) => r.ErrorCode).length;
    // Entries line up with the request by index. If they do not, or FailedPutCount disagrees
    // with them, resend all: a duplicate is safe (stable ids), a loss is not.
    const consistent = responses.length === records.length && failedEntries === (output.FailedPutCount ?? 0);
    const codes: Record<string, number> = {};
    const pending = records.filter((record, i) => {
      const code = consistent ? responses[i]?.ErrorCode : 'InconsistentResponse';
      if (code) codes[code] = (codes[code] ?? 0) + record.count;
      return Boolean(code);
    });
    return { pending, codes, requestId: output.$metadata.requestId };
  }
}
