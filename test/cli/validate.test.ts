import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateCommand } from '../../cli/commands/validate';

const dir = mkdtempSync(join(tmpdir(), 'cloudtap-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture() {
  const out = { stdout: '', stderr: '' };
  const io = { stdout: { write: (text: string) => (out.stdout += text) }, stderr: { write: (text: string) => (out.stderr += text) }, env: {} };
  return { out, io };
}

/** `count` CloudAudit instances, none naming a credential set: each gets its own, with its own secret. */
function configFile(name: string, count: number): string {
  const sources = Array.from({ length: count }, (_, index) => `  - { id: audit-${index}, type: tencent-cloudaudit, region: ap-guangzhou }`);
  const path = join(dir, name);
  writeFileSync(path, `sources:\n${sources.join('\n')}\n`);
  return path;
}

describe('cloudtap validate: the size of the deployment', () => {
  it('prints resources, template bytes, secrets, schedules and queues beside the limits', async () => {
    const { out, io } = capture();
    expect(await validateCommand({ configPath: configFile('small.yaml', 3), io })).toBe(0);
    // Fixed 31 (S3 destination, dashboard), one source type 10, a secret per instance.
    expect(out.stdout).toMatch(
      /^deployment \(stack Cloudtap\): 44 of 500 resources, template up to \d+ of 1000000 bytes, 3 secret\(s\), 1 schedule, 2 queue\(s\) for 1 source type\(s\), 3 enabled instance\(s\)$/m,
    );
    expect(out.stderr).toBe('');
  });

  it('gives the same figures in --json, with the limits', async () => {
    const { out, io } = capture();
    expect(await validateCommand({ configPath: configFile('small.json.yaml', 3), json: true, stackName: 'Audit', io })).toBe(0);
    const report = JSON.parse(out.stdout);
    expect(report.valid).toBe(true);
    expect(report.deployment).toMatchObject({
      stackName: 'Audit',
      resources: 44,
      secrets: 3,
      schedules: 1,
      queues: 2,
      sourceTypes: 1,
      enabledInstances: 3,
      limits: { resources: 500, templateBytes: 1_000_000, rolePolicyChars: 10_240 },
    });
    expect(report.deployment.templateBytes).toBeGreaterThan(50_000);
  });

  it('refuses, exit 2, a config whose stack CloudFormation would refuse, naming the limit and the figure', async () => {
    // 470 instances with a secret each: 31 + 10 + 470 = 511 resources.
    const { out, io } = capture();
    const path = configFile('too-many.yaml', 470);
    expect(await validateCommand({ configPath: path, io })).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain(`invalid configuration in ${path}:`);
    expect(out.stderr).toContain('deployment (stack Cloudtap): the stack would have 511 resources; CloudFormation allows 500 per template');

    const json = capture();
    expect(await validateCommand({ configPath: path, json: true, io: json.io })).toBe(2);
    const report = JSON.parse(json.out.stdout);
    expect(report.valid).toBe(false);
    // Its one function would also read 470 secrets: more than a role's policy may name.
    expect(report.problems).toEqual([
      expect.stringContaining('511 resources; CloudFormation allows 500'),
      expect.stringMatching(/role's policy could reach \d+ characters; IAM allows 10240/),
    ]);
    expect(report.deployment.resources).toBe(511);
  });
});
