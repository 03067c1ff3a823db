import { Client, errors } from '@elastic/elasticsearch';
import { systemClock, type Clock } from '../lib/clock';
import { DeliveryError } from '../lib/errors';
import { silentLog, type Log } from '../lib/logger';
import { retry } from '../lib/retry';
import { datasetOf, type EcsDocument } from '../ecs/document';
import { elasticEncoder } from './encoders/elastic';
import type { DeliveryReport, Sink } from '../core/ports/sink';

/** Elastic suggests bulk requests of a few MB; far under `http.max_content_length` (100 MB). */
export const ES_MAX_BATCH_BYTES = 5 * 1024 * 1024;
export const ES_MAX_BATCH_DOCUMENTS = 1_000;

export interface ElasticsearchSinkOptions {
  /** Elasticsearch URL, e.g. https://my-deployment.es.eu-west-1.aws.elastic.cloud */
  node: string;
  /** API key, encoded form. Never logged, never in an error. */
  apiKey: string;
  /** Data streams are logs-cloudtap.<source>-<namespace>. */
  namespace?: string;
  /** Built by createElasticsearchClient when absent. */
  client?: Client;
  maxBatchBytes?: number;
  maxBatchDocuments?: number;
  /** Attempts per bulk batch, the first included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
  requestTimeoutMs?: number;
  clock?: Clock;
  log?: Log;
}

/**
 * The client's own retries are off (`maxRetries: 0`): it resends on 502/503/504 and
 * connection errors at once, with no backoff, and never on 429, while the sink must retry
 * single bulk items anyway. One loop with jittered backoff then covers both, and every
 * resend is counted and logged. A resent request is harmless: `create` with `_id` makes a
 * document already stored a 409. Redaction `remove` keeps headers out of error objects.
 */
export function createElasticsearchClient(options: { node: string; apiKey: string; requestTimeoutMs?: number }): Client {
  return new Client({
    node: options.node,
    auth: { apiKey: options.apiKey },
    maxRetries: 0,
    requestTimeout: options.requestTimeoutMs ?? 60_000,
    compression: true,
    redaction: { type: 'remove' },
  });
}

/** `logs-cloudtap.<source>-<namespace>`, e.g. logs-cloudtap.acme_audit-default. */
export function dataStreamFor(document: EcsDocument, namespace = 'default'): string {
  const dataset = document.event.dataset ?? datasetOf(document.cloudtap.source_type);
  // Data stream names are lowercase, and `-` separates type, dataset and namespace.
  const source = dataset.replace(/^cloudtap\./, '').toLowerCase().replace(/[^a-z0-9_.]/g, '_');
  return `logs-cloudtap.${source}-${namespace}`;
}

interface Item {
  id: string;
  index: string;
  source: string;
  bytes: number;
}

interface ItemFailure {
  id: string;
  status: number;
  type: string;
  reason: string;
}

/** Some items were refused for a reason that may pass (429, 5xx, rejected execution); thrown so `retry` sends those again. */
class PartialFailure extends Error {
  constructor(readonly codes: Record<string, number>) {
    super('some bulk items were not stored');
  }
}

/** Items Elasticsearch will refuse however often they are sent: mapping errors and the like. */
class ItemsRefused extends Error {
  constructor(readonly failures: ItemFailure[]) {
    super(failures.slice(0, 5).map((f) => `event ${f.id}: ${f.status} ${f.type}: ${f.reason}`).join('; ') + (failures.length > 5 ? `; and ${failures.length - 5} more` : ''));
  }
}

const retryableItem = (status: number, type: string) => status === 429 || status >= 500 || type === 'es_rejected_execution_exception';

/** Request-level failures that may pass: throttling, 5xx, network faults, timeouts. */
export function isRetryableElasticsearchError(error: unknown): boolean {
  if (error instanceof errors.ResponseError) return error.statusCode === 429 || (error.statusCode ?? 0) >= 500;
  return error instanceof errors.ConnectionError || error instanceof errors.TimeoutError || error instanceof errors.NoLivingConnectionsError;
}

function describe(error: unknown): { code: string; detail: string } {
  if (error instanceof errors.ResponseError) {
    const cause = (error.body as { error?: { type?: string; reason?: string } } | undefined)?.error;
    const type = cause?.type ?? 'error';
    return { code: `HTTP ${error.statusCode ?? '?'} ${type}`, detail: `Elasticsearch answered HTTP ${error.statusCode ?? '?'} ${type}: ${cause?.reason ?? ''}`.trim() };
  }
  if (error instanceof errors.ProductNotSupportedError) {
    return { code: 'ProductNotSupported', detail: 'the server is not Elasticsearch (no x-elastic-product: Elasticsearch header)' };
  }
  if (error instanceof errors.ElasticsearchClientError) return { code: error.name, detail: error.message };
  return { code: 'UnknownError', detail: error instanceof Error ? error.message : String(error) };
}

/**
 * Delivers documents through `_bulk` with `create` actions into data streams, `_id` =
 * `event.id`: a redelivery after a crash is a 409, which counts as delivered, so nothing
 * is doubled. Only the items that failed for a transient reason are sent again.
 */
export class ElasticsearchSink implements Sink {
  readonly name: string;
  private readonly client: Client;
  private readonly ownsClient: boolean;
  private readonly clock: Clock;
  private readonly log: Log;

