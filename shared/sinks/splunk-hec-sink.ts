import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../lib/clock';
import { DeliveryError } from '../lib/errors';
import { silentLog, type Log } from '../lib/logger';
import { retry } from '../lib/retry';
import type { EcsDocument } from '../ecs/document';
import type { Encoder } from './encoders/encoder';
import { createSplunkHecEncoder, type SourcetypeOf } from './encoders/splunk-hec';
import type { DeliveryReport, Sink } from '../core/ports/sink';
import { failureCode, hecError, HecResponseError, networkDetail, readJson } from './splunk-hec-response';

export { HecResponseError } from './splunk-hec-response';

/**
 * HEC refuses a request over `limits.conf [http_input] max_content_length` with 413. That
 * was 1,000,000 bytes before Splunk 6.5 and is what Splunk Cloud documents; Enterprise 6.5+
 * ships 800 MiB. 1 MB therefore fits every Splunk.
 */
export const HEC_MAX_CONTENT_BYTES = 1_000_000;
export const HEC_MAX_BATCH_EVENTS = 1_000;

export interface SplunkHecSinkOptions {
  /** Base URL of the HEC, e.g. https://splunk.example.com:8088 */
  url: string;
  /** The HEC token. Never logged, never in an error. */
  token: string;
  index?: string;
  /** The sourcetype each event gets, from its source type. */
  sourcetypeOf: SourcetypeOf;
  /** Wait for indexer acknowledgement. Turned on by itself when the token demands a channel (code 10). */
  ack?: boolean;
  maxBatchBytes?: number;
  maxBatchEvents?: number;
  /** Attempts per POST, the first included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
  /** Resend a batch whose ackId is still false after this long (Splunk suggests minutes). */
  ackTimeoutMs?: number;
  /** First wait between ack polls (default 500 ms); doubles up to 10 s. */
  ackPollMs?: number;
  /** Rounds of resending unacknowledged batches before giving up. */
  maxAckRounds?: number;
  requestTimeoutMs?: number;
  clock?: Clock;
  log?: Log;
}

interface Batch {
  body: Buffer;
  ids: string[];
}

/** Build the error the caller sees; `detail` says what Splunk answered. */
function deliveryError(name: string, failed: number, failures: Record<string, number>, detail?: string, cause?: unknown): DeliveryError {
  const error = new DeliveryError(name, failed, failures);
  if (detail) error.message += `; ${detail}`;
  if (cause !== undefined) error.cause = cause;
  return error;
}

/**
 * Delivers documents as concatenated HEC events to `/services/collector/event`, in batches
 * bounded in bytes and count. With indexer acknowledgement, every batch's ackId is polled
 * on `/services/collector/ack` until true; a batch not acknowledged in time is resent
 * (HEC acks are at-least-once; event ids are stable, so Splunk sees the same events again).
 */
export class SplunkHecSink implements Sink {
  readonly name: string;
  private readonly base: string;
  private readonly encoder: Encoder;
  private readonly clock: Clock;
  private readonly log: Log;
  private readonly channel = randomUUID();
  private useAck: boolean;

  constructor(private readonly options: SplunkHecSinkOptions) {
    const url = new URL(options.url);
    this.base = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
    this.name = `splunk-hec:${url.origin}`;
    this.encoder = createSplunkHecEncoder({ sourcetypeOf: options.sourcetypeOf, index: options.index });
    this.clock = options.clock ?? systemClock;
    this.log = options.log ?? silentLog;
    this.useAck = options.ack ?? false;
  }

  async deliver(documents: EcsDocument[]): Promise<DeliveryReport> {
    const batches = this.batch(documents);
    const report: DeliveryReport = { delivered: 0, records: batches.length, retries: 0 };
    const count = (list: readonly Batch[]) => list.reduce((n, b) => n + b.ids.length, 0);
    let outstanding: { batch: Batch; ackId: number }[] = [];
    /** Post batches in order; with acks on they wait below, without they are delivered on the 200. */
    const postAll = async (list: Batch[]) => {
      for (const [i, batch] of list.entries()) {
        // On failure later batches are not sent: the caller will not checkpoint, so they would only repeat.
        const ackId = await this.post(batch, report, count(list.slice(i + 1)));
        if (ackId === undefined) report.delivered += batch.ids.length;
        else outstanding.push({ batch, ackId });
      }
    };
    await postAll(batches);
    for (let round = 1; outstanding.length > 0; round++) {
      const late = await this.awaitAcks(outstanding);
      report.delivered += count(outstanding.map((o) => o.batch)) - count(late);
      outstanding = [];
      if (late.length === 0) break;
      const lateEvents = count(late);
      if (round >= (this.options.maxAckRounds ?? 3)) {
        this.log.error('splunk-hec: events not acknowledged by the indexers', { hec: this.name, events: lateEvents });
        throw deliveryError(this.name, lateEvents, { AckTimeout: lateEvents }, 'indexer acknowledgement did not arrive in time');
      }
      this.log.warn('splunk-hec: resending batches the indexers did not acknowledge', { hec: this.name, batches: late.length, events: lateEvents, round });
      report.retries += late.length;
      await postAll(late);
    }
    return report;
  }

