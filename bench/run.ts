import { parseArgs } from 'node:util';
import { benchApis } from './apis';
import { benchCost, FIREHOSE_PRICE } from './cost';
import { benchCompile, benchDetection } from './detection';
import { benchDispatch } from './dispatch';
import { benchDrain } from './drain';
import { benchNormalize } from './normalize';
import { benchPullRate } from './pull-rate';
import { benchColdStart } from './cold-start';
import { benchStartup } from './startup';

/**
 * `npm run bench`: normalize cost, rule evaluation cost, pull rate against each API's documented
 * limit, peak memory draining a large backlog, Firehose's bill per destination, the CLI's start-up, and the dispatcher's
 * overhead and spread of start times, the pipeline's CPU per event and each Lambda bundle's cold start.
 * Figures are printed as Markdown tables for docs/benchmarks.md; with `--json` the tables go to stderr
 * and stdout gets one JSON object of the headline figures (per API, per destination, per handler).
 * Nothing here asserts a speed.
 */
const { values } = parseArgs({
  options: {
    only: { type: 'string', multiple: true },
    api: { type: 'string', multiple: true },
    /** Each API's backlog for the pull benchmark: this many seconds at its ceiling. */
    'pull-seconds': { type: 'string', default: '15' },
    'drain-events': { type: 'string', default: '1000000' },
    /** The drain benchmark's API, by default the first registered (the memory figure does not depend on the API's pace). */
    'drain-api': { type: 'string' },
    /** Realistic events per API for the cost figures. */
    'cost-events': { type: 'string', default: '20000' },
    /** Source instances for the dispatch benchmark. */
    'dispatch-instances': { type: 'string', default: '1000' },
    /** Runs of each start-up variant. */
    'startup-runs': { type: 'string', default: '10' },
    /** Events per API for the pipeline CPU figure. */
    'pipeline-events': { type: 'string', default: '100000' },
    /** Interleaved runs of each Lambda bundle and its SDK-only floor. */
    'coldstart-runs': { type: 'string', default: '15' },
    json: { type: 'boolean', default: false },
  },
});
const wanted = (part: string) => !values.only || values.only.includes(part);
const apis = benchApis.filter((api) => !values.api || values.api.includes(api.type));
const fixed = (value: number, digits = 0) => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const out = (line = '') => (values.json ? process.stderr : process.stdout).write(`${line}\n`);

/** The `--json` report: headline figures by API (and destination) and by Lambda handler. */
const report = { node: process.version, at: new Date().toISOString(), apis: {} as Record<string, Record<string, unknown>>, lambdas: {} as Record<string, Record<string, unknown>> };
const figures = (type: string) => (report.apis[type] ??= {});
const perDestination = (type: string, name: string, destination: string, value: number) => {
  const byDestination = (figures(type)[name] ??= {}) as Record<string, number>;
  byDestination[destination] = value;
};
out(`cloudtap benchmarks — node ${process.version}, ${new Date().toISOString()}`);

if (wanted('normalize')) {
  out('\n### Normalize (one core)\n');
  out('| API | events | floor: parse pages + stringify documents ev/s | parse + map to ECS + NDJSON ev/s | ratio |');
  out('|---|---:|---:|---:|---:|');
  for (const api of apis) {
    const r = benchNormalize(api);
    out(`| ${r.type} | ${fixed(r.events)} | ${fixed(r.bareEventsPerSecond)} | ${fixed(r.normalizedEventsPerSecond)} | ${fixed(r.ratio, 2)} |`);
    figures(r.type).normalizeRatio = r.ratio;
  }
}

if (wanted('detection')) {
  out('\n### Detection: the whole default rule pack (one core)\n');
  out(`Validating and compiling the pack: ${fixed(benchCompile(), 0)} µs, once per cold start.\n`);
  out('| API | events | rules | alerts raised | parse + map + NDJSON ev/s | rules ev/s, alerts built | rules ev/s, events raising none | detection share of CPU |');
  out('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const api of apis) {
    const r = benchDetection(api);
    out(`| ${r.type} | ${fixed(r.events)} | ${r.rules} | ${fixed(r.alerts)} | ${fixed(r.normalizedEventsPerSecond)} | ${fixed(r.detectionEventsPerSecond)} | ${fixed(r.quietEventsPerSecond)} | ${fixed(r.detectionShare * 100, 1)}% |`);
  }
}

