import { systemClock, type Clock } from '../lib/clock';
import type { Log } from '../lib/logger';
import type { RunProgress, RunSummary } from '../core/run-options';
import type { CloudtapConfig } from '../config/load';
import type { Registry } from '../providers/definition';
import { FileCursorStore } from '../cursor/file-store';
import { localOwner } from '../cursor/local-owner';
import type { CursorStore } from '../core/ports/cursor-store';
import { createLocalSink } from './local-sink';
import type { ConsoleNotifierOptions } from '../alerts/console-notifier';
import { createLocalAlertRouter } from '../alerts/wiring';
import type { AlertRouter } from '../core/ports/detection';
import type { Sink } from '../core/ports/sink';
import { PullAssembly } from './assemble';
import { credentialsFromEnv } from './credentials';

export interface LocalRunOptions {
  config: CloudtapConfig;
  registry: Registry;
  /** Pull only these instances; default all enabled ones. */
  sourceIds?: string[];
  env?: NodeJS.ProcessEnv;
  log: Log;
  clock?: Clock;
  /** How long one pull may run before it checkpoints and stops; default 10 minutes. */
  budgetMs?: number;
  /** Default to the file store in `config.local` and the sink `config.local.sink` names (the NDJSON file unless set). */
  store?: CursorStore;
  sink?: Sink;
  /**
   * The console notifier: each alert printed in full on stderr as it is raised (default, `true`), as
   * these options say, or none (`false`). Alerts always go to `<stateDir>/alerts.ndjson`.
   */
  alertConsole?: boolean | ConsoleNotifierOptions;
  /** Defaults to the local router: dedup and outbox under the state dir, console and NDJSON notifiers. */
  alerts?: AlertRouter;
  onProgress?: (progress: RunProgress) => void;
  /**
   * Aborted on Ctrl-C: every pull stops requesting pages, delivers and
   * checkpoints what it fetched, and releases its lease (`stoppedBy: 'interrupted'`).
   */
  signal?: AbortSignal;
}

export type LocalRunResult = { sourceId: string } & ({ ok: true; summary: RunSummary } | { ok: false; error: Error; durationMs: number });

/** Pull every selected source once, concurrently; one failing source does not stop the others. */
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

  try {
    return await Promise.all(
      instances.map(async (instance): Promise<LocalRunResult> => {
        const startedAt = clock.now();
        try {
          const definition = options.registry.get(instance.type)!;
          const credentials = credentialsFromEnv(definition, instance, env);
          const deadline = clock.now() + (options.budgetMs ?? 600_000);
          const summary = await pulls.pull({ definition, instance, credentials, owner, deadline, onProgress: options.onProgress, signal: options.signal });
          return { sourceId: instance.id, ok: true, summary };
        } catch (error) {
          return { sourceId: instance.id, ok: false, error: error as Error, durationMs: clock.now() - startedAt };
        }
      }),
    );
  } finally {
    // A sink this run built is this run's to release (the Elasticsearch client's sockets); a passed one is the caller's.
    if (!options.sink) await sink.close?.();
  }
}
