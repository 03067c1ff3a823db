import type { Alert } from '../core/ports/detection';

/** One alert a notifier could not publish. */
export interface NotifyFailure {
  alertId: string;
  /** Safe to log: an error name/code and message, never a credential. */
  error: string;
  /** Throttling, 5xx, network: worth another attempt now. */
  retryable: boolean;
}

/**
 * Somewhere alerts go (SNS, EventBridge, the console, a file). `publish`
 * resolves with the alerts that failed; throwing means all of them failed.
 */
export interface Notifier {
  /** Stable: recorded in the outbox so a deferred alert goes only to the notifiers that missed it. */
  readonly name: string;
  publish(alerts: readonly Alert[]): Promise<NotifyFailure[]>;
}

export interface ClaimRequest {
  ruleId: string;
  dedupKey: string;
  alertId: string;
  windowSeconds: number;
  /** Epoch ms, from the router's clock (DynamoDB has no "now" in conditions). */
  now: number;
}

/**
 * `new`: first alert for this rule and key in the window (or the window ran out, or an earlier
 * claim was abandoned): publish it. `retry`: this same alert id was claimed before but never
 * published nor deferred (a run crashed in between): publish it again. `duplicate`: suppress.
 */
export type ClaimOutcome = 'new' | 'retry' | 'duplicate';

/**
 * The dedup window per rule and key. A claim records the alert id and later
 * whether it was published or deferred, so a crash between claim and publish
 * never suppresses that alert for good.
 */
export interface DedupStore {
  claim(request: ClaimRequest): Promise<ClaimOutcome>;
  /** Best effort: a lost mark only costs a possible duplicate after a crash. */
  markPublished(ruleId: string, dedupKey: string, alertId: string, now: number): Promise<void>;
  markDeferred(ruleId: string, dedupKey: string, alertId: string, now: number): Promise<void>;
}

/** An alert waiting in the outbox, with the notifiers that still owe it. */
export interface DeferredAlert {
  alert: Alert;
  pending: string[];
  /** Epoch ms when it was first deferred. */
  deferredAt: number;
  /** Publish rounds tried so far (the first, failed one included). */
  attempts: number;
  lastError?: string;
}

/**
 * Alerts no notifier round could publish, kept for a later run. Entries are
 * leased while a run publishes them, so two runs flushing at once (every
 * source's Lambda flushes at its start) never publish the same one twice.
 */
export interface AlertOutbox {
  /** Idempotent: putting an id already held keeps the held entry. */
  put(entry: DeferredAlert, now: number): Promise<void>;
  get(alertId: string): Promise<DeferredAlert | undefined>;
  /** Lease up to `limit` entries nobody else holds; expired entries (a week old) are dropped and logged by the caller. */
  take(owner: string, now: number, leaseMs: number, limit: number): Promise<{ entries: DeferredAlert[]; expired: string[] }>;
  /** Published everywhere: remove it. */
  complete(alertId: string): Promise<void>;
  /** Still pending somewhere: store the new state and end the lease. */
  release(owner: string, entry: DeferredAlert): Promise<void>;
}

/** Outbox entries expire a week after their first deferral. */
export const OUTBOX_TTL_SECONDS = 7 * 24 * 3600;
