import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchApi } from './apis';

export interface DrainResult {
  type: string;
  events: number;
  seconds: number;
  peakRssMiB: number;
  peakHeapMiB: number;
}

/**
 * Drain a large backlog as fast as the simulator answers (no rate limit, no
 * latency) and report the pipeline's peak memory. The pipeline runs in a
 * child process so the simulator's own copy of the backlog is not counted.
 */
export async function benchDrain(api: BenchApi, events: number): Promise<DrainResult> {
  const now = Math.floor(Date.now() / 1000);
  const simulator = await api.start({ count: events, from: now - 20 * 86_400, to: now - 3600, seed: 11, enforceRateLimit: false });
  try {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./drain-child.ts', import.meta.url)), api.type, simulator.endpoint, String(events)],
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
