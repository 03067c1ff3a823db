import { readdir, readFile, rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { parseConfig, type CloudtapConfig } from '../../shared/config/load';
import { FileCursorStore } from '../../shared/cursor/file-store';
import type { SourceState } from '../../shared/core/ports/cursor-store';
import { buildStatusReport, formatStatusReport } from '../../shared/ops/status-report';
import { registry } from '../../shared/providers/registry';
import { runLocalOnce } from '../../shared/runtime/local';
import type { AlertPayload } from '../../shared/alerts/payload';
import type { EcsDocument } from '../../shared/ecs/document';
import { decodeLines } from '../../shared/sinks/encode';
import { simulatedApis } from '../../simulators/catalog';
import { consoleLog } from '../console-log';
import { ProgressBoard } from '../progress';
import { formatSummary } from '../summary';

const DEMO_DIR = '.cloudtap/demo';
const LAKE_DIR = `${DEMO_DIR}/security-lake`;
const DAY = 86_400;

/** Where the demo delivers: the NDJSON file, or Security Lake's Parquet layout in a folder. */
export type DemoSink = 'file' | 'security-lake';

/**
 * `npm start`: the whole pipeline on embedded defaults against a simulator of
 * every API: signed requests, paging at the documented rates, ECS mapping, the
 * NDJSON sink and the file cursor store; then a second pull to show that the
 * cursors resume and nothing is delivered twice.
 */
export async function runDemo({ verbose, sink = 'file' }: { verbose: boolean; sink?: DemoSink }): Promise<number> {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  const now = Math.floor(Date.now() / 1000);
  const simulators = await Promise.all(
    simulatedApis.map(async (api) => ({
      api,
      running: await api.start({
        count: api.demoEvents,
        from: now - 2 * DAY,
        to: now,
        seed: now,
        late: { fraction: 0.05, maxDelaySeconds: 300 },
        enforceRateLimit: true,
      }),
    })),
  );
  try {
    await rm(DEMO_DIR, { recursive: true, force: true });
    const config = parseConfig(
      {
        sources: simulators.map(({ api, running }) => ({
          id: `demo-${api.type}`,
          type: api.type,
          endpoint: running.endpoint,
          start: '2d',
          ...api.instanceInput,
        })),
        local: {
          stateDir: `${DEMO_DIR}/state`,
          output: `${DEMO_DIR}/events.ndjson`,
          ...(sink === 'security-lake' && { sink: { type: 'security-lake', dir: LAKE_DIR } }),
        },
      },
      registry,
      'demo configuration',
    );
    // Credentials reach the sources as they would locally: through the environment variables the config names.
    const env: Record<string, string> = {};
    for (const [index, { api }] of simulators.entries()) {
      for (const [field, value] of Object.entries(api.credentials)) env[config.sources[index]!.credentialEnv[field]!] = value;
    }
    // Log lines go through the board, so a warning is printed above it rather than drawn over.
    const board = new ProgressBoard();
    const log = consoleLog(verbose, (line) => board.print(`${line}\n`, process.stderr));

    out(`cloudtap demo: the last 2 days of ${simulators.length} provider APIs, each on a local simulator`);
    for (const { api, running } of simulators) {
      out(`  ${api.type.padEnd(20)} ${String(api.demoEvents).padStart(5)} events at ${running.endpoint}, ${api.requestsPerSecond} requests/s, ${api.pageSize} a page`);
    }
    out('Requests are signed as each provider requires; events younger than each source\'s lag wait for the next run.');
    out();
    // Alerts are summed up after the run instead of printed one by one over the progress display.
    const first = await runLocalOnce({ config, registry, env, log, alertConsole: false, onProgress: board.update });
    board.done();
    out();
    const output = sink === 'security-lake' ? resolve(LAKE_DIR, 'ext') : resolve(config.local.output);
    out(formatSummary(first, output));

    out();
    out('Pulling again: the cursors resume where the first run stopped, so nothing is delivered twice.');
    const second = await runLocalOnce({ config, registry, env, log, alertConsole: false });
    out(formatSummary(second, output));

    out();
    if (sink === 'security-lake') {
      out(await describeLake(LAKE_DIR));
    } else {
      // The SIEM receives alerts as documents too (event.kind: alert); here the events are described, the alerts below.
      const documents = decodeLines(await readFile(config.local.output, 'utf8')).filter((document) => document.event.kind !== 'alert');
      out(describeDocuments(documents));
    }
    out();
    out(await describeAlerts(`${config.local.stateDir}/alerts.ndjson`));
    out();
    out(await statusOf(config));
    out('Next: copy cloudtap.example.yaml, point it at your accounts and run `npx cloudtap run --config cloudtap.yaml` (see README).');
    return [...first, ...second].every((result) => result.ok) ? 0 : 1;
  } finally {
    await Promise.all(simulators.map(({ running }) => running.close()));
  }
}

/** The Parquet files of the local Security Lake layout: files and records per custom source, and a query to run on them. */
async function describeLake(dir: string): Promise<string> {
  const files = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile() && entry.name.endsWith('.parquet'))
    .map((entry) => join(entry.parentPath, entry.name));
  const bySource = new Map<string, { files: number; records: number; partitions: Set<string> }>();
  for (const file of files) {
    const [, source, ...partition] = relative(dir, file).split(/[\\/]/);
    const bytes = await readFile(file);
    const records = Number(parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)).num_rows);
    const entry = bySource.get(source!) ?? { files: 0, records: 0, partitions: new Set<string>() };
    entry.files++;
    entry.records += records;
    entry.partitions.add(partition.slice(0, -1).join('/'));
    bySource.set(source!, entry);
  }
  const lake = resolve(dir);
  return [
    `In ${lake}, as Security Lake lays out custom sources (ext/<source>/region=…/accountId=…/eventDay=…/), one OCSF class per source:`,
    ...[...bySource].map(([source, { files: count, records, partitions }]) => `  ${source.padEnd(16)} ${String(records).padStart(5)} records in ${count} Parquet files, ${partitions.size} partitions`),
    'Query them, e.g. events per class and account with DuckDB:',
    `  duckdb -c "SELECT class_name, accountId, count(*) AS events FROM read_parquet('${lake}/ext/*/*/*/*/*.parquet', hive_partitioning = true) GROUP BY ALL ORDER BY ALL"`,
  ].join('\n');
}

