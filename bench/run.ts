import { parseArgs } from 'node:util';
import { benchApis } from './apis';
import { benchDrain } from './drain';
import { benchNormalize } from './normalize';
import { benchPullRate } from './pull-rate';

/**
 * `npm run bench`: normalize cost, pull rate against each API's documented
 * limit, and peak memory draining a large backlog. Figures are printed as
 * Markdown tables for the README; nothing here asserts a speed.
 */
const { values } = parseArgs({
  options: {
    only: { type: 'string', multiple: true },
    api: { type: 'string', multiple: true },
    /** Each API's backlog for the pull benchmark: this many seconds at its ceiling. */
    'pull-seconds': { type: 'string', default: '15' },
    'drain-events': { type: 'string', default: '1000000' },
    /** The drain benchmark's API (the memory figure does not depend on the API's pace). */
    'drain-api': { type: 'string', default: 'tencent-cloudaudit' },
  },
});
const wanted = (part: string) => !values.only || values.only.includes(part);
const apis = benchApis.filter((api) => !values.api || values.api.includes(api.type));
const fixed = (value: number, digits = 0) => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const out = (line = '') => process.stdout.write(`${line}\n`);
out(`cloudtap benchmarks — node ${process.version}, ${new Date().toISOString()}`);

if (wanted('normalize')) {
  out('\n### Normalize (one core)\n');
  out('| API | events | bare JSON.parse+stringify ev/s | parse + map to ECS + NDJSON ev/s | ratio |');
  out('|---|---:|---:|---:|---:|');
  for (const api of apis) {
    const r = benchNormalize(api);
    out(`| ${r.type} | ${fixed(r.events)} | ${fixed(r.bareEventsPerSecond)} | ${fixed(r.normalizedEventsPerSecond)} | ${fixed(r.ratio, 2)} |`);
  }
}

if (wanted('pull')) {
  out('\n### Pull rate against the simulator at the documented limit\n');
  out('| API | events | latency | seconds | requests/s | events/s | ceiling ev/s | fraction |');
  out('|---|---:|---|---:|---:|---:|---:|---:|');
  for (const api of apis) {
    const ceiling = api.requestsPerSecond * api.pageSize;
    const r = await benchPullRate(api, ceiling * Number(values['pull-seconds']));
    out(`| ${r.type} | ${fixed(r.events)} | ${r.latency} | ${fixed(r.seconds, 1)} | ${fixed(r.requestsPerSecond, 1)} | ${fixed(r.eventsPerSecond)} | ${fixed(ceiling)} | ${fixed(r.fractionOfCeiling, 2)} |`);
  }
}

if (wanted('drain')) {
  out('\n### Draining a backlog (no rate limit, no latency; pipeline in its own process)\n');
  out('| API | events | seconds | events/s | peak RSS MiB | peak heap MiB |');
  out('|---|---:|---:|---:|---:|---:|');
  for (const api of benchApis.filter((candidate) => candidate.type === values['drain-api'])) {
    const r = await benchDrain(api, Number(values['drain-events']));
    out(`| ${r.type} | ${fixed(r.events)} | ${fixed(r.seconds, 1)} | ${fixed(r.events / r.seconds)} | ${fixed(r.peakRssMiB)} | ${fixed(r.peakHeapMiB)} |`);
  }
}
