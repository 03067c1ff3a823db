import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../shared/lib/clock';
import { silentLog } from '../shared/lib/logger';
import { runSource } from '../shared/core/pipeline';
import { FileCursorStore } from '../shared/cursor/file-store';
import { benchApis, createBenchSource } from './apis';
import { CountingSink } from './counting-sink';

/** The measured side of the drain benchmark: pull everything, print figures as JSON. */
const [type, endpoint, expected] = process.argv.slice(2);
const api = benchApis.find((candidate) => candidate.type === type)!;
const directory = await mkdtemp(join(tmpdir(), 'cloudtap-drain-'));
let peakHeap = 0;
const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 50);
const started = Date.now();
const summary = await runSource({
  sourceId: 'drain',
  source: createBenchSource(api, endpoint!, { clock: systemClock, log: silentLog, requestsPerSecond: 100_000 }),
  store: new FileCursorStore({ directory }),
  sink: new CountingSink(),
  owner: 'drain',
  lagSeconds: 60,
  start: { lookbackSeconds: 21 * 86_400 },
  deadline: Date.now() + 3_600_000,
});
clearInterval(sampler);
await rm(directory, { recursive: true, force: true });
if (summary.delivered !== Number(expected)) throw new Error(`drained ${summary.delivered} of ${expected} events`);
process.stdout.write(
  JSON.stringify({
    events: summary.delivered,
    seconds: (Date.now() - started) / 1000,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    peakHeapMiB: Math.round(peakHeap / 2 ** 20),
  }),
);