if (wanted('pull')) {
  out('\n### Pull rate against the simulator at the documented limit\n');
  out('| API | events | latency | seconds | requests/s | events/s | ceiling ev/s | fraction | throttled |');
  out('|---|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const api of apis) {
    const ceiling = api.requestsPerSecond * api.pageSize;
    const r = await benchPullRate(api, ceiling * Number(values['pull-seconds']));
    out(`| ${r.type} | ${fixed(r.events)} | ${r.latency} | ${fixed(r.seconds, 1)} | ${fixed(r.requestsPerSecond, 1)} | ${fixed(r.eventsPerSecond)} | ${fixed(ceiling)} | ${fixed(r.fractionOfCeiling, 2)} | ${fixed(r.throttledShare * 100, 1)}% |`);
    Object.assign(figures(r.type), { pullFraction: r.fractionOfCeiling, throttledShare: r.throttledShare });
  }
}

if (wanted('drain')) {
  out('\n### Draining a backlog (no rate limit, no latency; pipeline in its own process)\n');
  out('| API | events | seconds | events/s | peak RSS MiB | peak heap MiB |');
  out('|---|---:|---:|---:|---:|---:|');
  const drainType = values['drain-api'] ?? benchApis[0]!.type;
  for (const api of benchApis.filter((candidate) => candidate.type === drainType)) {
    const r = await benchDrain(api, Number(values['drain-events']));
    out(`| ${r.type} | ${fixed(r.events)} | ${fixed(r.seconds, 1)} | ${fixed(r.events / r.seconds)} | ${fixed(r.peakRssMiB)} | ${fixed(r.peakHeapMiB)} |`);
  }
}

if (wanted('cost')) {
  const mib = (bytes: number) => fixed(bytes / 2 ** 20, 1);
  const dollars = (value: number) => `$${fixed(value, 3)}`;
  out('\n### Firehose cost per million events\n');
  out(
    `Billed bytes: each record rounded up to 5 KB (5,120 bytes). Price: Direct PUT ingestion, ${FIREHOSE_PRICE.region}, ` +
      `$${FIREHOSE_PRICE.usdPerGB}/GB (${FIREHOSE_PRICE.tier}; GB = 2^30 bytes). Packed = each page the pipeline delivers, packed into records ` +
      'of up to 1,000 KiB (and 500 events for the de-aggregating S3 and Security Lake streams). Dynamic partitioning, backup and destination charges are not included; ' +
      "Security Lake's Parquet conversion is billed per GB of the same billed bytes (docs/destinations/security-lake.md).\n",
  );
  out('| API | destination | mean event bytes | events/record packed | billed MiB packed | billed MiB one per record | $ packed | $ one per record | saving |');
  out('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of benchCost(apis, Number(values['cost-events']))) {
    const packed = r.packable
      ? [fixed(r.eventsPerRecord, 1), mib(r.packedBilledPerMillion), mib(r.onePerRecordBilledPerMillion), dollars(r.packedUsdPerMillion)]
      : ['cannot pack: Elastic indexes one document per record', '—', mib(r.onePerRecordBilledPerMillion), '—'];
    const saving = r.packable ? `${fixed(r.onePerRecordBilledPerMillion / r.packedBilledPerMillion, 1)}×` : '—';
    out(`| ${r.type} | ${r.destination} | ${fixed(r.meanEventBytes)} | ${packed.join(' | ')} | ${dollars(r.onePerRecordUsdPerMillion)} | ${saving} |`);
    perDestination(r.type, 'ingestBytesPerRawByte', r.destinationType, r.ingestBytesPerRawByte);
    perDestination(r.type, 'firehoseBilledPerRawByte', r.destinationType, r.firehoseBilledPerRawByte);
  }
}

