import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseConfig } from '../../shared/config/load';
import { registry } from '../../shared/providers/registry';
import { runLocalOnce } from '../../shared/runtime/local';
import { decodeLines } from '../../shared/sinks/encode';
import { generateCloudAuditEvents, startCloudAuditSimulator } from '../../simulators/tencent/cloudaudit';
import { consoleLog } from '../console-log';
import { ProgressBoard } from '../progress';
import { formatSummary } from '../summary';

const DEMO_DIR = '.cloudtap/demo';
const DAY = 86_400;

/**
 * `npm start`: the whole pipeline on embedded defaults against the built-in
 * CloudAudit simulator: signed requests, paging at the documented rate, ECS
 * mapping, the NDJSON sink and the file cursor store; then a second pull to
 * show that the cursor resumes and nothing is delivered twice.
 */
export async function runDemo({ verbose }: { verbose: boolean }): Promise<number> {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  // Throwaway keys: the simulator verifies real TC3 signatures made with them.
  const credentials = { secretId: `AKIDdemo${randomBytes(8).toString('hex')}`, secretKey: randomBytes(24).toString('base64url') };
  const { server, cloudaudit } = await startCloudAuditSimulator({ credentials: [credentials] });
  try {
    const now = Math.floor(Date.now() / 1000);
    const events = generateCloudAuditEvents({
      count: 3000,
      from: now - 2 * DAY,
      to: now,
      seed: now,
      late: { fraction: 0.05, maxDelaySeconds: 300 },
    });
    cloudaudit.addEvents(events);

    await rm(DEMO_DIR, { recursive: true, force: true });
    const config = parseConfig(
      {
        sources: [
          { id: 'demo-cloudaudit', type: 'tencent-cloudaudit', region: 'ap-guangzhou', endpoint: server.url, start: '2d', lag: '10m' },
        ],
        local: { stateDir: `${DEMO_DIR}/state`, output: `${DEMO_DIR}/events.ndjson` },
      },
      registry,
      'demo configuration',
    );
    const env = { TENCENTCLOUD_SECRET_ID: credentials.secretId, TENCENTCLOUD_SECRET_KEY: credentials.secretKey };
    const log = consoleLog(verbose);

    out(`cloudtap demo: ${events.length} CloudAudit events from the last 2 days on a simulator at ${server.url}`);
    out('(TC3-signed requests, 50 events a page, held to the documented 20 requests/s; events younger than the 10-minute lag wait for the next run)');
    out();
    const first = await runLocalOnce({ config, registry, env, log, onProgress: new ProgressBoard().update });
    out();
    out(formatSummary(first, resolve(config.local.output)));

    out();
    out('Pulling again: the cursor resumes where the first run stopped, so nothing is delivered twice.');
    const second = await runLocalOnce({ config, registry, env, log });
    out(formatSummary(second, resolve(config.local.output)));

    const documents = decodeLines(await readFile(config.local.output, 'utf8'));
    out();
    out(describeDocuments(documents));
    out();
    out(`Cursor state: ${resolve(config.local.stateDir)}/demo-cloudaudit.json`);
    out('Next: copy cloudtap.example.yaml, point it at your account and run `npx cloudtap run --config cloudtap.yaml` (see README).');
    return [...first, ...second].every((result) => result.ok) ? 0 : 1;
  } finally {
    await server.close();
  }
}

function describeDocuments(documents: ReturnType<typeof decodeLines>): string {
  const byAction = new Map<string, number>();
  for (const document of documents) byAction.set(document.event.action ?? '?', (byAction.get(document.event.action ?? '?') ?? 0) + 1);
  const top = [...byAction.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6);
  const failures = documents.filter((document) => document.event.outcome === 'failure').length;
  const sample = documents.find((document) => document.event.action === 'CreateAccessKey') ?? documents[0];
  const lines = [
    `Top actions: ${top.map(([action, count]) => `${action} ${count}`).join(', ')}; ${failures} failed calls`,
  ];
  if (sample) {
    const { original: _original, ...event } = sample.event;
    const { ['@timestamp']: timestamp, user, source, cloud } = sample;
    lines.push('One normalized event (event.original, the raw record, left out here):');
    lines.push(JSON.stringify({ '@timestamp': timestamp, event, user, source, cloud }, null, 2));
  }
  return lines.join('\n');
}
