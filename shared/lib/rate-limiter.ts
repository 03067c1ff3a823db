import { systemClock, type Clock } from './clock';

/**
 * A token bucket holding a client to a provider's documented request rate.
 * Requests are granted in arrival order; `take` waits for the next slot.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly perSecond: number,
    readonly burst: number = perSecond,
    private readonly clock: Clock = systemClock,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Wait for one request slot. */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.waitForToken(signal));
    // A rejected (aborted) waiter must not block those queued behind it.
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async waitForToken(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.clock.sleep(Math.ceil(((1 - this.tokens) / this.perSecond) * 1000), signal);
    }
  }
}
