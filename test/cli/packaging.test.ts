/**
 * How the command `cloudtap` is packaged: a JavaScript launcher (bin/cloudtap.js, committed executable)
 * that runs the bundle built from the TypeScript (scripts/build-cli.ts; vitest's globalSetup built it
 * for this run), that npx finds inside the checkout without a registry, that never dirties the
 * checkout, and that says once, in one line, what the AWS SDK would say in nine on Node 20.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siemAssetsCommand } from '../../cli/commands/siem-assets';
import { startDynamoDb, type TestDynamoDb } from '../support/dynamodb';
import { cloudtap, launcher, repositoryRoot, type CliResult } from '../support/cli';

const run = promisify(execFile);
const SDK_WARNING_SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';
const nodeMajor = Number(process.versions.node.split('.')[0]);

/** A command as a user types it, on the Node running the tests (first on PATH); never throws on a non-zero exit. */
async function spawned(command: string, args: string[], options: { cwd: string; env?: Record<string, string | undefined> }): Promise<CliResult> {
  const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}`, ...options.env };
  try {
    const { stdout, stderr } = await run(command, args, { cwd: options.cwd, env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** `npx --offline cloudtap --version` in the checkout, with a registry nobody answers and an empty npm cache. */
async function npxOffline(): Promise<CliResult> {
  const cache = await mkdtemp(join(tmpdir(), 'cloudtap-npm-cache-'));
  return spawned('npx', ['--offline', 'cloudtap', '--version'], {
    cwd: repositoryRoot,
    env: { npm_config_registry: 'http://127.0.0.1:9/', npm_config_cache: cache, npm_config_update_notifier: 'false' },
  });
}

/** What git says about the checkout, or undefined when the tests do not run in one (e.g. an unpacked tarball). */
async function git(...args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', args, { cwd: repositoryRoot });
    return stdout;
  } catch {
    return undefined;
  }
}
/** The usage `--help` prints, whatever the commands. */
const USAGE = /^Usage:\s+cloudtap\b/m;

const insideGitCheckout = (await git('rev-parse', '--is-inside-work-tree'))?.trim() === 'true';
const NOT_A_CHECKOUT = `${repositoryRoot} is not a git checkout, so there is no committed mode or status to compare`;
/** Before any test here runs the command: npx, for one, changes a bin's mode the first time it links it. */
const statusBeforeAnyRun = insideGitCheckout ? await git('status', '--porcelain') : undefined;

describe('the command cloudtap', () => {
  it('runs the compiled bundle: --help prints the usage and exits 0', async () => {
    const result = await cloudtap(['--help'], { cwd: tmpdir() });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(USAGE);
  });

  it('is a JavaScript file for node, not TypeScript for tsx', async () => {
    const text = await readFile(launcher, 'utf8');
    expect(text.split('\n')[0]).toBe('#!/usr/bin/env node');
    const manifest = JSON.parse(await readFile(join(repositoryRoot, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(manifest.bin).toEqual({ cloudtap: 'bin/cloudtap.js' });
  });

  it('without the bundle, says to run `npm run build` and exits 1, without a stack trace', async () => {
    // A copy of the checkout's launcher (with package.json: it is an ES module) where nothing was built.
    const copy = await mkdtemp(join(tmpdir(), 'cloudtap-unbuilt-'));
    await cp(join(repositoryRoot, 'bin'), join(copy, 'bin'), { recursive: true });
    await cp(join(repositoryRoot, 'package.json'), join(copy, 'package.json'));
    const result = await spawned(process.execPath, [join(copy, 'bin/cloudtap.js'), '--help'], { cwd: copy });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`cloudtap: ${join(copy, 'dist/cloudtap.mjs')} is missing; run \`npm run build\` in ${copy}/\n`);
  });

  it('is committed executable (mode 100755), so no install has to chmod it', async (context) => {
    if (!insideGitCheckout) context.skip(NOT_A_CHECKOUT);
    const entry = await git('ls-files', '-s', relative(repositoryRoot, launcher));
    expect(entry).toMatch(/^100755 [0-9a-f]{40} 0\tbin\/cloudtap\.js\n$/);
  });

  it('runs through `npx cloudtap` inside the checkout without asking any registry', async () => {
    const result = await npxOffline();
    expect(result.stderr).not.toMatch(/ENOTCACHED|ECONNREFUSED|npm error/);
    expect(result.code).toBe(0);
    // This checkout's command, not another `cloudtap` npx could find (one in a node_modules/.bin further up).
    const direct = await cloudtap(['--version'], { cwd: repositoryRoot });
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(result.stdout).toBe(direct.stdout);
  }, 60_000);

  it('leaves the checkout as it was, run directly or through npx', async (context) => {
    if (!insideGitCheckout) context.skip(NOT_A_CHECKOUT);
    expect((await cloudtap(['--help'], { cwd: repositoryRoot })).code).toBe(0);
    expect((await npxOffline()).code).toBe(0);
    expect(await git('status', '--porcelain')).toBe(statusBeforeAnyRun);
  }, 90_000);

  it('reads the files that live beside its sources (siem/ templates) from the bundle: siem-assets writes what the TypeScript writes', async () => {
    const fromBundle = await mkdtemp(join(tmpdir(), 'cloudtap-siem-bundle-'));
    const fromSource = await mkdtemp(join(tmpdir(), 'cloudtap-siem-source-'));
    const result = await cloudtap(['siem-assets', '--out', fromBundle], { cwd: tmpdir() });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const quiet = { write: () => true };
    expect(await siemAssetsCommand({ out: fromSource }, { stdout: quiet })).toBe(0);
    const files = async (root: string) =>
      (await readdir(root, { recursive: true, withFileTypes: true }))
        .filter((entry) => entry.isFile())
        .map((entry) => relative(root, join(entry.parentPath, entry.name)))
        .toSorted();
    const written = await files(fromBundle);
    expect(written).toEqual(await files(fromSource));
    expect(written.length).toBeGreaterThan(5);
    for (const file of written) {
      expect(await readFile(join(fromBundle, file), 'utf8'), file).toBe(await readFile(join(fromSource, file), 'utf8'));
    }
  });
});

