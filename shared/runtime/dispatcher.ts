import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { emfMetrics } from '../lib/emf';
import { systemClock, type Clock } from '../lib/clock';
import type { Log } from '../lib/logger';
import { planStarts } from './dispatch-plan';
import { buildMessages, sendMessages, type FailedMessage } from './dispatch-send';
import { sweepCursorTable, type SweepResult } from './dispatch-sweep';
import type { DispatchTable } from './invocation';

/**
 * The dispatcher: once a minute (an EventBridge rule), every instance due in
 * that minute becomes one delayed message on its type's queue. Every fifth
 * minute, and on its first invocation, it also sweeps the cursor table
 * (stalled instances, legacy keys; shared/runtime/dispatch-sweep.ts).
 *
 * A message SQS refuses twice is logged by id and counted (`DispatchFailed`),
 * not thrown: a failed invocation would be retried by EventBridge's
 * asynchronous invocation and start the minute's other runs a second time.
 */

const MINUTE_MS = 60_000;
const SWEEP_EVERY_MS = 5 * MINUTE_MS;
/** Stalled ids named in one log line per type. */
const STALLED_IDS_LOGGED = 50;

export interface DispatcherOptions {
  table: DispatchTable;
  /** Source type -> the URL of its pull queue. */
  queues: Readonly<Record<string, string>>;
  /** The cursor table. */
  tableName: string;
  sqs: SQSClient;
  dynamo: DynamoDBClient;
  log: Log;
  clock?: Clock;
  /** Powertools' namespace and service; default POWERTOOLS_METRICS_NAMESPACE / POWERTOOLS_SERVICE_NAME, else `cloudtap`. */
  namespace?: string;
  serviceName?: string;
}

export interface DispatchReport {
  /** The minute dispatched, epoch ms. */
  minute: number;
  /** Messages SQS took, per source type. */
  dispatched: Record<string, number>;
  failed: FailedMessage[];
  /** Instances not dispatched because their cursor item is still under its legacy key. */
  blocked: string[];
  /** The sweep's result when this minute swept. */
  sweep?: SweepResult;
}

export class Dispatcher {
  private readonly clock: Clock;
  /** From the last sweep; undefined until the first, which every new process makes. */
  private blocked: Set<string> | undefined;
  /** The last minute this process dispatched: EventBridge may deliver one scheduled event twice. */
  private lastMinute: number | undefined;

  constructor(private readonly options: DispatcherOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** Dispatch the calendar minute holding `eventTimeMs` (the scheduled event's `time`). */
  async dispatch(eventTimeMs: number): Promise<DispatchReport> {
    const startedAt = this.clock.now();
    const minute = Math.floor(eventTimeMs / MINUTE_MS) * MINUTE_MS;
    if (minute === this.lastMinute) {
      this.options.log.warn('this minute was dispatched already; a repeated event is ignored', { minute: new Date(minute).toISOString() });
      return { minute, dispatched: {}, failed: [], blocked: [...(this.blocked ?? [])].sort() };
    }
    const sweep = minute % SWEEP_EVERY_MS === 0 || this.blocked === undefined ? await this.sweep() : undefined;
    const blocked = this.blocked ?? new Set<string>();
    const starts = planStarts(this.options.table.entries, minute, minute + MINUTE_MS).filter((start) => !blocked.has(start.entry.source.id));
    const messages = buildMessages(starts, this.clock.now(), this.options.queues);
    const { sent, failed } = await sendMessages(this.options.sqs, messages, this.options.log);
    this.lastMinute = minute;
    if (failed.length > 0) {
      this.options.log.error('SQS refused messages twice; these runs do not start this minute', { count: failed.length, failed });
    }
    const report: DispatchReport = { minute, dispatched: Object.fromEntries(sent), failed, blocked: [...blocked].sort(), ...(sweep ? { sweep } : {}) };
    this.publishMetrics(report, this.clock.now() - startedAt);
    this.options.log.info('dispatched', { minute: new Date(minute).toISOString(), planned: starts.length, dispatched: report.dispatched, failed: failed.length, blocked: report.blocked.length });
    return report;
  }

  /**
   * Sweep the cursor table. A failed sweep keeps the last one's blocked ids;
   * with none yet, the invocation fails rather than risk starting an instance
   * whose cursor is still under its legacy key from scratch.
   */
  private async sweep(): Promise<SweepResult | undefined> {
    const { dynamo, tableName, table, log } = this.options;
    try {
      const result = await sweepCursorTable({ dynamo, tableName, entries: table.entries, nowMs: this.clock.now(), log });
      this.blocked = result.blocked;
      for (const [sourceType, stalled] of result.stalled) {
        if (stalled.length > 0) log.warn('stalled instances', { sourceType, stalled: stalled.slice(0, STALLED_IDS_LOGGED), count: stalled.length });
      }
      for (const [sourceType, neverRun] of result.neverRun) {
        if (neverRun.length > 0) log.info('instances without a cursor item yet', { sourceType, neverRun: neverRun.slice(0, STALLED_IDS_LOGGED), count: neverRun.length });
      }
      return result;
    } catch (error) {
      if (this.blocked === undefined) throw error;
      log.error('the cursor table sweep failed; dispatching with the last sweep\'s view', { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      return undefined;
    }
  }

  /** EMF: Dispatched, DispatchFailed and (after a sweep) StalledInstances per source type; DispatchDurationMs for the stack. */
  private publishMetrics(report: DispatchReport, durationMs: number): void {
    const metrics = emfMetrics({ namespace: this.options.namespace, serviceName: this.options.serviceName });
    const failedByType = new Map<string, number>();
    for (const { sourceType } of report.failed) failedByType.set(sourceType, (failedByType.get(sourceType) ?? 0) + 1);
    for (const type of new Set(this.options.table.entries.map(({ source }) => source.type))) {
      // One EMF object per type: its dimension set is {service, SourceType}.
      metrics.addDimensions({ SourceType: type });
      metrics.addMetric('Dispatched', MetricUnit.Count, report.dispatched[type] ?? 0);
      metrics.addMetric('DispatchFailed', MetricUnit.Count, failedByType.get(type) ?? 0);
      if (report.sweep) metrics.addMetric('StalledInstances', MetricUnit.Count, report.sweep.stalled.get(type)?.length ?? 0);
      metrics.publishStoredMetrics();
    }
    metrics.addMetric('DispatchDurationMs', MetricUnit.Milliseconds, Math.max(0, Math.round(durationMs)));
    metrics.publishStoredMetrics();
  }
}
