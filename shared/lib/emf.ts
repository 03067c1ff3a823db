import { Metrics } from '@aws-lambda-powertools/metrics';

/** Where cloudtap's EMF metrics go: the namespace and Powertools' `service` dimension. */
export interface EmfOptions {
  /** Default POWERTOOLS_METRICS_NAMESPACE, else `cloudtap`. */
  namespace?: string;
  /** Default POWERTOOLS_SERVICE_NAME, else `cloudtap`. */
  serviceName?: string;
  defaultDimensions?: Record<string, string>;
}

const made = new Map<string, Metrics>();

/**
 * The Powertools Metrics object for cloudtap's namespace and service (unless
 * told otherwise), made once and reused, as Powertools intends: each caller
 * adds its dimensions and metrics and ends one EMF object with
 * publishStoredMetrics(), which clears them (default dimensions stay).
 */
export function emfMetrics(options: EmfOptions = {}): Metrics {
  const namespace = options.namespace ?? (process.env.POWERTOOLS_METRICS_NAMESPACE || 'cloudtap');
  const serviceName = options.serviceName ?? (process.env.POWERTOOLS_SERVICE_NAME || 'cloudtap');
  const key = JSON.stringify([namespace, serviceName, options.defaultDimensions ?? {}]);
  let metrics = made.get(key);
  if (!metrics) {
    metrics = new Metrics({ namespace, serviceName, ...(options.defaultDimensions && { defaultDimensions: options.defaultDimensions }) });
    made.set(key, metrics);
  }
  return metrics;
}
