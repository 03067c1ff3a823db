import { DAY_SECONDS } from '../../../lib/duration';

/** DescribeCertificateOperateLogs' documented limits, and the one it leaves open. */
export const SSL_LIMITS = {
  /** "A maximum of 10 requests can be initiated per second for this API." */
  requestsPerSecond: 10,
  /** "maximum value of 1000; if it exceeds 1000, it will be treated as 1000" */
  maxLimit: 1000,
  /**
   * Not documented (only the 15-day default of an unset StartTime is). An
   * assumption, deliberately generous: the core skips anything older than
   * this after an outage, so too short would drop records the API may still
   * serve, while too long costs only queries that come back empty.
   */
  retentionSeconds: 90 * DAY_SECONDS,
} as const;
