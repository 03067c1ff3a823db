import type { VendorDocument } from '../../ecs/document';

/**
 * A half-open time window [start, end) in unix seconds. The core fixes a
 * window before paging it and never moves its end while paging, so offset-
 * and token-paged APIs page over a closed, stable range of the past.
 */
export interface TimeWindow {
  start: number;
  end: number;
}

export interface PageRequest {
  window: TimeWindow;
  /** Opaque to the core: what the source returned as `nextPageToken` last time. */
  pageToken?: string;
  /** Aborted when the run's time budget is spent, so no request outlives the Lambda. */
  signal?: AbortSignal;
}

export interface Page<Raw> {
  records: Raw[];
  /** Absent when the window is exhausted. */
  nextPageToken?: string;
  /** The provider's request id, for logs and error messages. */
  requestId?: string;
  /**
   * Sources with `idFromContent` only: for each record, how many records
   * identical to it came before it in the same window (the source carries the
   * count across the window's pages). Absent: counted within this page.
   */
  occurrences?: readonly number[];
  /** The retries this fetch made, and how many of them answered the provider's throttling. */
  retries?: { total: number; throttled: number };
}

/** What the core tells a source about the record it maps. */
export interface MappingContext {
  /**
   * For sources with `idFromContent`: how many records identical to this one
   * came before it in the same window (`Page.occurrences`, or else within its
   * page). Identical records are distinct events (two deletions in one
   * second), so their content ids must differ.
   */
  occurrence: number;
}

/**
 * One provider API, as the pipeline core sees it. A source knows its API
 * (paging, limits, mapping); it knows nothing of cursors, leases or sinks.
 */
export interface Source<Raw = unknown> {
  /** The source type, e.g. `acme-audit`; also `event.dataset`'s suffix. */
  readonly type: string;
  /** The widest window one query may span (seconds). */
  readonly maxWindowSeconds: number;
  /** How far back the API can be queried (seconds before now). */
  readonly retentionSeconds: number;
  /** Records carry no provider id: `MappingContext.occurrence` tells identical records apart (see `Page.occurrences`). */
  readonly idFromContent?: boolean;
  /** Fetch one page of the window. Throws ProviderError / MalformedResponseError. */
  fetchPage(request: PageRequest): Promise<Page<Raw>>;
  /** Unix seconds of the record's event time, used to check it lies in the window. */
  eventTime(raw: Raw): number;
  /**
   * Pure mapping of one raw record to its vendor fields, a new document each
   * call: the core stamps the envelope onto it in place (shared/core/envelope.ts).
   * May throw; the core then ships the record raw.
   */
  normalize(raw: Raw, context: MappingContext): VendorDocument;
}
