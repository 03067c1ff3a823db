import type { AlertRouteReport } from './ports/detection';
import type { TimeWindow } from './ports/source';
import type { RunProgress, RunSummary } from './run-options';

/** What delivering one page did. */
export interface PageResult {
  window: TimeWindow;
  /** The page was its window's last. */
  windowCompleted: boolean;
  pulled: number;
  /** Documents delivered for the page's records (alerts not included). */
  delivered: number;
  mappingErrors: number;
  lateRecords: number;
  aheadRecords: number;
  alertsRaised: number;
  /** The retries the page's fetch made, and how many answered throttling. */
  retries: { total: number; throttled: number };
}

/** The figures of one run, added up from its page results; the only writer of its summary. */
export class RunTally {
  private readonly summary: RunSummary;

  constructor(sourceId: string) {
    this.summary = {
      sourceId,
      pages: 0,
      pulled: 0,
      delivered: 0,
      mappingErrors: 0,
      retries: 0,
      throttledRetries: 0,
      lateRecords: 0,
      aheadRecords: 0,
      windowsCompleted: 0,
      skippedSeconds: 0,
      alerts: { raised: 0, published: 0, suppressed: 0, deferred: 0 },
      stoppedBy: 'caught-up',
      durationMs: 0,
    };
  }

  /** A page delivered and checkpointed. */
  addPage(page: PageResult): void {
    const summary = this.summary;
    summary.window = { start: page.window.start, end: page.window.end };
    summary.pages++;
    summary.pulled += page.pulled;
    summary.delivered += page.delivered;
    summary.mappingErrors += page.mappingErrors;
    summary.lateRecords += page.lateRecords;
    summary.aheadRecords += page.aheadRecords;
    summary.alerts.raised += page.alertsRaised;
    this.addRetries(page.retries);
    if (page.windowCompleted) summary.windowsCompleted++;
  }

  /** Retries made by a fetch whether or not it brought a page. */
  addRetries(retries: PageResult['retries']): void {
    this.summary.retries += retries.total;
    this.summary.throttledRetries += retries.throttled;
  }

  /** What the alert router did with this run's alerts (or earlier runs' deferred ones). */
  addAlertReport(report: AlertRouteReport): void {
    this.summary.alerts.published += report.published;
    this.summary.alerts.suppressed += report.suppressed;
    this.summary.alerts.deferred += report.deferred;
  }

  skipped(seconds: number): void {
    this.summary.skippedSeconds = seconds;
  }

  get delivered(): number {
    return this.summary.delivered;
  }

  /** A copy of the figures so far: what a failed run got through. */
  progress(): RunSummary {
    return { ...this.summary, alerts: { ...this.summary.alerts } };
  }

  /** The run's summary as it ended. */
  finish(ending: Pick<RunSummary, 'stoppedBy' | 'cursor' | 'durationMs' | 'heldBy'>): RunSummary {
    return { ...this.progress(), ...ending };
  }
}

export type { RunProgress };
