import type { DestinationType } from './delivery-contract';
import { FAILED_INVOCATION_RETENTION } from './failed-invocations';

/**
 * Alarm descriptions: what it means, then what to do, and the saved Logs Insights
 * query (CloudWatch > Logs Insights > Saved queries) that lists the instances
 * behind it. docs/operations.md says the same.
 */
export const ALARM_TEXT = {
  failures: (type: string, periods: number, query: string) =>
    `Runs of ${type} sources failed in ${periods} consecutive periods; the failing instances' cursors are not moving, and nothing is lost until the provider's retention runs out. ` +
    `Which instances: run the saved Logs Insights query ${query}. Then read their "run failed" log lines: authentication (fix the credential set's secret or the key's permissions), provider outage or throttling (wait), or delivery (see the delivery alarms).`,
  stalled: (type: string, query: string) =>
    `At least one enabled ${type} instance has had no successful run for max(3 periods, 15 minutes) plus its lag (counted by the dispatcher from the cursor table every 5 minutes). ` +
    `Which instances: run the saved Logs Insights query ${query} (the dispatcher's line lists up to 50 ids per type), then npx cloudtap status --deployed for each. ` +
    `Usual causes: failing runs (see the runs-failing alarm), a credential set's secret still empty, or runs skipped because a lease is held. Once runs succeed the cursor catches up by itself; past the provider's retention, backfill the gap with cloudtap backfill.`,
  backlog: (type: string, seconds: number, query: string) =>
    `The oldest run waiting in the ${type} pull queue is more than ${seconds} seconds old: runs of this type do not keep up with their schedules. ` +
    `Raise deployment.concurrency (runs at once per source type), or find the instances whose runs take longest (saved Logs Insights query ${query}) and give them a longer schedule. A run still unstarted one period after it was due is skipped as expired, and the next one resumes from the cursor.`,
  dispatcherErrors: () =>
    `The dispatcher failed: the source instances due in that minute were not sent to their queues (the next due run of each resumes from its cursor, so nothing is lost). ` +
    `Read the dispatcher function's log group for the error; a failed invocation also waits in the failed-invocations queue.`,
  failedInvocations: (query: string) =>
    `At least one run or dispatch failed; its message waits in the stack's failed-invocations queue (output FailedInvocationsQueueUrl) for up to ${FAILED_INVOCATION_RETENTION.toDays()} days. ` +
    `A pull message's body names the source (source.id); which instances fail most: saved Logs Insights query ${query}. The next due run of that instance retries from its cursor. ` +
    `Once understood, purge the queue: the alarm clears when it is empty.`,
  deliverySuccess: (type: DestinationType) =>
    `Firehose failed to deliver to the ${type} destination in 3 consecutive 5-minute periods. Events are not lost: Firehose retries, then backs failed records up to the bucket. ` +
    (type === 's3'
      ? "Check the bucket still exists and the stream role may write to it (and its KMS key), and the stream's error logs."
      : `Check the destination is up and reachable, and that the credential in the destination secret is valid; then send the records Firehose backed up to the bucket again with cloudtap replay.`),
  deliveryFreshness: (type: DestinationType, seconds: number) =>
    `Records have waited in Firehose more than ${seconds} seconds for the ${type} destination: delivery is stuck or far behind. ` +
    `See the delivery success alarm and the stream's error logs; a slow destination (Splunk indexer acknowledgements, Elastic ingest) or a throttled bucket are the usual causes.`,
};
