import * as z from 'zod';

/**
 * The deployed stack's alarms and dashboard (`monitoring`). Every alarm
 * notifies the alert topic; docs/operations.md says what each means.
 */

/** CloudWatch evaluates an alarm over at most one day: 288 five-minute periods. */
export const MAX_EVALUATION_PERIODS = 288;

export const monitoringSchema = z
  .object({
    /** Alarm when a source's newest delivered event is older than this (IngestionLagSeconds), or it stops reporting. */
    maxLagMinutes: z
      .number({ error: 'expected a number of minutes, e.g. 60' })
      .int({ message: 'expected a whole number of minutes' })
      .min(10, { message: 'at least 10: lag is read in 5-minute periods, and every run already trails now by the source lag' })
      .max(10_080, { message: 'at most 10080 (7 days): beyond that the provider retention may already have dropped events' })
      .default(60),
    /** Alarm when a source fails this many consecutive periods in a row (RunsFailed). */
    failedRunsToAlarm: z
      .number({ error: 'expected a number of periods, e.g. 3' })
      .int({ message: 'expected a whole number of periods' })
      .min(1, { message: 'at least 1' })
      .max(MAX_EVALUATION_PERIODS, { message: `at most ${MAX_EVALUATION_PERIODS}: CloudWatch evaluates an alarm over one day at most` })
      .default(3),
    /** Create the `cloudtap` CloudWatch dashboard. */
    dashboard: z.boolean({ error: 'expected true or false' }).default(true),
  })
  .strict();

export type MonitoringConfig = z.output<typeof monitoringSchema>;
