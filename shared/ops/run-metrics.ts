import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { emfMetrics, type EmfOptions } from '../lib/emf';
import { MalformedResponseError, ProviderError, SourceRunError } from '../lib/errors';
import type { SkipReason } from '../core/ports/cursor-store';
import type { RunProgress, RunSummary } from '../core/run-options';

/**
 * One CloudWatch EMF object per run of a source instance, namespace `cloudtap`,
 * dimension set `service`, `SourceType`. Emitted after every run, successful,
 * failed or skipped, so a failing source still shows up on the dashboard.
 *
 * `SourceId` is a property of the object, not a dimension: each dimension
 * value is a custom metric of its own ($0.30 a month each), ten metrics per
 * instance for 1,000 instances would be $3,000 a month. Logs Insights ranks
 * the instances by the property instead.
 */
export type RunMetricName =
  | 'EventsPulled'
  | 'EventsDelivered'
  | 'Pages'
  | 'MappingErrors'
  | 'ThrottledRetries'
  | 'Retries'
  | 'RunsFailed'
  | 'RunsSkipped'
  | 'DeliveryFailures'
  | 'IngestionLagSeconds'
  | 'RunDurationMs';

export const RUN_METRIC_UNITS: Record<RunMetricName, (typeof MetricUnit)[keyof typeof MetricUnit]> = {
  EventsPulled: MetricUnit.Count,
  EventsDelivered: MetricUnit.Count,
  Pages: MetricUnit.Count,
  MappingErrors: MetricUnit.Count,
  ThrottledRetries: MetricUnit.Count,
  Retries: MetricUnit.Count,
  RunsFailed: MetricUnit.Count,
  RunsSkipped: MetricUnit.Count,
  DeliveryFailures: MetricUnit.Count,
  IngestionLagSeconds: MetricUnit.Seconds,
  RunDurationMs: MetricUnit.Milliseconds,
};

export interface RunMetricsInput {
  sourceType: string;
  sourceId: string;
  /** The run's summary; absent when it failed. */
  summary?: RunSummary;
  /** What the run got through before it failed (its SourceRunError's progress). */
  progress?: RunProgress;
  failed: boolean;
  /** The cursor's windowStart (unix seconds) after the run: the summary's, or the stored one after a failure. */
  windowStart?: number;
  durationMs: number;
  /** Epoch ms; default Date.now(). */
  now?: number;
}

/** The figures of one run, by metric name. Lag is absent when no cursor exists yet. */
export function runMetricValues(input: RunMetricsInput): Partial<Record<RunMetricName, number>> {
  const done = input.summary ?? input.progress;
  const failed = input.failed ? 1 : 0;
  const values: Partial<Record<RunMetricName, number>> = {
    EventsPulled: done?.pulled ?? 0,
    EventsDelivered: done?.delivered ?? 0,
    Pages: done?.pages ?? 0,
    // A failed run still counts the records it delivered raw before it failed.
    MappingErrors: done?.mappingErrors ?? 0,
    // Counted by the provider clients (each knows its throttling codes) and carried on the pages.
    ThrottledRetries: done?.throttledRetries ?? 0,
    Retries: done?.retries ?? 0,
    RunsFailed: failed,
    // Zero for every run that happened, so the per-type sum is a continuous series.
    RunsSkipped: 0,
    DeliveryFailures: failed,
    RunDurationMs: Math.max(0, Math.round(input.durationMs)),
  };
  if (input.windowStart !== undefined) {
    values.IngestionLagSeconds = Math.max(0, Math.floor((input.now ?? Date.now()) / 1000) - input.windowStart);
  }
  return values;
}

/** The namespace and `service` dimension, by default Powertools' environment, else `cloudtap`. */
export type RunMetricsOptions = Pick<EmfOptions, 'namespace' | 'serviceName'>;

/** Write the run's EMF object to stdout (Lambda ships it to CloudWatch, which makes the metrics). */
export function publishRunMetrics(input: RunMetricsInput, options: RunMetricsOptions = {}): void {
  publish(input, runMetricValues(input), {}, options);
}

export interface SkipMetricsInput {
  sourceType: string;
  sourceId: string;
  reason: SkipReason;
}

/** A run that was due but did not happen: RunsSkipped 1, the reason as the `SkipReason` property. */
export function publishSkipMetrics(input: SkipMetricsInput, options: RunMetricsOptions = {}): void {
  publish(input, { RunsSkipped: 1 }, { SkipReason: input.reason }, options);
}

function publish(
  source: { sourceType: string; sourceId: string },
  values: Partial<Record<RunMetricName, number>>,
  properties: Record<string, string>,
  options: RunMetricsOptions,
): void {
  const metrics = emfMetrics(options);
  metrics.addDimensions({ SourceType: source.sourceType });
  for (const [key, value] of Object.entries({ SourceId: source.sourceId, ...properties })) metrics.addMetadata(key, value);
  for (const [name, value] of Object.entries(values) as [RunMetricName, number][]) {
    metrics.addMetric(name, RUN_METRIC_UNITS[name], value);
  }
  metrics.publishStoredMetrics();
}

/** The fields of a run's failure log line: the message, and the provider's code and request id where there are. */
export function describeFailure(error: unknown): Record<string, unknown> {
  const cause = error instanceof SourceRunError ? error.cause : error;
  const fields: Record<string, unknown> = {
    error: error instanceof Error ? error.message : String(error),
    errorName: cause instanceof Error ? cause.name : typeof cause,
  };
  if (cause instanceof ProviderError) {
    Object.assign(fields, { provider: cause.provider, code: cause.code, requestId: cause.requestId, httpStatus: cause.httpStatus });
  } else if (cause instanceof MalformedResponseError) {
    Object.assign(fields, { provider: cause.provider, code: 'MalformedResponse', requestId: cause.requestId, bodyExcerpt: cause.bodyExcerpt });
  }
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}
