import type { Clock } from '../lib/clock';

/**
 * The time a run may spend pulling. It ends `reserveMs` before the hard
 * deadline (the Lambda timeout) so the last page can still be delivered and
 * checkpointed.
 */
export class TimeBudget {
  constructor(
    private readonly clock: Clock,
    /** Epoch ms by which the run must be completely done. */
    readonly deadline: number,
    /** Kept back for delivering and checkpointing the page in flight. */
    readonly reserveMs: number,
  ) {}

  /** Epoch ms after which no new page is requested. */
  get pullUntil(): number {
    return this.deadline - this.reserveMs;
  }

  canStartPage(): boolean {
    return this.clock.now() < this.pullUntil;
  }

  /** A signal that aborts an in-flight request when pulling time is up. */
  pullSignal(): { signal: AbortSignal; dispose(): void; cancel(): void } {
    const controller = new AbortController();
    const remaining = Math.max(0, this.pullUntil - this.clock.now());
    const timer = setTimeout(() => controller.abort(new BudgetExhausted()), remaining);
    return {
      signal: controller.signal,
      dispose: () => clearTimeout(timer),
      cancel: () => {
        clearTimeout(timer);
        controller.abort(new BudgetExhausted());
      },
    };
  }
}

/** The reason a request was aborted by the budget: not a failure, the run ends cleanly. */
export class BudgetExhausted extends Error {
  override readonly name = 'BudgetExhausted';
  constructor() {
    super('time budget for pulling is spent');
  }
}

export function isBudgetExhausted(error: unknown, signal: AbortSignal): boolean {
  return error instanceof BudgetExhausted || (signal.aborted && signal.reason instanceof BudgetExhausted);
}
