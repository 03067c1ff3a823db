import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { registry } from '../shared/providers/registry';
import type { BenchApi } from './apis';

export interface DrainResult {
  type: string;
  events: number;
  seconds: number;
  peakRssMiB: number;
  peakHeapMiB: number;
  /** CPU (user + system) the pipeline's process spent per event, pulling to checkpoint. */
  cpuMicrosPerEvent: number;
}

/**
 * Drain a large backlog as fast as the simulator answers (no rate limit, no
 * latency) and report the pipeline's peak memory and CPU per event (with
 * `detect`, the default rule pack evaluated on every event). The pipeline runs
 * in a child process so the simulator's own work and copy of the backlog are
 * not counted.
 */
export async function benchDrain(api: BenchApi, events: number, options: { detect?: boolean } = {}): Promise<DrainResult> {
  const now = Math.floor(Date.now() / 1000);
  // 20 days of backlog, or what the API keeps if that is less (some serve only 7 days).
  const span = Math.min(20 * 86_400, registry.get(api.type)!.retentionSeconds - 2 * 3600);
  const simulator = await api.start({ count: events, from: now - span, to: now - 3600, seed: 11, enforceRateLimit: false });
  try {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./drain-child.ts', import.meta.url)), api.type, simulator.endpoint, String(events), options.detect ? 'detect' : 'no-detect'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (code !== 0) throw new Error(`drain child exited with ${code}: ${output}`);
    return { type: api.type, ...(JSON.parse(output) as Omit<DrainResult, 'type'>) };
  } finally {
    await simulator.close();
  }
}
