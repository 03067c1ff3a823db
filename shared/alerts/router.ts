import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../lib/clock';
import { silentLog, type Log } from '../lib/logger';
import type { Alert, AlertRouteReport, AlertRouter } from '../core/ports/detection';
import { describeAwsError } from './aws-errors';
import { withSiemLink } from './message';
import { noAlertMetrics, type AlertMetrics } from './metrics';
import { forEachLimit, publishToAll, type Breaker, type PublishRetryOptions } from './publish';
import type { AlertOutbox, DedupStore, DeferredAlert, Notifier } from './types';

/**
 * Alerts after detection: one dedup claim each, then every notifier with
 * retries (backoff + jitter); what a notifier still refuses goes to the
 * outbox for the next run's `flushDeferred`. A notifier failure never throws;
 * a dedup store or outbox that cannot be written does, so the run does not
 * checkpoint and the page (and its alerts) comes again.
 *
 * Re-runs: alert ids are deterministic, and a claim records the id, then
 * `publishedAt` or `deferredAt`. A repeated page after a crash finds its
 * alerts' claims: published or deferred ones are suppressed; an unfinished
 * one (crash between claim and publish) lets the same id through again, after
 * checking the outbox in case the crash came between the outbox write and the
 * mark. The one window left is a crash after publishing and before the mark
 * (one DynamoDB write): that alert is published twice, never lost.
 */
export interface AlertRouterOptions {
  dedup: DedupStore;
  outbox: AlertOutbox;
  notifiers: Notifier[];
  clock?: Clock;
  log?: Log;
  metrics?: AlertMetrics;
  /** `alerts.siemLink`: a URL template with `{event.id}`; the link closes every message. */
  siemLink?: string;
  /** Per notifier and round; default 4 attempts, 200 ms doubling to 2 s, full jitter (a few seconds at most). */
  retry?: PublishRetryOptions;
  /** Dedup claims in flight at once (alerts of one rule and key are always claimed in order); default 8. */
  concurrency?: number;
  /** Outbox entries one flush takes; default 100. */
  flushLimit?: number;
  /** How long a flush holds its entries against other runs; default 5 minutes. */
  flushLeaseMs?: number;
}

/** A rule with no window still gets a claim keyed by alert id, so a repeated page does not republish it. */
export const REPLAY_HORIZON_SECONDS = 86_400;

/** The dedup store or the outbox could not record an alert: the run must not checkpoint. */
export class AlertStoreError extends Error {
  override readonly name = 'AlertStoreError';
  constructor(readonly operation: string, readonly alertIds: string[], override readonly cause: unknown) {
    super(`alerts: ${operation} failed for ${alertIds.length} alert(s) (${describeAwsError(cause)}); not checkpointing so they are routed again`);
  }
}

const claimKey = (alert: Alert) =>
  alert.dedupWindowSeconds > 0
    ? { dedupKey: alert.dedupKey, windowSeconds: alert.dedupWindowSeconds }
    : { dedupKey: `alert-id:${alert.id}`, windowSeconds: REPLAY_HORIZON_SECONDS };

