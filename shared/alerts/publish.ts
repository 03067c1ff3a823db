import type { Clock } from '../lib/clock';
import type { Log } from '../lib/logger';
import { retry } from '../lib/retry';
import type { Alert } from '../core/ports/detection';
import { describeAwsError, isTransientAwsError } from './aws-errors';
import type { Notifier } from './types';

/** Per notifier and round; default 4 attempts, 200 ms doubling to 2 s, full jitter (a few seconds at most). */
export interface PublishRetryOptions {
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
}

class PendingRetry extends Error {}

/**
 * Publish to one notifier; each new attempt carries only the alerts that
 * failed retryably (a PutEvents entry throttled, one Publish answered 500).
 * Resolves with the alerts still failed and their last error; never throws
 * for a notifier failure.
 */
export async function publishWithRetry(
  notifier: Notifier,
  alerts: Alert[],
  options: { retry?: PublishRetryOptions; clock: Clock; log: Log },
): Promise<Map<string, string>> {
  const failed = new Map<string, string>();
  let pending = alerts;
  if (alerts.length === 0) return failed;
  const attempt = async () => {
    const failures = await notifier.publish(pending).catch((error: unknown) =>
      pending.map((a) => ({ alertId: a.id, error: describeAwsError(error), retryable: isTransientAwsError(error) })),
    );
    const byId = new Map(failures.map((f) => [f.alertId, f]));
    for (const alert of pending) {
      const failure = byId.get(alert.id);
      if (failure) failed.set(alert.id, failure.error);
      else failed.delete(alert.id);
    }
    pending = pending.filter((a) => byId.get(a.id)?.retryable);
    if (pending.length > 0) throw new PendingRetry();
  };
  await retry(attempt, {
    attempts: options.retry?.attempts ?? 4,
    baseDelayMs: options.retry?.baseDelayMs ?? 200,
    maxDelayMs: options.retry?.maxDelayMs ?? 2_000,
    isRetryable: (error) => error instanceof PendingRetry,
    onRetry: (_error, n, delayMs) =>
      options.log.warn('alert publish failed; retrying', { notifier: notifier.name, attempt: n, alerts: pending.length, delayMs }),
    clock: options.clock,
    ...(options.retry?.random ? { random: options.retry.random } : {}),
  }).catch((error: unknown) => {
    if (!(error instanceof PendingRetry)) throw error;
  });
  return failed;
}

/**
 * Notifiers whose last round failed every alert, and until when they are
 * skipped: the pipeline routes once per page, and a notifier that is down
 * should cost its retries once, not on every page (the alerts go straight to
 * the outbox meanwhile).
 */
export type Breaker = Map<string, { until: number; error: string }>;
export const BREAKER_COOL_DOWN_MS = 60_000;

async function publishThroughBreaker(notifier: Notifier, alerts: Alert[], breaker: Breaker, options: { retry?: PublishRetryOptions; clock: Clock; log: Log }) {
  const open = breaker.get(notifier.name);
  if (open && open.until > options.clock.now()) return new Map(alerts.map((a) => [a.id, `skipped: failing since its last round (${open.error})`]));
  const failed = await publishWithRetry(notifier, alerts, options);
  if (alerts.length > 0 && failed.size === alerts.length) {
    breaker.set(notifier.name, { until: options.clock.now() + BREAKER_COOL_DOWN_MS, error: [...failed.values()][0]! });
  } else if (failed.size < alerts.length) breaker.delete(notifier.name);
  return failed;
}

/** Every notifier in parallel, each with its share of `work`; per alert, the notifiers that still failed and why. */
export async function publishToAll(
  notifiers: Notifier[],
  work: { alert: Alert; to: Notifier[] }[],
  options: { retry?: PublishRetryOptions; clock: Clock; log: Log; breaker: Breaker },
): Promise<Map<string, { pending: string[]; error: string }>> {
  const results = await Promise.all(
    notifiers.map(async (n) => [n.name, await publishThroughBreaker(n, work.filter((w) => w.to.includes(n)).map((w) => w.alert), options.breaker, options)] as const),
  );
  const out = new Map<string, { pending: string[]; error: string }>();
  for (const [name, failed] of results) {
    for (const [id, error] of failed) {
      const entry = out.get(id) ?? { pending: [], error: '' };
      entry.pending.push(name);
      entry.error = `${entry.error ? `${entry.error}; ` : ''}${name}: ${error}`;
      out.set(id, entry);
    }
  }
  return out;
}

/** Run `task` over items, `limit` at a time; the first failure stops new work and is thrown once the rest settle. */
export async function forEachLimit<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      try {
        await task(items[next++]!);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}
