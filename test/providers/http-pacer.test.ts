/**
 * A shared pacer reaches the wire: every source a definition builds hands
 * SourceFactoryArgs.pacer to its client's Transport, which takes a slot from
 * it before each attempt instead of pacing itself alone.
 */
import { describe, expect, it } from 'vitest';
import type { RequestPacer } from '../../shared/core/ports/pacer';
import { silentLog } from '../../shared/lib/logger';
import { RateLimiter } from '../../shared/lib/rate-limiter';
import type { SourceInstanceConfig } from '../../shared/providers/definition';
import { Transport } from '../../shared/providers/http';
import { registry } from '../../shared/providers/registry';
import { simulatedApis } from '../../simulators/catalog';
import { FakeClock } from '../support/fake-clock';

const RETRY = { attempts: 3, baseDelayMs: 1, maxDelayMs: 1, random: () => 0 };

/** A pacer that refuses every slot, naming itself: a request that reaches the wire did not ask it. */
class RefusingPacer implements RequestPacer {
  takes = 0;
  async take(): Promise<void> {
    this.takes++;
    throw new Error('refused by the shared pacer');
  }
}

describe('Transport with a shared pacer', () => {
  it('takes a slot from the given pacer before each attempt, and none from a limiter of its own', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1), { autoAdvance: true });
    // One pacer at 2 per second shared by two transports documented at 1000 per second each.
    const shared = new RateLimiter(2, 1, clock);
    const transports = [0, 1].map(() => new Transport({ requestsPerSecond: 1000, clock, pacer: shared }, RETRY));
    const sentAt: number[] = [];
    await Promise.all(transports.flatMap((transport) => [1, 2, 3].map(() => transport.run(async () => sentAt.push(clock.now()), undefined, () => {}))));
    const sorted = sentAt.sort((a, b) => a - b);
    // Six requests at the shared pacer's 2 per second: 500 ms apart, whatever each transport's own rate.
    expect(sorted.map((t) => t - sorted[0]!)).toEqual([0, 500, 1000, 1500, 2000, 2500]);
  });

  it.each([...registry.keys()])('%s: the source passes SourceFactoryArgs.pacer through to its client', async (type) => {
    const definition = registry.get(type)!;
    // Valid settings and fake keys for building the source, as its simulator serves them (nothing is sent).
    const api = simulatedApis.find((candidate) => candidate.type === type)!;
    const { region = 'ap-guangzhou', options = {} } = api.instanceInput as { region?: string; options?: Record<string, unknown> };
    const pacer = new RefusingPacer();
    const instance: SourceInstanceConfig = {
      id: `pacer-${type}`,
      type,
      region,
      endpoint: 'http://127.0.0.1:9',
      schedule: 'rate(5 minutes)',
      lagSeconds: 60,
      start: { lookbackSeconds: 3600 },
      credentialSet: 'shared-set',
      credentialEnv: {},
      enabled: true,
      options: definition.optionsSchema.parse(options) as Record<string, unknown>,
    };
    const source = definition.create({ instance, credentials: api.credentials, clock: new FakeClock(), log: silentLog, pacer });
    const now = Math.floor(Date.UTC(2026, 0, 1) / 1000);
    await expect(source.fetchPage({ window: { start: now - 3600, end: now } })).rejects.toThrow('refused by the shared pacer');
    expect(pacer.takes).toBe(1);
  });
});
