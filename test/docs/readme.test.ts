import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitions } from '../../shared/providers/registry';
import { decodeLines } from '../../shared/sinks/encode';
import type { TencentApiServer } from '../../simulators/tencent/api-server';
import { generateCloudAuditEvents, startCloudAuditSimulator } from '../../simulators/tencent/cloudaudit/simulator';
import { repositoryRoot } from '../support/cli';
import { documentedCommands } from './readme-commands';

/**
 * The README's commands, run as written, in the order written, in a view of
 * this checkout (every top-level entry linked, nothing written back), so the
 * front door and the behaviour cannot drift apart. A command that cannot run
 * here must be listed below with the reason; a new README command that is in
 * neither list fails this test.
 */

const RUN_ELSEWHERE: Record<string, string> = {
  'npm ci': '.ci/run runs it first, on a clean clone',
  'npm test': '.ci/run runs it: it is this suite',
  'npm run typecheck': '.ci/run runs it before the suite',
  'npx vitest run test/architecture': 'part of npm test',
  'npm run deploy -- -c config=cloudtap.yaml': 'needs an AWS account; npm run synth above builds the same templates',
  "aws secretsmanager put-secret-value --secret-id cloudtap/tencent-audit-gz --secret-string '{\"secretId\":\"AKID...\",\"secretKey\":\"...\"}'":
    'needs an AWS account; the infra tests assert the secret cloudtap/tencent-audit-gz',
  'npm run chaos -- --minutes 2': 'a two-minute fault storm, run by hand; test/chaos runs the same storm briefly in the suite',
  'npm run bench': 'minutes of measurement, run by hand; its entries are recorded in docs/benchmarks.md',
  'bash .ci/run': 'it is CI itself; it starts with npm ci, which would replace the node_modules this view shares with the checkout',
};

// Commands that install replace node_modules, which the view links from the checkout: never run here.
const INSTALLS = /\bnpm (ci|install|i)\b|\.ci\/run/;

// The README's own placeholders: the simulator accepts exactly these, so `export ...` is run as written too.
const PLACEHOLDER_KEYS = { secretId: 'AKID...', secretKey: '...' };
const NOW = Math.floor(Date.now() / 1000);

interface Step {
  command: string;
  code: number;
  stdout: string;
  stderr: string;
}

let view: string;
let server: TencentApiServer;
const steps: Step[] = [];

