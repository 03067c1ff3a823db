import type { Clock } from '../../shared/lib/clock';

interface Sleeper {
  until: number;
  /** Tie-breaker: sleepers due at the same instant wake in the order they fell asleep. */
  seq: number;
  wake(): void;
}

/**
 * Simulated time for code that runs concurrently against real servers (the
 * scenario suite: parallel lanes, a provider simulator, dynalite, Firehose).
 *
 * Unlike FakeClock's `autoAdvance`, which moves time forward the moment
 * anyone sleeps (so the sleeps of concurrent lanes add up, and a lane's clock
 * may run ahead of a request another lane has only just sent), this clock
 * behaves like a discrete-event scheduler:
 *
 * - Sleeps wake in order of their deadlines. Time jumps to the earliest
 *   deadline only, so concurrent sleeps overlap as they would in real time:
 *   two lanes sleeping 100 ms from t both wake at t + 100.
 * - Time stands still while work registered with `hold` (a request on its way
 *   to a simulator) is pending, so the simulator stamps each request with the
 *   simulated instant it was sent. A client pacing its requests 100 ms apart
 *   is seen 100 ms apart, never bunched into one instant by other lanes'
 *   sleeps that ran meanwhile.
 *
 * Time advances one step per macrotask (`setImmediate`), after the woken
 * code has run its synchronous and microtask continuation, e.g. up to the
 * `fetch` its rate limiter was waiting to make. Between runs a scenario moves
 * the clock explicitly (`advance`, `set`), as the schedule would.
 */
export class SimulatedClock implements Clock {
  private current: number;
  private sleepers: Sleeper[] = [];
  private seq = 0;
  private holds = 0;
  private stepScheduled = false;

  constructor(start: number) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.set(this.current + ms);
  }

  /** Move to `epochMs` (never backwards), waking every sleeper due by then. */
  set(epochMs: number): void {
    if (epochMs < this.current) throw new Error('SimulatedClock cannot go backwards');
    this.current = epochMs;
    this.wakeDue();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal?.reason);
      };
      const sleeper: Sleeper = {
        until: this.current + Math.max(0, ms),
        seq: ++this.seq,
        wake: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const at = this.sleepers.findIndex((s) => s.until > sleeper.until);
      if (at < 0) this.sleepers.push(sleeper);
      else this.sleepers.splice(at, 0, sleeper);
      this.schedule();
    });
  }

  /** Keep time still until `work` settles; returns `work` itself. */
  hold<T>(work: Promise<T>): Promise<T> {
    this.holds++;
    const release = () => {
      this.holds--;
      this.schedule();
    };
    work.then(release, release);
    return work;
  }

  /** Sleepers not yet woken (for tests of the clock itself). */
  get pendingSleeps(): number {
    return this.sleepers.length;
  }

  private schedule(): void {
    if (this.stepScheduled) return;
    this.stepScheduled = true;
    setImmediate(() => {
      this.stepScheduled = false;
      this.step();
    });
  }

  /** Jump to the earliest deadline and wake everyone due then, unless something holds time still. */
  private step(): void {
    if (this.holds > 0 || this.sleepers.length === 0) return;
    this.current = Math.max(this.current, this.sleepers[0]!.until);
    this.wakeDue();
  }

  private wakeDue(): void {
    const due: Sleeper[] = [];
    while (this.sleepers.length > 0 && this.sleepers[0]!.until <= this.current) due.push(this.sleepers.shift()!);
    for (const sleeper of due) sleeper.wake();
    if (this.sleepers.length > 0) this.schedule();
  }
}
