/**
 * `npm run chaos`: episodes of scheduled runs under random faults, round-robin
 * over every API, for a wall-clock duration; prints each episode (with the seed
 * that replays it) and the tally per API. Exits 1 if any episode lost a record,
 * doubled one outside a crash or failure between acknowledgement and
 * checkpoint, or failed to catch up.
 *
 *   npm run chaos                                  10 minutes, a new base seed
 *   npm run chaos -- --minutes 2 --seed 42         the same episodes as any run with seed 42
 *   npm run chaos -- --replay huawei-dbss:123456   one episode again
 */
import { parseArgs } from 'node:util';
import { fixtures } from '../scenarios/fixtures';
import { runEpisode, type EpisodeReport } from './episode';
import { formatEpisode, formatTally, tally, violations } from './tally';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    seed: { type: 'string' },
    steps: { type: 'string', default: '24' },
    replay: { type: 'string' },
  },
});

const steps = Number(values.steps);
const reports: EpisodeReport[] = [];

async function episode(type: string, seed: number): Promise<void> {
  const fixture = fixtures.find((f) => f.type === type);
  if (!fixture) throw new Error(`unknown API ${type}; one of ${fixtures.map((f) => f.type).join(', ')}`);
  const report = await runEpisode(fixture, { seed, steps });
  reports.push(report);
  console.log(formatEpisode(report));
  for (const sample of report.samples) console.log(`    ${sample}`);
}

/** murmur3's 32-bit finalizer: nearby inputs give unrelated outputs. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The i-th episode's seed, hashed: mulberry32 steps its state by a constant,
 * so seeds a constant apart would replay one stream shifted by a draw.
 */
const episodeSeed = (base: number, i: number) => mix((mix(base) + i) >>> 0);

if (values.replay) {
  const [type, seed] = values.replay.split(':');
  await episode(type!, Number(seed));
} else {
  const base = values.seed !== undefined ? Number(values.seed) : Date.now() % 2 ** 31;
  const until = performance.now() + Number(values.minutes) * 60_000;
  console.log(`chaos: base seed ${base}, ${steps} faulty invocations per episode, ${values.minutes} min; replay one with --replay <api>:<seed>`);
  for (let i = 0; performance.now() < until; i++) {
    await episode(fixtures[i % fixtures.length]!.type, episodeSeed(base, i));
  }
}

console.log(`\n${formatTally(tally(reports))}`);
const failed = reports.filter((report) => violations(report).length > 0);
if (failed.length > 0) {
  console.log(`\n${failed.length} episode(s) failed; replay with:`);
  for (const report of failed) console.log(`  npm run chaos -- --replay ${report.api}:${report.seed} --steps ${steps}`);
  process.exitCode = 1;
}