/** Runs one README line in the view with bash, carrying exported variables from line to line as a shell session would. */
async function runLine(command: string): Promise<Step> {
  const script = `set -eo pipefail; source ./.readme-session.sh; ${command}; export -p > ./.readme-session.sh`;
  try {
    const { stdout, stderr } = await promisify(execFile)('bash', ['-c', script], {
      cwd: view,
      timeout: 240_000,
      maxBuffer: 64 * 1024 * 1024,
      env: {
        ...process.env,
        // Nothing may leave the machine: npm and npx get an unreachable registry and no update check.
        npm_config_registry: 'http://127.0.0.1:9/',
        npm_config_offline: 'true',
        npm_config_update_notifier: 'false',
        TENCENTCLOUD_SECRET_ID: undefined,
        TENCENTCLOUD_SECRET_KEY: undefined,
      },
    });
    return { command, code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { command, code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** What the README asks the reader to do by hand after copying the example ("then edit: your sources"): point it at their API, here the simulator. */
async function editLikeAReader(): Promise<void> {
  const path = join(view, 'cloudtap.yaml');
  const text = await readFile(path, 'utf8');
  const edited = text.replace(/^(    region: ap-guangzhou.*)$/m, `$1\n    endpoint: ${server.url}`);
  expect(edited, 'the example still has the CloudAudit source the README walks through').not.toBe(text);
  await writeFile(path, edited);
}

beforeAll(async () => {
  view = await mkdtemp(join(tmpdir(), 'cloudtap-readme-'));
  const skip = new Set(['.git', '.cloudtap', 'cdk.out', 'cloudtap.yaml', 'coverage']);
  for (const entry of await readdir(repositoryRoot)) {
    if (!skip.has(entry)) await symlink(join(repositoryRoot, entry), join(view, entry));
  }
  await writeFile(join(view, '.readme-session.sh'), '');
  const started = await startCloudAuditSimulator({ credentials: [PLACEHOLDER_KEYS] });
  server = started.server;
  started.cloudaudit.addEvents(generateCloudAuditEvents({ count: 120, from: NOW - 6 * 3600, to: NOW - 3600, seed: 11 }));

  const readme = await readFile(join(repositoryRoot, 'README.md'), 'utf8');
  for (const { command: line } of documentedCommands(readme)) {
    for (const command of line.split(' && ').map((part) => part.trim())) {
      if (command in RUN_ELSEWHERE) continue;
      if (INSTALLS.test(command)) throw new Error(`"${command}" would reinstall the checkout's node_modules: list it in RUN_ELSEWHERE with the reason`);
      const step = await runLine(command);
      steps.push(step);
      if (command === 'cp cloudtap.example.yaml cloudtap.yaml' && steps.filter((s) => s.command === command).length === 1) await editLikeAReader();
    }
  }
}, 900_000);
afterAll(() => server?.close());

const step = (command: string, nth = 0) => {
  const found = steps.filter((s) => s.command === command)[nth];
  if (!found) throw new Error(`the README no longer runs "${command}"; update this test with what replaced it`);
  return found;
};

describe('README', () => {
  it('every command it shows either runs here or says why not', async () => {
    const readme = await readFile(join(repositoryRoot, 'README.md'), 'utf8');
    const all = documentedCommands(readme).flatMap(({ command }) => command.split(' && ').map((part) => part.trim()));
    expect(all.length).toBeGreaterThan(10);
    expect(steps.map((s) => s.command)).toEqual(all.filter((command) => !(command in RUN_ELSEWHERE)));
    for (const listed of Object.keys(RUN_ELSEWHERE)) expect(all, `RUN_ELSEWHERE lists "${listed}", which the README no longer has`).toContain(listed);
  });

  it('every command run here succeeds', () => {
    for (const s of steps) expect({ command: s.command, code: s.code, stderr: s.code === 0 ? '' : s.stderr }).toEqual({ command: s.command, code: 0, stderr: '' });
  });

  it('npm start runs the demo against every API, pulls twice, delivers each event once', async () => {
    const { stdout } = step('npm start');
    let written = 0;
    for (const { type } of definitions) {
      // One line per pull: the first, then the second, which resumes from the first one's cursor. Counted by
      // what was delivered: a record an API returns dated at the window's end is pulled but left to the next window.
      const [first, second] = [...stdout.matchAll(new RegExp(`✓ demo-${type}: (\\d+) pulled, (\\d+) delivered`, 'g'))].map((match) => Number(match[2]));
      expect(first, type).toBeGreaterThan(300);
      // The second pull reads only what fell due in the seconds between the two (now - lag moved on).
      expect(second, type).toBeLessThan(first! / 50);
      written += first! + second!;
    }
    const delivered = decodeLines(await readFile(join(view, '.cloudtap/demo/events.ndjson'), 'utf8'));
    const documents = delivered.filter((document) => document.event.kind !== 'alert');
    expect(documents).toHaveLength(written);
    expect(new Set(documents.map((document) => document.event.id)).size).toBe(written);
    expect(delivered.some((document) => document.event.kind === 'alert')).toBe(true);
    expect(stdout).toMatch(/\d+ alerts from the default rules/);
  });

  it('run, then status, pull the example source with the exported keys', async () => {
    expect(step('npx cloudtap validate --config cloudtap.yaml').stdout).toMatch(/^cloudtap\.yaml is valid: 1 source\(s\), destination s3/);
    expect(step('npx cloudtap run --config cloudtap.yaml').stdout).toMatch(/✓ tencent-audit-gz: 120 pulled, 120 delivered/);
    const events = decodeLines(await readFile(join(view, '.cloudtap/events.ndjson'), 'utf8')).filter((document) => document.event.kind !== 'alert');
    expect(new Set(events.map((document) => document.event.id)).size).toBe(120);
    expect(step('npx cloudtap status --config cloudtap.yaml').stdout).toMatch(/✓ tencent-audit-gz \(tencent-cloudaudit\)[\s\S]*events \(24h\): 120\b/);
  });

  it('npm run synth writes the stack template with the example source', async () => {
    const template = JSON.parse(await readFile(join(view, 'cdk.out/Cloudtap.template.json'), 'utf8')) as { Resources: Record<string, { Type: string; Properties?: { Name?: string } }> };
    const secrets = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::SecretsManager::Secret');
    expect(secrets.map((secret) => secret.Properties?.Name)).toContain('cloudtap/tencent-audit-gz');
  });
});
