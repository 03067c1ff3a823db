import { DAY_SECONDS } from '../../../lib/duration';

/**
 * LookupEvents (2020-07-06) limits, as docs/sources/alibaba-actiontrail.md
 * cites them from Alibaba's API reference.
 */
export const LOOKUP_EVENTS_LIMITS = {
  /** "you can query the event details at most twice per second". */
  requestsPerSecond: 2,
  /** MaxResults: "Valid values: 1 to 50". */
  maxResults: 50,
  /** "The maximum time range is 30 days." */
  maxQuerySpanSeconds: 30 * DAY_SECONDS,
  /** "You can query the detailed information about events that are generated in the recent 90 days." */
  retentionSeconds: 90 * DAY_SECONDS,
  /** LookupAttribute: "You can specify one or two lookup conditions at a time." */
  maxLookupAttributes: 2,
} as const;
