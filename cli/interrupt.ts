import { removeFilesInFlightSync } from '../shared/cursor/file-store';
import { EXIT } from './exit-codes';

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** Why a run stopped early: the signal a person (Ctrl-C) or a scheduler (SIGTERM) sent. */
export class Interruption extends Error {
  override readonly name = 'Interruption';
  constructor(readonly signal: StopSignal) {
    super(`interrupted by ${signal}`);
  }

  /** The shell's convention, 128 + the signal's number (cli/exit-codes.ts). */
  get exitCode(): number {
    return this.signal === 'SIGINT' ? EXIT.interrupted : EXIT.terminated;
  }
}

/** The exit code of a run stopped by `signal`; undefined if it was not stopped. Another reason than an Interruption counts as SIGINT. */
export function interruptedExitCode(signal: AbortSignal): number | undefined {
  if (!signal.aborted) return undefined;
  return (signal.reason instanceof Interruption ? signal.reason : new Interruption('SIGINT')).exitCode;
}

export interface InterruptHooks {
  /** The first signal: the run is stopping cleanly. */
  first(interruption: Interruption): void;
  /** The second: called just before the process exits at once (synchronous clean-up only). */
  beforeExit(interruption: Interruption): void;
  /** A signal this soon after the first is the same one delivered twice, not a second Ctrl-C; default 1000 ms. */
  echoMs?: number;
  now?: () => number;
}

/**
 * SIGINT and SIGTERM abort the returned signal: the run stops pulling,
 * delivers and checkpoints what it fetched and releases its leases. A second
 * one exits at once with the same convention's code. `dispose` restores
 * Node's default handling.
 *
 * One Ctrl-C can arrive twice: a terminal signals the whole foreground job,
 * and a launcher in it (tsx, which runs the CLI) relays the signal to its
 * child when the child is slow to confirm it got its own (30 ms). So a signal
 * within `echoMs` of the first one is not taken as the second.
 */
export function interruptOnSignals(hooks: InterruptHooks): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const now = hooks.now ?? Date.now;
  let firstAt = 0;
  const handler = (name: StopSignal) => {
    const interruption = new Interruption(name);
    if (!controller.signal.aborted) {
      firstAt = now();
      controller.abort(interruption);
      hooks.first(interruption);
      return;
    }
    if (now() - firstAt < (hooks.echoMs ?? 1000)) return;
    hooks.beforeExit(interruption);
    process.exit(interruption.exitCode);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/**
 * What a command that pulls does on SIGINT and SIGTERM: say it is stopping
 * cleanly; on a second signal, remove the lock and temp files in flight and
 * exit at once.
 */
export function stopCleanlyOnSignals(warn: (line: string) => void): { signal: AbortSignal; dispose(): void } {
  return interruptOnSignals({
    first: ({ signal }) =>
      warn(`${signal}: stopping: no new requests; what was fetched is delivered and checkpointed, then the lease is released. Again to exit at once.`),
    beforeExit: ({ signal }) => {
      removeFilesInFlightSync();
      process.stderr.write(`\n${signal} again: exiting now; the next run on this host takes over the lease at once\n`);
    },
  });
}
