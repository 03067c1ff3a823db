import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/stack';

/** Runs infra/app.ts the way the CDK CLI does: context and output directory through the environment. */
const work = mkdtempSync(join(tmpdir(), 'cloudtap-app-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const cdkContext = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;

function runApp(context: Record<string, unknown>, outdir: string) {
  return spawnSync(join(PROJECT_ROOT, 'node_modules/.bin/tsx'), ['infra/app.ts'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_CONTEXT_JSON: JSON.stringify({ ...cdkContext, 'aws:cdk:bundling-stacks': [], ...context }),
      CDK_OUTDIR: outdir,
      // Validation is covered by bundle.test.ts; here it would only add seconds.
      CDK_VALIDATION: 'false',
    },
  });
}

/** The dispatcher's handler comes with the dispatch work; until it is on this branch, infra/app.ts cannot synthesize. */

describe('infra/app.ts', () => {
  it('synthesizes the example config named in cdk.json', () => {
    const outdir = join(work, 'ok');
    const result = runApp({}, outdir);
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.status).toBe(0);
    expect(existsSync(join(outdir, 'Cloudtap.template.json'))).toBe(true);
    // cdk-nag only runs, and leaves its metadata, when asked (below).
    expect(readFileSync(join(outdir, 'Cloudtap.template.json'), 'utf8')).not.toContain('cdk_nag');
  });

  it('runs the cdk-nag AwsSolutions checks with -c cloudtap:nag=true: nothing to report, each acknowledgement recorded', () => {
    const outdir = join(work, 'nag');
    const result = runApp({ 'cloudtap:nag': 'true' }, outdir);
    expect(result.stderr).not.toMatch(/Error|AwsSolutions/);
    expect(result.status).toBe(0);
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports).toEqual([]);
    const template = JSON.parse(readFileSync(join(outdir, 'Cloudtap.template.json'), 'utf8'));
    const secret = Object.values(template.Resources as Record<string, { Type: string; Metadata?: Record<string, any> }>).find(
      (resource) => resource.Type === 'AWS::SecretsManager::Secret',
    );
    expect(secret?.Metadata?.cdk_nag.rules_to_suppress).toContainEqual({ id: 'AwsSolutions-SMG4', reason: expect.stringMatching(/third party/) });
  });

  it('fails with every configuration problem listed, and no stack trace; -c config wins over the default', () => {
    const bad = join(work, 'bad.yaml');
    writeFileSync(bad, 'sources:\n  - { id: Bad_Id, type: tencent-cloudaudit, region: ap-guangzhou, schedule: every 5m }\n');
    const result = runApp({ config: bad }, join(work, 'bad'));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`invalid configuration in ${bad}`);
    expect(result.stderr).toMatch(/sources\[0\]\.id: expected 2-48 lowercase letters/);
    expect(result.stderr).toMatch(/sources\[0\]\.schedule: expected an EventBridge schedule/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('says which file it could not read', () => {
    const missing = join(work, 'missing.yaml');
    const result = runApp({ config: missing }, join(work, 'missing'));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`invalid configuration in ${missing}:\n  - cannot read the file`);
  });
});