  constructor(private readonly options: ElasticsearchSinkOptions) {
    this.name = `elasticsearch:${new URL(options.node).origin}`;
    this.client = options.client ?? createElasticsearchClient(options);
    this.ownsClient = !options.client;
    this.clock = options.clock ?? systemClock;
    this.log = options.log ?? silentLog;
  }

  async deliver(documents: EcsDocument[]): Promise<DeliveryReport> {
    const items = documents.map((document): Item => {
      const source = elasticEncoder.encode(document).toString('utf8').replace(/\n+$/, '');
      const index = dataStreamFor(document, this.options.namespace);
      return { id: document.event.id, index, source, bytes: Buffer.byteLength(source) + index.length + document.event.id.length + 40 };
    });
    const batches = this.batch(items);
    const report: DeliveryReport = { delivered: 0, records: batches.length, retries: 0 };
    for (const [i, batch] of batches.entries()) {
      const unsent = batches.slice(i + 1).reduce((n, b) => n + b.length, 0);
      report.retries += await this.send(batch, unsent);
      report.delivered += batch.length;
    }
    return report;
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.client.close();
  }

  private batch(items: Item[]): Item[][] {
    const maxBytes = this.options.maxBatchBytes ?? ES_MAX_BATCH_BYTES;
    const maxDocuments = this.options.maxBatchDocuments ?? ES_MAX_BATCH_DOCUMENTS;
    const batches: Item[][] = [];
    let current: Item[] = [];
    let bytes = 0;
    for (const item of items) {
      if (current.length >= maxDocuments || (current.length > 0 && bytes + item.bytes > maxBytes)) {
        batches.push(current);
        current = [];
        bytes = 0;
      }
      current.push(item);
      bytes += item.bytes;
    }
    if (current.length > 0) batches.push(current);
    return batches;
  }

  /** Bulk one batch until every item is stored (or already was); resolves with the number of resends. */
  private async send(batch: Item[], unsent: number): Promise<number> {
    let pending = batch;
    let retries = 0;
    try {
      await retry(
        async () => {
          const result = await this.bulkOnce(pending);
          pending = result.again;
          // Retrying cannot fix a mapping error; stop at once and name the events.
          if (result.refused.length > 0) throw new ItemsRefused(result.refused);
          if (pending.length > 0) throw new PartialFailure(result.codes);
        },
        {
          attempts: this.options.maxAttempts ?? 6,
          baseDelayMs: this.options.baseDelayMs ?? 500,
          maxDelayMs: this.options.maxDelayMs ?? 10_000,
          clock: this.clock,
          random: this.options.random,
          isRetryable: (error) => error instanceof PartialFailure || isRetryableElasticsearchError(error),
          onRetry: (error, attempt, delayMs) => {
            retries++;
            // Counts and error types only: documents and the API key never reach the log.
            const errors = error instanceof PartialFailure ? error.codes : describe(error).code;
            this.log.warn('elasticsearch: retrying bulk items', { node: this.name, attempt, delayMs, items: pending.length, errors });
          },
        },
      );
    } catch (error) {
      let failures: Record<string, number>;
      let detail: string | undefined;
      if (error instanceof PartialFailure) failures = { ...error.codes };
      else if (error instanceof ItemsRefused) {
        failures = {};
        for (const f of error.failures) failures[f.type] = (failures[f.type] ?? 0) + 1;
        detail = error.message;
        if (pending.length > 0) failures.NotRetried = pending.length;
      } else {
        const { code, detail: text } = describe(error);
        failures = { [code]: pending.length };
        detail = text;
      }
      if (unsent > 0) failures.NotSent = unsent;
      const failed = Object.values(failures).reduce((a, b) => a + b, 0);
      this.log.error('elasticsearch: documents not stored', { node: this.name, failures });
      const deliveryError = new DeliveryError(this.name, failed, failures);
      if (detail) deliveryError.message += `; ${detail}`;
      if (!(error instanceof PartialFailure || error instanceof ItemsRefused)) deliveryError.cause = error;
      throw deliveryError;
    }
    return retries;
  }

  /** One `_bulk`: the items to send again, with their error types, and the items refused for good. */
  private async bulkOnce(items: Item[]): Promise<{ again: Item[]; codes: Record<string, number>; refused: ItemFailure[] }> {
    const operations: unknown[] = items.flatMap((item) => [{ create: { _index: item.index, _id: item.id } }, item.source]);
    const response = await this.client.bulk({ operations, require_data_stream: true, include_source_on_error: false });
    const results = response.items ?? [];
    // Items line up with the request by position. If they do not, resend all: a 409 is safe, a loss is not.
    if (results.length !== items.length) return { again: items, codes: { InconsistentResponse: items.length }, refused: [] };
    const codes: Record<string, number> = {};
    const again: Item[] = [];
    const refused: ItemFailure[] = [];
    results.forEach((result, i) => {
      const item = items[i]!;
      const outcome = result.create ?? Object.values(result)[0];
      const status = outcome?.status ?? 0;
      // 409: stored by an earlier delivery under the same _id, so nothing is doubled.
      if ((status >= 200 && status < 300) || status === 409) return;
      const type = outcome?.error?.type ?? `HTTP ${status}`;
      if (retryableItem(status, type)) {
        codes[type] = (codes[type] ?? 0) + 1;
        again.push(item);
      } else {
        const cause = outcome?.error?.caused_by?.reason;
        refused.push({ id: item.id, status, type, reason: `${outcome?.error?.reason ?? ''}${cause ? ` (${cause})` : ''}` });
      }
    });
    return { again, codes, refused };
  }
}
