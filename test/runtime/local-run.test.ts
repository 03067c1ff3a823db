import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load';
import type { Lease, RunOutcome } from '../../shared/core/ports/cursor-store';
import { FileCursorStore } from '../../shared/cursor/file-store';
import { silentLog } from '../../shared/lib/logger';
import { registry } from '../../shared/providers/registry';
import { runLocalOnce } from '../../shared/runtime/local';
import { simulatedApis } from '../../simulators/catalog';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The real file store, watching how many leases are held at once: one per pull in progress. */
class LeaseWatchingStore extends FileCursorStore {
  held = 0;
  mostHeld = 0;

  override async acquire(sourceId: string, owner: string, ttlMs: number) {
    const acquired = await super.acquire(sourceId, owner, ttlMs);
    this.mostHeld = Math.max(this.mostHeld, ++this.held);
    return acquired;
  }

  override async release(lease: Lease, outcome: RunOutcome) {
    this.held--;
    return super.release(lease, outcome);
  }
}

describe('runLocalOnce over many instances', () => {
  const api = simulatedApis.find((candidate) => candidate.type === 'ucloud-operations')!;
  const now = Math.floor(Date.now() / 1000);

  it('pulls no more than `parallel` instances at once, and every one of them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cloudtap-local-run-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const simulator = await api.start({ count: 40, from: now - 3 * 86_400, to: now - 86_400, seed: 5, enforceRateLimit: false });
    cleanups.push(() => simulator.close());
    const config = parseConfig(
      {
        sources: Array.from({ length: 24 }, (_, i) => ({ id: `ops-${i}`, type: api.type, endpoint: simulator.endpoint, start: '4d', ...api.instanceInput })),
        local: { stateDir: join(dir, 'state'), output: join(dir, 'events.ndjson') },
      },
      registry,
    );
    const env = Object.fromEntries(Object.entries(api.credentials).map(([field, value]) => [config.sources[0]!.credentialEnv[field]!, value]));
    const store = new LeaseWatchingStore({ directory: config.local.stateDir, log: silentLog });
    const finished: string[] = [];

    const results = await runLocalOnce({ config, registry, env, log: silentLog, alertConsole: false, store, parallel: 4, onResult: (result) => finished.push(result.sourceId) });

    expect(results.map((result) => result.ok)).toEqual(Array(24).fill(true));
    expect(results.map((result) => result.sourceId)).toEqual(config.sources.map((source) => source.id));
    expect(results.map((result) => (result.ok ? result.summary.delivered : -1))).toEqual(Array(24).fill(40));
    expect(store.mostHeld).toBe(4);
    expect(finished.sort()).toEqual(config.sources.map((source) => source.id).sort());
  });

  it('shares one pace among the instances behind one credential set: never over the documented rate, never throttled', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cloudtap-local-pace-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    // The simulator answers the API's throttling error past 5 requests in any second from one key.
    const simulator = await api.start({ count: 30, from: now - 20 * 3600, to: now - 2 * 3600, seed: 6, enforceRateLimit: true });
    cleanups.push(() => simulator.close());
    const config = parseConfig(
      {
        credentials: { 'ops-account': { vendor: 'ucloud' } },
        sources: Array.from({ length: 10 }, (_, i) => ({ id: `ops-${i}`, type: api.type, endpoint: simulator.endpoint, start: '1d', credentials: 'ops-account', ...api.instanceInput })),
        local: { stateDir: join(dir, 'state'), output: join(dir, 'events.ndjson') },
      },
      registry,
    );
    const env = Object.fromEntries(Object.entries(api.credentials).map(([field, value]) => [config.sources[0]!.credentialEnv[field]!, value]));

    const results = await runLocalOnce({ config, registry, env, log: silentLog, alertConsole: false, parallel: 10 });

    expect(results.map((result) => (result.ok ? result.summary.delivered : result.error.message))).toEqual(Array(10).fill(30));
    const [stats, ...others] = simulator.rateStats();
    expect(others).toEqual([]);
    expect(stats!.requests).toBeGreaterThanOrEqual(10);
    expect(stats!.throttled).toBe(0);
    expect(stats!.maxPerSecond).toBeLessThanOrEqual(5);
  });
});