  /** Whole encoded events, in order; an event larger than the byte bound travels alone. */
  private batch(documents: EcsDocument[]): Batch[] {
    const maxBytes = this.options.maxBatchBytes ?? HEC_MAX_CONTENT_BYTES;
    const maxEvents = this.options.maxBatchEvents ?? HEC_MAX_BATCH_EVENTS;
    const batches: Batch[] = [];
    let parts: Buffer[] = [];
    let ids: string[] = [];
    let bytes = 0;
    const flush = () => {
      if (parts.length > 0) batches.push({ body: Buffer.concat(parts, bytes), ids });
      parts = [];
      ids = [];
      bytes = 0;
    };
    for (const document of documents) {
      const event = this.encoder.encode(document);
      if (parts.length >= maxEvents || (parts.length > 0 && bytes + event.length > maxBytes)) flush();
      parts.push(event);
      ids.push(document.event.id);
      bytes += event.length;
    }
    flush();
    return batches;
  }

  /** POST one batch until HEC accepts it; resolves with its ackId when acknowledgement is on. */
  private async post(batch: Batch, report: DeliveryReport, unsent: number): Promise<number | undefined> {
    try {
      return await retry(() => this.postOnce(batch), {
        attempts: this.options.maxAttempts ?? 6,
        baseDelayMs: this.options.baseDelayMs ?? 500,
        maxDelayMs: this.options.maxDelayMs ?? 10_000,
        clock: this.clock,
        random: this.options.random,
        isRetryable: (error) => !(error instanceof HecResponseError) || error.retryable,
        onRetry: (error, attempt, delayMs) => {
          report.retries += 1;
          // Status and Splunk's code only: neither the token nor event contents reach the log.
          this.log.warn('splunk-hec: retrying batch', { hec: this.name, attempt, delayMs, events: batch.ids.length, error: failureCode(error) });
        },
      });
    } catch (error) {
      const failures: Record<string, number> = { [failureCode(error)]: batch.ids.length };
      if (unsent > 0) failures.NotSent = unsent;
      const failed = batch.ids.length + unsent;
      let detail = networkDetail(error);
      if (error instanceof HecResponseError && error.invalidEvent !== undefined) {
        detail += ` (event ${batch.ids[error.invalidEvent] ?? `#${error.invalidEvent}`})`;
      }
      this.log.error('splunk-hec: batch not accepted', { hec: this.name, failures, error: failureCode(error) });
      throw deliveryError(this.name, failed, failures, detail, error instanceof HecResponseError ? undefined : error);
    }
  }

  private async postOnce(batch: Batch): Promise<number | undefined> {
    const response = await this.request('/services/collector/event', batch.body);
    const body = await readJson(response);
    if (!response.ok) {
      const error = hecError(this.base, response.status, body);
      // A token with indexer acknowledgement requires a channel: nothing was accepted, so switch and resend.
      if (error.code === 10 && !this.useAck) {
        this.log.info('splunk-hec: the token requires indexer acknowledgement; waiting for acks from now on', { hec: this.name });
        this.useAck = true;
        return this.postOnce(batch);
      }
      throw error;
    }
    if (!this.useAck) return undefined;
    const ackId = (body as { ackId?: unknown } | undefined)?.ackId;
    if (typeof ackId === 'number') return ackId;
    // Accepted, but the token does not do acknowledgement: as good as an ack-less HEC gets.
    this.log.warn('splunk-hec: ack is on but the token returned no ackId; enable indexer acknowledgement on the token', { hec: this.name });
    this.useAck = false;
    return undefined;
  }

  /** Poll until every ackId is true or the timeout passes; returns the batches still unacknowledged. */
  private async awaitAcks(outstanding: { batch: Batch; ackId: number }[]): Promise<Batch[]> {
    const waiting = new Map(outstanding.map((o) => [o.ackId, o.batch]));
    const deadline = this.clock.now() + (this.options.ackTimeoutMs ?? 180_000);
    let delay = this.options.ackPollMs ?? 500;
    while (waiting.size > 0 && this.clock.now() < deadline) {
      await this.clock.sleep(Math.min(delay, Math.max(0, deadline - this.clock.now())));
      delay = Math.min(delay * 2, 10_000);
      const acks = await this.pollAcks([...waiting.keys()], [...waiting.values()].reduce((n, b) => n + b.ids.length, 0));
      for (const [id, done] of Object.entries(acks)) if (done === true) waiting.delete(Number(id));
    }
    return [...waiting.values()];
  }

  /** One poll: ackId -> true once indexed. Network faults and 5xx are polled through; a refusal (bad token) fails the `events`. */
  private async pollAcks(ids: number[], events: number): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await this.request(`/services/collector/ack?channel=${this.channel}`, Buffer.from(JSON.stringify({ acks: ids })));
    } catch (error) {
      this.log.debug('splunk-hec: ack poll failed; polling again', { hec: this.name, error: failureCode(error) });
      return {};
    }
    const body = await readJson(response);
    if (response.ok) return ((body as { acks?: Record<string, unknown> } | undefined)?.acks ?? {}) as Record<string, unknown>;
    const error = hecError(this.base, response.status, body);
    if (error.retryable) return {};
    throw deliveryError(this.name, events, { [failureCode(error)]: events }, `ack poll refused: ${error.message}`);
  }

  private request(path: string, body: Buffer): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Splunk ${this.options.token}`, 'content-type': 'application/json' };
    if (this.useAck) headers['x-splunk-request-channel'] = this.channel;
    return fetch(`${this.base}${path}`, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 30_000),
    });
  }
}
