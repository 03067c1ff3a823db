import { Metrics } from '@aws-lambda-powertools/metrics';

/** Where cloudtap's EMF metrics go: the namespace and Powertools' `service` dimension. */
export interface EmfOptions {
  /** Default POWERTOOLS_METRICS_NAMESPACE, else `cloudtap`. */
  namespace?: string;
  /** Default POWERTOOLS_SERVICE_NAME, else `cloudtap`. */
  serviceName?: string;
  defaultDimensions?: Record<string, string>;
}

/** A Powertools Metrics object for one EMF document, under cloudtap's namespace and service unless told otherwise. */
export function emfMetrics(options: EmfOptions = {}): Metrics {
  return new Metrics({
    namespace: options.namespace ?? (process.env.POWERTOOLS_METRICS_NAMESPACE || 'cloudtap'),
    serviceName: options.serviceName ?? (process.env.POWERTOOLS_SERVICE_NAME || 'cloudtap'),
    ...(options.defaultDimensions && { defaultDimensions: options.defaultDimensions }),
  });
}
