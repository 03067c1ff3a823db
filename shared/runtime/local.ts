import pMap from 'p-map';
import { systemClock, type Clock } from '../lib/clock';
import type { Log } from '../lib/logger';
import type { RunProgress, RunSummary } from '../core/run-options';
import type { CloudtapConfig } from '../config/load';
import type { Registry, SourceInstanceConfig } from '../providers/definition';
import { FileCursorStore } from '../cursor/file-store';
import { localOwner } from '../cursor/local-owner';
import type { CursorStore, SkipRecorder } from '../core/ports/cursor-store';
import { createLocalSink } from './local-sink';
import type { ConsoleNotifierOptions } from '../alerts/console-notifier';
import { createLocalAlertRouter } from '../alerts/wiring';
import type { AlertRouter } from '../core/ports/detection';
import type { Sink } from '../core/ports/sink';
import { PullAssembly } from './assemble';
import { credentialsFromEnv } from './credentials';
import { PacerRegistry } from './pacing';

export interface LocalRunOptions {
  config: CloudtapConfig;
  registry: Registry;
  /** Pull only these instances; default all enabled ones. */
  sourceIds?: string[];
  /** How many instances are pulled at once; default DEFAULT_LOCAL_PARALLEL. */
  parallel?: number;
  env?: NodeJS.ProcessEnv;
  log: Log;
  clock?: Clock;
  /** How long one pull may run before it checkpoints and stops; default 10 minutes. */
  budgetMs?: number;
  /** Default to the file store in `config.local` and the sink `config.local.sink` names (the NDJSON file unless set). */
  store?: CursorStore & Partial<SkipRecorder>;
  sink?: Sink;
  /**
   * The console notifier: each alert printed in full on stderr as it is raised (default, `true`), as
   * these options say, or none (`false`). Alerts always go to `<stateDir>/alerts.ndjson`.
   */
  alertConsole?: boolean | ConsoleNotifierOptions;
  /** Defaults to the local router: dedup and outbox under the state dir, console and NDJSON notifiers. */
  alerts?: AlertRouter;
  onProgress?: (progress: RunProgress) => void;
  /** Each instance's result as soon as its pull ends (the run still returns them all, in order). */
  onResult?: (result: LocalRunResult) => void;
  /**
   * Aborted on Ctrl-C: every pull stops requesting pages, delivers and
   * checkpoints what it fetched, and releases its lease (`stoppedBy: 'interrupted'`).
   */
  signal?: AbortSignal;
}

export type LocalRunResult = { sourceId: string; sourceType: string } & ({ ok: true; summary: RunSummary } | { ok: false; error: Error; durationMs: number });

/**
 * Instances pulled at once by default: enough to keep a laptop's network busy
 * with sources that mostly wait on their provider's pace, few enough that
 * hundreds of instances do not open hundreds of connections and files at once.
 */
export const DEFAULT_LOCAL_PARALLEL = 8;

/**
 * Pull every selected source once, `parallel` at a time, results in the
 * configuration's order; one failing source does not stop the others.
 */
export async function runLocalOnce(options: LocalRunOptions): Promise<LocalRunResult[]> {
  const clock = options.clock ?? systemClock;
  const store = options.store ?? new FileCursorStore({ directory: options.config.local.stateDir, clock, log: options.log });
  const env = options.env ?? process.env;
  // Built before anything is pulled: a missing SIEM credential fails the run with a ConfigError naming the variable.
  const sink = options.sink ?? createLocalSink(options.config.local, { env, log: options.log, clock });
  const owner = localOwner();
  const { alerts: alertsConfig, local } = options.config;
  const consoleAlerts = options.alertConsole ?? true;
  const alerts =
    options.alerts ??
    createLocalAlertRouter({
      stateDirectory: local.stateDir,
      console: consoleAlerts === true ? {} : consoleAlerts,
      siemLink: alertsConfig.siemLink,
      clock,
      log: options.log,
    });
  const pulls = new PullAssembly({ store, sink, rules: options.config.rules, alerts, clock, log: options.log, reserveMs: 10_000 });
  const instances = options.config.sources.filter((instance) =>
    options.sourceIds ? options.sourceIds.includes(instance.id) : instance.enabled,
  );

  // Instances behind one credential set, API and scope share one pace, however many run at once.
  const pacers = new PacerRegistry(clock);
  const pullOne = async (instance: SourceInstanceConfig): Promise<LocalRunResult> => {
    const startedAt = clock.now();
    try {
      const definition = options.registry.get(instance.type)!;
      const credentials = credentialsFromEnv(definition, instance, env);
      const deadline = clock.now() + (options.budgetMs ?? 600_000);
      const pacer = pacers.forInstance(definition, instance);
      const summary = await pulls.pull({ definition, instance, credentials, pacer, owner, deadline, onProgress: options.onProgress, signal: options.signal });
      if (summary.stoppedBy === 'lease-held') await store.recordSkip?.(instance.id, { at: clock.now(), reason: 'lease-held', heldBy: summary.heldBy?.owner });
      return { sourceId: instance.id, sourceType: instance.type, ok: true, summary };
    } catch (error) {
      return { sourceId: instance.id, sourceType: instance.type, ok: false, error: error as Error, durationMs: clock.now() - startedAt };
    }
  };

  try {
    return await pMap(
      instances,
      async (instance) => {
        const result = await pullOne(instance);
        options.onResult?.(result);
        return result;
      },
      // After an interruption the pulls not yet started still start, see the aborted signal and stop at once (interrupted).
      { concurrency: options.parallel ?? DEFAULT_LOCAL_PARALLEL },
    );
  } finally {
    // A sink this run built is this run's to release (the Elasticsearch client's sockets); a passed one is the caller's.
    if (!options.sink) await sink.close?.();
  }
}
