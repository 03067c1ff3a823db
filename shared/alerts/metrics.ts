import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { emfMetrics } from '../lib/emf';
import type { Log } from '../lib/logger';

/**
 * Per-rule alert counts: `AlertsRaised` (passed dedup, published or deferred),
 * `AlertsSuppressed` (duplicates within the window) and `AlertsDeferred`
 * (kept in the outbox), each with the dimension `RuleId`. The router counts,
 * then flushes once per `route`/`flushDeferred`.
 */
export type AlertMetricName = 'AlertsRaised' | 'AlertsSuppressed' | 'AlertsDeferred';
export const ALERT_METRIC_NAMES: readonly AlertMetricName[] = ['AlertsRaised', 'AlertsSuppressed', 'AlertsDeferred'];

export interface AlertMetrics {
  count(metric: AlertMetricName, ruleId: string, value?: number): void;
  flush(): void;
}

export const noAlertMetrics: AlertMetrics = { count() {}, flush() {} };

/** Counts kept between flushes: rule id -> metric -> value. */
class Tally {
  private counts = new Map<string, Partial<Record<AlertMetricName, number>>>();
  add(metric: AlertMetricName, ruleId: string, value: number): void {
    const row = this.counts.get(ruleId) ?? {};
    row[metric] = (row[metric] ?? 0) + value;
    this.counts.set(ruleId, row);
  }
  drain(): [string, Partial<Record<AlertMetricName, number>>][] {
    const rows = [...this.counts];
    this.counts = new Map();
    return rows;
  }
}

export interface PowertoolsAlertMetricsOptions {
  /** CloudWatch namespace; default POWERTOOLS_METRICS_NAMESPACE, else `cloudtap`. */
  namespace?: string;
  /** Powertools' `service` dimension; default POWERTOOLS_SERVICE_NAME, else `cloudtap`. */
  serviceName?: string;
  /** Extra dimensions on every metric (e.g. `{ SourceType }`), at most 27 besides service and RuleId. */
  defaultDimensions?: Record<string, string>;
}

/**
 * CloudWatch metrics through Powertools (EMF on stdout, which Lambda ships to
 * CloudWatch Logs and CloudWatch turns into metrics; no API calls). One EMF
 * object per rule per flush; publishing it clears the RuleId dimension, so it
 * never leaks into the function's other metrics.
 */
export function createPowertoolsAlertMetrics(options: PowertoolsAlertMetricsOptions = {}): AlertMetrics {
  const tally = new Tally();
  return {
    count: (metric, ruleId, value = 1) => tally.add(metric, ruleId, value),
    flush() {
      const metrics = emfMetrics({ namespace: options.namespace, serviceName: options.serviceName, defaultDimensions: options.defaultDimensions });
      for (const [ruleId, row] of tally.drain()) {
        metrics.addDimensions({ RuleId: ruleId });
        for (const name of ALERT_METRIC_NAMES) {
          const value = row[name];
          if (value) metrics.addMetric(name, MetricUnit.Count, value);
        }
        metrics.publishStoredMetrics();
      }
    },
  };
}

/** Local runs: one log line per flush summarizing the counts per rule. */
export function createLogAlertMetrics(log: Log): AlertMetrics {
  const tally = new Tally();
  return {
    count: (metric, ruleId, value = 1) => tally.add(metric, ruleId, value),
    flush() {
      const rows = tally.drain();
      if (rows.length === 0) return;
      log.info('alerts by rule', { rules: Object.fromEntries(rows) });
    },
  };
}
