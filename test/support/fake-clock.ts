import type { Clock } from '../../shared/lib/clock';

/**
 * A Clock that only moves when told to. `sleep` resolves once `advance` has
 * moved time past its deadline, or at once (moving time) with `autoAdvance`,
 * so code that waits can run on simulated time without real delays.
 */
export class FakeClock implements Clock {
  private current: number;
  private sleepers: { until: number; resolve: () => void }[] = [];

  constructor(start = Date.UTC(2025, 0, 1), private readonly options: { autoAdvance?: boolean } = {}) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.set(this.current + ms);
  }

  set(epochMs: number): void {
    if (epochMs < this.current) throw new Error('FakeClock cannot go backwards');
    this.current = epochMs;
    const due = this.sleepers.filter((s) => s.until <= epochMs);
    this.sleepers = this.sleepers.filter((s) => s.until > epochMs);
    for (const s of due) s.resolve();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.options.autoAdvance) {
      this.advance(Math.max(0, ms));
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const sleeper = {
        until: this.current + Math.max(0, ms),
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (sleeper.until <= this.current) sleeper.resolve();
      else this.sleepers.push(sleeper);
    });
  }
}
