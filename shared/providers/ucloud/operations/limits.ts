import { DAY_SECONDS } from '../../../lib/duration';

/** GetUserOperationEvents' limits: documented where stated, else cloudtap's conservative choice. */
export const UCLOUD_OPERATIONS_LIMITS = {
  /** No rate is published for this API (the gateway throttles with RetCode 153); 5/s is conservative. */
  requestsPerSecond: 5,
  /** No maximum is published for MaxResults; 100 is cloudtap's assumption (and the default). */
  maxResults: 100,
  /** "only the logs from the past 365 days can be queried". */
  retentionSeconds: 365 * DAY_SECONDS,
} as const;
