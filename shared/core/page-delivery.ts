import type { Clock } from '../lib/clock';
import type { Log } from '../lib/logger';
import { mapPage } from './map-page';
import type { AlertRouteReport, AlertRouter, Detector } from './ports/detection';
import type { Sink } from './ports/sink';
import type { Page, Source, TimeWindow } from './ports/source';
import type { PageResult } from './tally';

export interface PageDeliveryOptions {
  sourceId: string;
  source: Source;
  sink: Sink;
  detector?: Detector;
  alerts?: AlertRouter;
  /** Told what the router did with the page's alerts as soon as it did it. */
  onAlertReport: (report: AlertRouteReport) => void;
  clock: Clock;
  log: Log;
}

/**
 * Map one page, evaluate the rules on it, deliver events and alerts, and
 * route the alerts. Returns what it did; checkpointing is the caller's.
 */
export async function deliverPage(
  options: PageDeliveryOptions,
  window: TimeWindow,
  page: Page<unknown>,
  windowCompleted: boolean,
): Promise<PageResult> {
  const { source, sink, sourceId, detector, alerts: router, clock, log } = options;
  const mapped = mapPage(source, page.records, window, {
    sourceId,
    ingested: new Date(clock.now()).toISOString(),
    requestId: page.requestId,
    occurrences: page.occurrences,
  });
  const alerts = detector?.evaluate(mapped.documents) ?? [];
  const documents = alerts.length > 0 ? [...mapped.documents, ...alerts.map((alert) => alert.document)] : mapped.documents;
  if (documents.length > 0) await sink.deliver(documents);
  // Alerts are out (or safely deferred) before the page counts as done: a crash
  // before the checkpoint repeats the page, and the router's dedup keeps a
  // repeated alert from being published twice.
  if (alerts.length > 0 && router) options.onAlertReport(await router.route(alerts));
  if (mapped.mappingErrors > 0) {
    log.warn('records delivered raw because they could not be mapped', { sourceId, requestId: page.requestId, count: mapped.mappingErrors });
  }
  if (mapped.invalidUtf8 > 0) {
    log.warn('records carried bytes that were not UTF-8; delivered with U+FFFD in their place, tagged cloudtap_invalid_utf8', {
      sourceId,
      requestId: page.requestId,
      count: mapped.invalidUtf8,
    });
  }
  return {
    window: { start: window.start, end: window.end },
    windowCompleted,
    pulled: page.records.length,
    delivered: mapped.documents.length,
    mappingErrors: mapped.mappingErrors,
    lateRecords: mapped.lateRecords,
    aheadRecords: mapped.aheadRecords,
    alertsRaised: alerts.length,
    retries: page.retries ?? { total: 0, throttled: 0 },
  };
}