describe('the AWS SDK warning about Node 20', () => {
  let dynamoDb: TestDynamoDb;
  let dir: string;
  // `status --table` builds a DynamoDB client, the moment the SDK checks the Node version.
  const status = (switchValue: string | undefined) =>
    cloudtap(['status', '--config', 'cloudtap.yaml', '--table', 'cursors'], {
      cwd: dir,
      env: {
        [SDK_WARNING_SWITCH]: switchValue,
        AWS_ENDPOINT_URL_DYNAMODB: dynamoDb.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
      },
    });
  const SDK_LINE = 'NodeVersionSupportWarning';
  const OURS = `cloudtap: Node ${nodeMajor} support ends when the AWS SDK drops it in January 2027; use Node 22 or later`;

  beforeAll(async () => {
    dynamoDb = await startDynamoDb();
    await dynamoDb.createTable('cursors');
    dir = await mkdtemp(join(tmpdir(), 'cloudtap-sdk-warning-'));
    await writeFile(join(dir, 'cloudtap.yaml'), ['sources:', '  - id: audit-test', '    type: tencent-cloudaudit', '    region: ap-guangzhou'].join('\n'));
  });
  afterAll(() => dynamoDb.stop());

  it('is one line of ours on stderr instead of the SDK’s nine, on Node 20 only; stdout stays the report', async () => {
    const result = await status(undefined);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('DynamoDB table cursors');
    expect(result.stdout).not.toContain('support ends');
    expect(result.stderr).not.toContain(SDK_LINE);
    const ours = result.stderr.split('\n').filter((line) => line === OURS);
    expect(ours).toHaveLength(nodeMajor < 22 ? 1 : 0);
  });

  it('is left to the SDK when the user set its switch (proving this command is one the SDK warns about)', async (context) => {
    if (nodeMajor >= 22) context.skip(`the SDK warns only below Node 22; this is Node ${nodeMajor}`);
    const result = await status('false');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(SDK_LINE);
    expect(result.stderr).not.toContain(OURS);
  });
});

describe('CI (.ci/run)', () => {
  it('runs the tests on the Node it asked for, the CLI too', async (context) => {
    const asked = process.env.CLOUDTAP_CI_NODE;
    if (!asked) return context.skip('CLOUDTAP_CI_NODE is set by .ci/run only');
    // This file runs in one of vitest's forks: the Node under test is the one running it.
    expect(process.version).toBe(asked);
    const result = await cloudtap(['--help'], { cwd: tmpdir(), env: { [SDK_WARNING_SWITCH]: undefined } });
    expect(result.code).toBe(0);
    expect(result.stderr.includes('support ends')).toBe(Number(asked.slice(1).split('.')[0]) < 22);
  });
});
