import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliCommand, cloudtap, repositoryRoot } from '../support/cli';

/** The CLI's conventions, through the real process as a user or a script meets them. */

const STACK_TRACE = /\n\s+at .+:\d+:\d+/;
// No AWS credentials and no metadata service: the SDK must fail before any request leaves the machine.
const NO_AWS = {
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
  AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
  AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
  AWS_REGION: 'eu-west-1',
  AWS_DEFAULT_REGION: undefined,
};

let dir: string;
const sourceLines = (id: string) => [`  - id: ${id}`, '    type: tencent-cloudaudit', '    region: ap-guangzhou'];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudtap-conventions-'));
  await writeFile(join(dir, 'one.yaml'), ['sources:', ...sourceLines('audit-one'), 'local:', '  stateDir: state'].join('\n'));
  // Long enough that `status | head -1` closes the pipe while the CLI is still writing.
  const many = Array.from({ length: 600 }, (_, index) => sourceLines(`audit-${index}`)).flat();
  await writeFile(join(dir, 'many.yaml'), ['sources:', ...many, 'local:', '  stateDir: state'].join('\n'));
  await writeFile(join(dir, 'broken.yaml'), ['sources:', '  - id: Bad_Id', '    type: tencent-cloudaudit'].join('\n'));
});

describe('cloudtap conventions', () => {
  it('--version prints the package version', async () => {
    const { version } = JSON.parse(await readFile(join(repositoryRoot, 'package.json'), 'utf8')) as { version: string };
    const result = await cloudtap(['--version'], { cwd: dir });
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it.each([[['help', 'run']], [['run', '--help']]])('%j prints the command\'s own usage with examples', async (args) => {
    const result = await cloudtap(args, { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: cloudtap run \[options\]/);
    expect(result.stdout).toContain('--interval <duration>');
    expect(result.stdout).toContain('Examples:\n  $ cloudtap run -c cloudtap.yaml');
  });

  it('--help lists every command and the exit codes', async () => {
    const result = await cloudtap(['--help'], { cwd: dir });
    expect(result.code).toBe(0);
    for (const command of ['demo', 'run', 'validate', 'status', 'backfill', 'replay', 'elastic-setup', 'siem-assets', 'help']) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    expect(result.stdout).toContain('Exit codes: 0 done, 1 a source failed, 2 usage or configuration error');
  });

  it.each([
    ['no command', [], /Usage: cloudtap/],
    ['an unknown command, with a suggestion', ['valdate'], /unknown command 'valdate'\n\(Did you mean validate\?\)/],
    ['an unknown option, with a suggestion', ['validate', '-c', 'one.yaml', '--jsno'], /unknown option '--jsno'\n\(Did you mean --json\?\)/],
    ['a missing option value', ['run', '--config'], /option '-c, --config <file>' argument missing/],
    ['a missing mandatory option', ['status'], /required option '-c, --config <file>' not specified/],
    ['a bad choice', ['run', '-c', 'one.yaml', '--alerts', 'some'], /argument 'some' is invalid\. Allowed choices are summary, full/],
    ['a parallelism of none', ['run', '-c', 'one.yaml', '--parallel', '0'], /option '-p, --parallel <n>' argument '0' is invalid\. expected a whole number of at least 1, not "0"/],
  ])('%s: exit 2, a message on stderr, no stack trace', async (_, args, message) => {
    const result = await cloudtap(args, { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(STACK_TRACE);
    expect(result.stdout).toBe('');
  });

  it('validate --json describes the configuration, defaults included', async () => {
    const result = await cloudtap(['validate', '-c', 'one.yaml', '--json'], { cwd: dir });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ file: 'one.yaml', valid: true, destination: { type: 's3' } });
    expect(report.sources).toEqual([
      {
        id: 'audit-one',
        type: 'tencent-cloudaudit',
        region: 'ap-guangzhou',
        enabled: true,
        schedule: 'rate(5 minutes)',
        lagSeconds: 600,
        start: { lookbackSeconds: 86_400 },
        endpoint: null,
        credentialSet: 'audit-one',
        credentialEnv: { secretId: 'TENCENTCLOUD_SECRET_ID', secretKey: 'TENCENTCLOUD_SECRET_KEY', token: 'TENCENTCLOUD_SESSION_TOKEN' },
      },
    ]);
    // An instance with credentials of its own keeps the secret it had before credential sets: cloudtap/<id>.
    expect(report.credentialSets).toEqual([
      { name: 'audit-one', vendor: 'tencent', perInstance: true, secretName: 'cloudtap/audit-one', fields: ['secretId', 'secretKey', 'token'], instances: 1 },
    ]);
  });

  it('validate --json of a broken file lists the problems as JSON and exits 2', async () => {
    const result = await cloudtap(['validate', '-c', 'broken.yaml', '--json'], { cwd: dir });
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout);
    expect(report.valid).toBe(false);
    expect(report.problems).toEqual(expect.arrayContaining([expect.stringMatching(/^sources\[0\]\.id: expected 2-48 lowercase letters/)]));
  });

  it('status --json parses as JSON, one row per source', async () => {
    const result = await cloudtap(['status', '-c', 'one.yaml', '--json'], { cwd: dir });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.target).toBe('local state state');
    expect(report.sources).toEqual([expect.objectContaining({ sourceId: 'audit-one', health: 'never-run', enabled: true })]);
  });

  it('ends quietly when the reader closes the pipe (| head)', async () => {
    const shell = `${cliCommand.map((part) => `'${part}'`).join(' ')} status -c many.yaml 2>err.txt | head -1; echo "status=\${PIPESTATUS[0]}"`;
    const { stdout } = await promisify(execFile)('bash', ['-c', shell], { cwd: dir });
    expect(stdout).toMatch(/^cloudtap status — local state state — .+\nstatus=0\n$/);
    expect(await readFile(join(dir, 'err.txt'), 'utf8')).toBe('');
  });

  it('without AWS credentials, the deployed commands say what to set (exit 4, no stack trace)', async () => {
    for (const args of [['status', '-c', 'one.yaml', '--deployed'], ['replay', '-c', 'one.yaml', '--dry-run']]) {
      const result = await cloudtap(args, { cwd: dir, env: { ...NO_AWS, HOME: dir } });
      expect(result.code, args.join(' ')).toBe(4);
      expect(result.stderr).toContain('no AWS credentials found: set AWS_PROFILE');
      expect(result.stderr).not.toMatch(STACK_TRACE);
    }
  });

  it('without an AWS region, it says so (exit 4), and --json gets the error as JSON', async () => {
    const result = await cloudtap(['status', '-c', 'one.yaml', '--deployed', '--json'], { cwd: dir, env: { ...NO_AWS, AWS_REGION: undefined, HOME: dir } });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('no AWS region: set AWS_REGION');
    expect(JSON.parse(result.stdout)).toEqual({ error: { kind: 'aws', message: expect.stringContaining('no AWS region') } });
  });
});
