import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../shared/lib/clock';
import { silentLog } from '../shared/lib/logger';
import { runSource } from '../shared/core/pipeline';
import { defaultRules } from '../shared/config/default-rules';
import { createDetector } from '../shared/detection/engine';
import { FileCursorStore } from '../shared/cursor/file-store';
import { registry } from '../shared/providers/registry';
import { benchApis, createBenchSource } from './apis';
import { CountingSink } from './counting-sink';

/** The measured side of the drain and pipeline benchmarks: pull everything (detecting with the default pack if asked), print figures as JSON. */
const [type, endpoint, expected, detect] = process.argv.slice(2);
const api = benchApis.find((candidate) => candidate.type === type)!;
const directory = await mkdtemp(join(tmpdir(), 'cloudtap-drain-'));
let peakHeap = 0;
const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 50);
const started = Date.now();
const cpuAtStart = process.cpuUsage();
const summary = await runSource({
  sourceId: 'drain',
  source: createBenchSource(api, endpoint!, { clock: systemClock, log: silentLog, requestsPerSecond: 100_000 }),
  store: new FileCursorStore({ directory }),
  sink: new CountingSink(),
  owner: 'drain',
  lagSeconds: 60,
  start: { lookbackSeconds: Math.min(21 * 86_400, registry.get(api.type)!.retentionSeconds) },
  deadline: Date.now() + 3_600_000,
  ...(detect === 'detect' && { detector: createDetector({ rules: defaultRules }) }),
});
const cpu = process.cpuUsage(cpuAtStart);
clearInterval(sampler);
await rm(directory, { recursive: true, force: true });
if (summary.delivered !== Number(expected)) throw new Error(`drained ${summary.delivered} of ${expected} events`);
process.stdout.write(
  JSON.stringify({
    events: summary.delivered,
    seconds: (Date.now() - started) / 1000,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    peakHeapMiB: Math.round(peakHeap / 2 ** 20),
    cpuMicrosPerEvent: (cpu.user + cpu.system) / summary.delivered,
  }),
);
