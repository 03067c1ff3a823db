import type { Clock } from '../lib/clock';

/** Why the run itself stopped pulling: time ran out, or the run was interrupted (Ctrl-C locally). */
export type PullStop = 'time-budget' | 'interrupted';

/**
 * The time a run may spend pulling. It ends `reserveMs` before the hard
 * deadline (the Lambda timeout) so the last page can still be delivered and
 * checkpointed, or earlier when `interrupt` aborts: an interrupted run ends
 * the same way, only sooner.
 */
export class TimeBudget {
  constructor(
    private readonly clock: Clock,
    /** Epoch ms by which the run must be completely done. */
    readonly deadline: number,
    /** Kept back for delivering and checkpointing the page in flight. */
    readonly reserveMs: number,
    /** Aborted to stop pulling at once (a signal to the local process); the Lambda never sets it. */
    private readonly interrupt?: AbortSignal,
  ) {}

  /** Epoch ms after which no new page is requested. */
  get pullUntil(): number {
    return this.deadline - this.reserveMs;
  }

  get interrupted(): boolean {
    return this.interrupt?.aborted ?? false;
  }

  canStartPage(): boolean {
    return !this.interrupted && this.clock.now() < this.pullUntil;
  }

  /** A signal that aborts an in-flight request when pulling time is up or the run is interrupted. */
  pullSignal(): { signal: AbortSignal; dispose(): void; cancel(): void } {
    const controller = new AbortController();
    const remaining = Math.max(0, this.pullUntil - this.clock.now());
    const timer = setTimeout(() => controller.abort(new PullingStopped('time-budget')), remaining);
    const onInterrupt = () => controller.abort(new PullingStopped('interrupted'));
    this.interrupt?.addEventListener('abort', onInterrupt, { once: true });
    const dispose = () => {
      clearTimeout(timer);
      this.interrupt?.removeEventListener('abort', onInterrupt);
    };
    if (this.interrupted) onInterrupt();
    return {
      signal: controller.signal,
      dispose,
      cancel: () => {
        dispose();
        controller.abort(new PullingStopped('cancelled'));
      },
    };
  }
}

/** The reason a request was aborted by the run itself: not a failure, the run ends cleanly. */
export class PullingStopped extends Error {
  override readonly name = 'PullingStopped';
  /** `cancelled`: the lanes no longer need it (another lane failed, or a prefetch was left behind). */
  constructor(readonly why: PullStop | 'cancelled') {
    super(STOP_MESSAGES[why]);
  }
}

const STOP_MESSAGES: Record<PullingStopped['why'], string> = {
  'time-budget': 'time budget for pulling is spent',
  interrupted: 'the run was interrupted',
  cancelled: 'the request is no longer needed',
};

/** The request ended because the run stopped pulling (out of time or interrupted), not because it failed. */
export function isPullingStopped(error: unknown, signal: AbortSignal): boolean {
  return error instanceof PullingStopped || (signal.aborted && signal.reason instanceof PullingStopped);
}
