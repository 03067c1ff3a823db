import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { Alert } from '../core/ports/detection';
import { describeAwsError, isTransientAwsError } from './aws-errors';
import { alertPayload, fitPayload } from './payload';
import type { Notifier, NotifyFailure } from './types';

/**
 * Alerts as EventBridge events (Source `cloudtap`, DetailType `cloudtap
 * alert`, Detail = the alert JSON without `event.original`), for rules that
 * route them to chat, paging or ticketing. PutEvents takes 10 entries and
 * 256 KB a call and can fail single entries: only those are reported failed,
 * so the router retries just them.
 */
export interface EventBridgeNotifierOptions {
  /** Name or ARN; default the account's `default` bus. */
  eventBusName?: string;
  /** Default: a client with SDK retries off (the router retries) and a 5 s request timeout. */
  client?: EventBridgeClient;
  source?: string;
}

export const ALERT_SOURCE = 'cloudtap';
export const ALERT_DETAIL_TYPE = 'cloudtap alert';
/** PutEvents' limit on one entry and on a whole call, counted as EventBridge counts. */
export const MAX_PUT_EVENTS_BYTES = 256 * 1024;
const MAX_ENTRIES = 10;
// Entry errors worth another try; the rest (MalformedDetail, InvalidArgument, not found, not authorized) are not.
const TRANSIENT_ENTRY_ERRORS = new Set(['InternalFailure', 'InternalException', 'ThrottlingException']);

/** Entry size per "Calculating Amazon EventBridge PutEvents event entry size". */
export function entryBytes(entry: PutEventsRequestEntry): number {
  const parts = [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])];
  return (entry.Time ? 14 : 0) + parts.reduce((n, part) => n + (part ? Buffer.byteLength(part, 'utf8') : 0), 0);
}

export function alertEntry(alert: Alert, options: { source?: string; eventBusName?: string } = {}): PutEventsRequestEntry {
  const source = options.source ?? ALERT_SOURCE;
  const overhead = Buffer.byteLength(source) + Buffer.byteLength(ALERT_DETAIL_TYPE);
  return {
    Source: source,
    DetailType: ALERT_DETAIL_TYPE,
    Detail: JSON.stringify(fitPayload(alertPayload(alert), MAX_PUT_EVENTS_BYTES - overhead)),
    ...(options.eventBusName ? { EventBusName: options.eventBusName } : {}),
  };
}

/** Consecutive calls of at most 10 entries and 256 KB each. */
function batches<T>(items: T[], size: (item: T) => number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const n = size(item);
    if (current.length > 0 && (current.length >= MAX_ENTRIES || bytes + n > MAX_PUT_EVENTS_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += n;
  }
  if (current.length > 0) out.push(current);
  return out;
}

export function createEventBridgeNotifier(options: EventBridgeNotifierOptions = {}): Notifier {
  const client = options.client ?? new EventBridgeClient({ maxAttempts: 1, requestHandler: { requestTimeout: 5_000, connectionTimeout: 3_000 } });

  async function putBatch(batch: { alert: Alert; entry: PutEventsRequestEntry }[]): Promise<NotifyFailure[]> {
    try {
      const out = await client.send(new PutEventsCommand({ Entries: batch.map((b) => b.entry) }));
      if (!out.FailedEntryCount) return [];
      // Results come back in request order; an entry with an ErrorCode was not put.
      return batch.flatMap(({ alert }, i) => {
        const result = out.Entries?.[i];
        if (result?.EventId && !result.ErrorCode) return [];
        const code = result?.ErrorCode ?? 'MissingResult';
        return [{ alertId: alert.id, error: `${code}: ${result?.ErrorMessage ?? 'no result for this entry'}`, retryable: TRANSIENT_ENTRY_ERRORS.has(code) || !result }];
      });
    } catch (error) {
      const message = describeAwsError(error);
      const retryable = isTransientAwsError(error);
      return batch.map(({ alert }) => ({ alertId: alert.id, error: message, retryable }));
    }
  }

  return {
    name: 'eventbridge',
    async publish(alerts) {
      const items = alerts.map((alert) => ({ alert, entry: alertEntry(alert, options) }));
      const results = await Promise.all(batches(items, (item) => entryBytes(item.entry)).map(putBatch));
      return results.flat();
    },
  };
}
