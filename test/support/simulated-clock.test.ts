import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../shared/lib/rate-limiter';
import { SimulatedClock } from './simulated-clock';

const T0 = Date.UTC(2025, 5, 2, 8, 0, 0);

describe('SimulatedClock', () => {
  it('wakes sleepers in deadline order, concurrent sleeps overlapping rather than adding up', async () => {
    const clock = new SimulatedClock(T0);
    const woke: [string, number][] = [];
    const nap = (name: string, ms: number) => clock.sleep(ms).then(() => woke.push([name, clock.now() - T0]));
    await Promise.all([nap('long', 300), nap('short', 100), nap('same', 100), nap('zero', 0)]);
    expect(woke).toEqual([
      ['zero', 0],
      ['short', 100],
      ['same', 100],
      ['long', 300],
    ]);
    expect(clock.now() - T0).toBe(300);
  });

  it('stands still while held work is pending, then moves on', async () => {
    const clock = new SimulatedClock(T0);
    let release!: () => void;
    const held = clock.hold(new Promise<void>((resolve) => (release = resolve)));
    let woke = false;
    const sleeping = clock.sleep(1_000).then(() => (woke = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect({ woke, now: clock.now() - T0 }).toEqual({ woke: false, now: 0 });
    release();
    await held;
    await sleeping;
    expect(clock.now() - T0).toBe(1_000);
  });

  it('keeps a paced client paced: grants stay 1/rate apart whatever else sleeps meanwhile', async () => {
    const clock = new SimulatedClock(T0);
    const limiter = new RateLimiter(5, 1, clock);
    const granted: number[] = [];
    const lane = async (rounds: number, thinkMs: number) => {
      for (let i = 0; i < rounds; i++) {
        await limiter.take();
        granted.push(clock.now() - T0);
        // Another lane's work, e.g. a retry backoff or a slow page, in simulated time.
        await clock.sleep(thinkMs);
      }
    };
    await Promise.all([lane(3, 50), lane(3, 700), lane(3, 0)]);
    // Grants in order: 0, 200, 400 (one per lane), then the two quick lanes queue (600, 800, 1000),
    // the slow lane is back at 200 + 700 = 900 and waits its turn behind them (1200), and so on.
    expect(granted).toEqual([0, 200, 400, 600, 800, 1000, 1200, 1400, 2100]);
    granted.slice(1).forEach((at, i) => expect(at - granted[i]!).toBeGreaterThanOrEqual(200));
  });

  it('rejects an aborted sleep and forgets it', async () => {
    const clock = new SimulatedClock(T0);
    const controller = new AbortController();
    const sleeping = clock.sleep(500, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    expect(clock.pendingSleeps).toBe(0);
    await expect(clock.sleep(1, controller.signal)).rejects.toThrow('stop');
    expect(() => clock.set(T0 - 1)).toThrow(/backwards/);
  });
});