/** What `cloudtap status` prints for the demo's sources. */
async function statusOf(config: CloudtapConfig): Promise<string> {
  const store = new FileCursorStore({ directory: config.local.stateDir });
  const states = new Map<string, SourceState | undefined>();
  for (const source of config.sources) states.set(source.id, await store.read(source.id));
  const now = Date.now();
  return `$ cloudtap status\n${formatStatusReport(buildStatusReport(config.sources, states, now), now, `local state ${config.local.stateDir}`)}`;
}

/** The alerts the default rules raised: a count per rule and one message in full. */
async function describeAlerts(file: string): Promise<string> {
  const alerts = (await readFile(file, 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AlertPayload);
  if (alerts.length === 0) return 'No alert fired.';
  const byRule = new Map<string, { severity: string; count: number }>();
  for (const alert of alerts) {
    const entry = byRule.get(alert.rule.name) ?? { severity: alert.severity, count: 0 };
    entry.count++;
    byRule.set(alert.rule.name, entry);
  }
  const order = ['critical', 'high', 'medium', 'low'];
  const rows = [...byRule.entries()].sort((a, b) => order.indexOf(a[1].severity) - order.indexOf(b[1].severity) || b[1].count - a[1].count);
  const example = alerts.find((alert) => alert.severity === 'critical') ?? alerts.find((alert) => alert.severity === 'high') ?? alerts[0]!;
  return [
    `${alerts.length} alerts from the default rules (after de-duplication), also in ${resolve(file)}:`,
    ...rows.map(([name, { severity, count }]) => `  ${severity.padEnd(8)} ${String(count).padStart(4)}  ${name}`),
    '',
    `One of them, as SNS, EventBridge and the console would carry it:`,
    `  ${example.subject}`,
    ...(example.text ?? '').split('\n').map((line) => `    ${line}`),
  ].join('\n');
}

/** What a person wants to see of the output: counts per source, and one event of each, read like a log line. */
function describeDocuments(documents: EcsDocument[]): string {
  const bySource = new Map<string, EcsDocument[]>();
  for (const document of documents) {
    const type = document.cloudtap.source_type;
    bySource.set(type, [...(bySource.get(type) ?? []), document]);
  }
  const lines = ['In the NDJSON file, one ECS document per event (event.original keeps the raw record):'];
  for (const [type, docs] of bySource) {
    const failures = docs.filter((document) => document.event.outcome === 'failure').length;
    // A write by a person reads better than a describe call.
    const sample = docs.find((document) => [document.event.type].flat().some((t) => t === 'deletion' || t === 'creation')) ?? docs[0]!;
    const resource = sample.cloudtap.resource as { name?: string; ids?: string[] } | undefined;
    lines.push(
      `  ${type.padEnd(20)} ${String(docs.length).padStart(5)} events, ${failures} failed; e.g. ${sample['@timestamp']} ${sample.event.action} ` +
        `by ${sample.user?.name ?? sample.user?.id ?? '?'}${resource?.name || resource?.ids ? ` on ${resource.name ?? resource.ids?.join(',')}` : ''}: ${sample.event.outcome}`,
    );
  }
  return lines.join('\n');
}
