import { DAY_SECONDS } from '../../../lib/duration';

/** DescribeEvents' documented limits. */
export const CLOUDAUDIT_LIMITS = {
  requestsPerSecond: 20,
  maxResults: 50,
  /** "the time range for query is less than 30 days" */
  maxQuerySpanSeconds: 30 * DAY_SECONDS,
  /** "cannot be 90 days after the current time" (the start may be at most 90 days old). */
  retentionSeconds: 90 * DAY_SECONDS,
} as const;