export function createAlertRouter(options: AlertRouterOptions): AlertRouter {
  const { dedup, outbox, notifiers } = options;
  const clock = options.clock ?? systemClock;
  const log = options.log ?? silentLog;
  const metrics = options.metrics ?? noAlertMetrics;
  const owner = `router-${randomBytes(6).toString('hex')}`;
  const names = notifiers.map((n) => n.name);
  if (new Set(names).size !== names.length) throw new Error(`alert notifier names must be unique, got ${names.join(', ')}`);
  const inFlight = new Set<string>();

  const publishOptions = { retry: options.retry, clock, log, breaker: new Map() as Breaker };
  const publishAll = (work: { alert: Alert; to: Notifier[] }[]) => publishToAll(notifiers, work, publishOptions);

  async function route(alerts: Alert[]): Promise<AlertRouteReport> {
    const report: AlertRouteReport = { published: 0, suppressed: 0, deferred: 0 };
    const suppress = (alert: Alert) => {
      report.suppressed++;
      metrics.count('AlertsSuppressed', alert.rule.id);
    };
    // Alerts of one rule and key are claimed in order; different keys in parallel.
    const groups = new Map<string, Alert[]>();
    const mine: string[] = [];
    for (const alert of alerts) {
      if (inFlight.has(alert.id)) {
        suppress(alert); // the same alert twice in this batch, or routed by another lane right now
        continue;
      }
      inFlight.add(alert.id);
      mine.push(alert.id);
      const key = `${alert.rule.id}\u0000${claimKey(alert).dedupKey}`;
      const group = groups.get(key);
      if (group) group.push(alert);
      else groups.set(key, [alert]);
    }
    try {
      const toPublish: Alert[] = [];
      const link = (alert: Alert) => withSiemLink(alert, options.siemLink);
      await forEachLimit([...groups.values()], options.concurrency ?? 8, async (group) => {
        let taken = false;
        for (const alert of group) {
          // Once one alert of the batch holds the key, the others of it are duplicates: no write needed (bursts).
          if (taken) {
            suppress(alert);
            continue;
          }
          const { dedupKey, windowSeconds } = claimKey(alert);
          const outcome = await dedup
            .claim({ ruleId: alert.rule.id, dedupKey, alertId: alert.id, windowSeconds, now: clock.now() })
            .catch((error: unknown) => Promise.reject(new AlertStoreError('dedup claim', [alert.id], error)));
          if (outcome === 'duplicate') {
            suppress(alert);
            continue;
          }
          taken = true;
          if (outcome === 'retry' && (await alreadyDeferred(alert))) report.deferred++;
          else toPublish.push(link(alert));
        }
      });

      const failures = await publishAll(toPublish.map((alert) => ({ alert, to: notifiers })));
      const now = clock.now();
      const storeErrors: { id: string; error: unknown }[] = [];
      await Promise.all(
        toPublish.map(async (alert) => {
          const { dedupKey } = claimKey(alert);
          metrics.count('AlertsRaised', alert.rule.id);
          const failure = failures.get(alert.id);
          if (!failure) {
            report.published++;
            // Not fatal: without the mark only a crash-repeat of this page could publish it again.
            await dedup.markPublished(alert.rule.id, dedupKey, alert.id, now).catch((error: unknown) => warnMark(alert, error));
            return;
          }
          const entry: DeferredAlert = { alert, pending: failure.pending, deferredAt: now, attempts: 1, lastError: failure.error };
          try {
            await outbox.put(entry, now);
          } catch (error) {
            storeErrors.push({ id: alert.id, error });
            return;
          }
          report.deferred++;
          metrics.count('AlertsDeferred', alert.rule.id);
          log.error('alert not published; kept in the outbox for the next run', { alertId: alert.id, ruleId: alert.rule.id, notifiers: failure.pending, error: failure.error });
          await dedup.markDeferred(alert.rule.id, dedupKey, alert.id, now).catch((error: unknown) => warnMark(alert, error));
        }),
      );
      if (storeErrors.length > 0) throw new AlertStoreError('outbox write', storeErrors.map((e) => e.id), storeErrors[0]!.error);
      return report;
    } finally {
      for (const id of mine) inFlight.delete(id);
      metrics.flush();
    }
  }

  /** A crash may have come after the outbox write and before the mark: then the outbox has it, and it is not published now. */
  async function alreadyDeferred(alert: Alert): Promise<boolean> {
    const held = await outbox.get(alert.id).catch((error: unknown) => Promise.reject(new AlertStoreError('outbox read', [alert.id], error)));
    if (!held) return false;
    await outbox.put(held, clock.now()).catch((error: unknown) => Promise.reject(new AlertStoreError('outbox write', [alert.id], error)));
    await dedup.markDeferred(alert.rule.id, claimKey(alert).dedupKey, alert.id, clock.now()).catch((error: unknown) => warnMark(alert, error));
    return true;
  }

  function warnMark(alert: Alert, error: unknown) {
    log.warn('could not mark the alert dedup claim; a crash-repeat of this page might publish it again', { alertId: alert.id, error: describeAwsError(error) });
  }

  async function flushDeferred(): Promise<AlertRouteReport> {
    const report: AlertRouteReport = { published: 0, suppressed: 0, deferred: 0 };
    const { entries, expired } = await outbox.take(owner, clock.now(), options.flushLeaseMs ?? 300_000, options.flushLimit ?? 100);
    for (const id of expired) log.error('a deferred alert was never published and expired from the outbox after 7 days', { alertId: id });
    if (entries.length === 0) return report;
    for (const entry of entries) {
      const unknown = entry.pending.filter((name) => !names.includes(name));
      if (unknown.length > 0) log.warn('deferred alert names notifiers no longer configured; skipping them', { alertId: entry.alert.id, notifiers: unknown });
      entry.pending = entry.pending.filter((name) => names.includes(name));
    }
    const failures = await publishAll(entries.map((e) => ({ alert: withSiemLink(e.alert, options.siemLink), to: notifiers.filter((n) => e.pending.includes(n.name)) })));
    const errors: { id: string; error: unknown }[] = [];
    await Promise.all(
      entries.map(async (entry) => {
        const failure = failures.get(entry.alert.id);
        try {
          if (!failure) {
            await outbox.complete(entry.alert.id);
            if (entry.pending.length > 0) report.published++;
            return;
          }
          await outbox.release(owner, { ...entry, pending: failure.pending, attempts: entry.attempts + 1, lastError: failure.error });
          report.deferred++;
          log.error('deferred alert still not published', { alertId: entry.alert.id, attempts: entry.attempts + 1, notifiers: failure.pending, error: failure.error });
        } catch (error) {
          errors.push({ id: entry.alert.id, error });
        }
      }),
    );
    if (errors.length > 0) throw new AlertStoreError('outbox update', errors.map((e) => e.id), errors[0]!.error);
    return report;
  }

  return { route, flushDeferred };
}