if (wanted('pipeline')) {
  const events = Number(values['pipeline-events']);
  out('\n### Pipeline CPU per event: pull, map, detect (default pack), encode, checkpoint (own process, no rate limit)\n');
  out('| API | events | seconds | CPU µs per event |');
  out('|---|---:|---:|---:|');
  for (const api of apis) {
    const r = await benchDrain(api, events, { detect: true });
    out(`| ${r.type} | ${fixed(r.events)} | ${fixed(r.seconds, 1)} | ${fixed(r.cpuMicrosPerEvent, 1)} |`);
    figures(r.type).pipelineCpuMicrosPerEvent = r.cpuMicrosPerEvent;
  }
}

if (wanted('coldstart')) {
  const runs = Number(values['coldstart-runs']);
  out(`\n### Lambda cold start: importing each handler bundle against a bundle of only its AWS SDK clients (median of ${runs} interleaved runs)\n`);
  out('| handler | bundle KiB | source map KiB | SDK-only KiB | import ms | SDK-only import ms | ratio |');
  out('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of await benchColdStart(runs)) {
    const kib = (bytes: number) => fixed(bytes / 1024);
    out(`| \`${r.handler}\` | ${kib(r.bundleBytes)} | ${kib(r.sourceMapBytes)} | ${kib(r.floorBytes)} | ${fixed(r.handlerImportMs)} | ${fixed(r.floorImportMs)} | ${fixed(r.coldStartRatio, 2)} |`);
    report.lambdas[r.handler] = { coldStartRatio: r.coldStartRatio, bundleBytes: r.bundleBytes, sourceMapBytes: r.sourceMapBytes, sdkOnlyBytes: r.floorBytes };
  }
}

if (wanted('startup')) {
  const r = await benchStartup(Number(values['startup-runs']));
  const mib = r.build.files.reduce((sum, file) => sum + file.bytes, 0) / 2 ** 20;
  out('\n### CLI start-up: `cloudtap --help`, process start to exit\n');
  out(`Bundle: ${r.build.files.length} files, ${fixed(mib, 1)} MiB, built in ${fixed(r.build.milliseconds / 1000, 1)} s.\n`);
  out('| command | runs | median ms | min ms | max ms | median / compiled |');
  out('|---|---:|---:|---:|---:|---:|');
  for (const t of [r.compiled, r.external, r.tsx]) {
    out(`| \`${t.command}\` | ${t.runs} | ${fixed(t.medianMs)} | ${fixed(t.minMs)} | ${fixed(t.maxMs)} | ${fixed(t.medianMs / r.compiled.medianMs, 1)}× |`);
  }
}

if (wanted('dispatch')) {
  const r = benchDispatch(Number(values['dispatch-instances']));
  out(`\n### Dispatch: ${fixed(r.instances)} instances (one core, no network)\n`);
  out('| step | ms |');
  out('|---|---:|');
  out(`| plan the first minute of a process (ids hashed, schedules parsed) | ${fixed(r.firstPlanMs, 2)} |`);
  out(`| plan one minute (median of 60) | ${fixed(r.planMs, 2)} |`);
  out(`| build one minute's messages (median of 60) | ${fixed(r.buildMs, 2)} |`);
  out(`| plan and build every minute of an hour | ${fixed(r.hourLoopMs, 1)} |`);
  out(`| the same, per minute on average | ${fixed(r.hourLoopMs / 60, 2)} |`);
  out('\nMost runs starting in any one second and minute of an hour: spread as the dispatcher does, and all at the firing (:00).\n');
  out('| schedules | starts/hour | most in a second, spread | most in a second, at :00 | most in a minute, spread | most in a minute, at :00 |');
  out('|---|---:|---:|---:|---:|---:|');
  for (const s of r.spreads) {
    out(`| ${s.schedules} | ${fixed(s.startsPerHour)} | ${fixed(s.spread.perSecond)} | ${fixed(s.unspread.perSecond)} | ${fixed(s.spread.perMinute)} | ${fixed(s.unspread.perMinute)} |`);
  }
}

if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
