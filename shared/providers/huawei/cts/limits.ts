import { DAY_SECONDS } from '../../../lib/duration';

/** ListTraces (`GET /v3/{project_id}/traces`), as documented or (where the documents are silent) as chosen. */
export const CTS_LIMITS = {
  /**
   * No rate is published for ListTraces; API Gateway throttles per user with
   * APIGW.0308. 5 req/s, evenly paced, is assumed (as for DBSS): 1,000 traces
   * a second at the documented page maximum.
   */
  requestsPerSecond: 5,
  /** `limit`: "The default value is 10 and the maximum value is 200" (API reference, Querying a Trace List). */
  pageSize: 200,
  /** One day per window keeps each `next` chain short, so a resumed window rarely leans on an old marker. */
  maxWindowSeconds: DAY_SECONDS,
  /** "query records of operations on resources in the last seven days" (API reference); older traces live only in OBS/LTS transfers. */
  retentionSeconds: 7 * DAY_SECONDS,
} as const;
