import { DAY_SECONDS } from '../../../lib/duration';

/** ListAuditOperateLogsNew, as documented or (where the documents are silent) as chosen. */
export const DBSS_LIMITS = {
  /**
   * No rate is published for DBSS; API Gateway throttles per user with
   * APIGW.0308. 5 req/s, evenly paced, stays well clear of that while one
   * page of 100 records per request is plenty for a log of admin actions.
   */
  requestsPerSecond: 5,
  /**
   * `size` has no documented maximum; 100 is what Huawei's own Terraform
   * provider pages this log with, and the default and maximum of the
   * `pageSize` option. A service that caps lower is detected (see fetchPage).
   */
  pageSize: 100,
  /** The console offers at most 30 days at once; one day per query keeps page chains short. */
  maxWindowSeconds: DAY_SECONDS,
  /**
   * Not published for operation logs (DBSS's audit-data retention is configurable);
   * 180 days is assumed. Too long is harmless: older windows just come back empty.
   */
  retentionSeconds: 180 * DAY_SECONDS,
} as const;
