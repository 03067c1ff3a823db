import type { Clock } from '../lib/clock';
import type { Log } from '../lib/logger';
import type { Cursor, CursorStore } from './ports/cursor-store';
import type { AlertRouter, Detector } from './ports/detection';
import type { Sink } from './ports/sink';
import type { Source, TimeWindow } from './ports/source';
import type { StartPoint } from './windows';

/** What one pull asks for. */
export interface PullRequest {
  sourceId: string;
  source: Source;
  /** Unique per invocation: the lease owner (the Lambda request id, or a CLI run id). */
  owner: string;
  lagSeconds: number;
  start: StartPoint;
  /** Stop at this time (unix seconds) instead of now - lag: a bounded pull such as a backfill. */
  until?: number;
  /** Epoch ms by which the run must be completely finished (the Lambda deadline). */
  deadline: number;
  /** Kept back to deliver and checkpoint the last pages; default the Puller's (30 s unless wired otherwise). */
  reserveMs?: number;
  /**
   * Windows paged side by side when catching up a backlog; default 4. A page
   * token chain is strictly sequential, so one window moves at one round trip
   * per page; several keep the API busy up to its rate limit, which the
   * source's client enforces across all of them.
   */
  parallelWindows?: number;
  /** Told the run's figures after every acknowledged page. */
  onProgress?: (progress: RunProgress) => void;
  /**
   * Aborted to stop the run early (Ctrl-C on a local run): like the time
   * budget running out, no new page is requested, the request in flight is
   * aborted, what was fetched is delivered and checkpointed, and the lease is
   * released; the run ends `interrupted`. The Lambda never sets it.
   */
  signal?: AbortSignal;
}

/** A pull with wiring of its own: the request plus what a Puller is wired with. */
export interface RunOptions extends PullRequest {
  store: CursorStore;
  sink: Sink;
  /** Detection rules evaluated on every document; their alerts travel to the sink beside the events. */
  detector?: Detector;
  /** Where alerts are published (after dedup) before the page that raised them is checkpointed. */
  alerts?: AlertRouter;
  clock?: Clock;
  log?: Log;
}

export interface RunProgress {
  sourceId: string;
  /** The window whose page was delivered last. */
  window?: TimeWindow;
  pages: number;
  pulled: number;
  delivered: number;
  /** Records delivered raw as `pipeline_error` because they could not be mapped. */
  mappingErrors: number;
  /** Requests the provider clients tried again, for any reason. */
  retries: number;
  /** Of those, the ones the provider had throttled. */
  throttledRetries: number;
}

export interface RunSummary extends RunProgress {
  /**
   * `caught-up`: nothing older than now - lag is left; `time-budget`: stopped to finish in time;
   * `interrupted`: stopped early by the request's signal; `lease-held`: another run owns the source (nothing was pulled).
   */
  stoppedBy: 'caught-up' | 'time-budget' | 'interrupted' | 'lease-held';
  /** With `lease-held`: the run holding the lease, and when its lease ends (epoch ms). */
  heldBy?: { owner: string; until: number };
  lateRecords: number;
  aheadRecords: number;
  windowsCompleted: number;
  /** Seconds the cursor jumped because they fell out of the provider's retention. */
  skippedSeconds: number;
  alerts: { raised: number; published: number; suppressed: number; deferred: number };
  cursor?: Cursor;
  durationMs: number;
}
