import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { CloudtapStack, PROJECT_ROOT } from '../../infra/stack';
import { loadConfigFile } from '../../shared/config/load';
import { registry } from '../../shared/providers/registry';

/**
 * The slow path the unit tests skip: real esbuild bundling and CloudFormation
 * validation, over the example config, as `cdk synth` does it.
 */
const outdir = mkdtempSync(join(tmpdir(), 'cloudtap-synth-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('synth with bundling', () => {
  it('bundles each handler into one ESM file that loads on this Node, and the template validates', async () => {
    const context = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;
    const app = new App({ outdir, context });
    const config = await loadConfigFile(join(PROJECT_ROOT, 'cloudtap.example.yaml'), registry);
    const stack = new CloudtapStack(app, 'Bundled', { config, registry });
    const assembly = app.synth();

    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((plugin: { violations: unknown[] }) => plugin.violations)).toEqual([]);

    const template = assembly.getStackByName(stack.stackName).template;
    expect([...stack.pullers.keys()]).toEqual(['tencent-cloudaudit']);
    for (const [type, puller] of stack.pullers) {
      const fnId = Stack.of(puller).getLogicalId(puller.function.node.defaultChild as CfnElement);
      const key: string = template.Resources[fnId].Properties.Code.S3Key;
      const dir = join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
      expect(readdirSync(dir).sort(), type).toEqual(['index.mjs', 'index.mjs.map']);

      const bundle = readFileSync(join(dir, 'index.mjs'), 'utf8');
      expect(statSync(join(dir, 'index.mjs')).size).toBeLessThan(2 * 1024 * 1024);
      // The AWS SDK is inside the bundle, not resolved from the runtime.
      expect(bundle).not.toMatch(/from\s*["']@aws-sdk\//);
      expect(bundle.startsWith("import { createRequire as __cloudtapCreateRequire } from 'node:module';")).toBe(true);

      // Loading it runs every module's top level (CommonJS require shims included) without AWS access.
      const load = spawnSync(
        process.execPath,
        [
          '--enable-source-maps',
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(pathToFileURL(join(dir, 'index.mjs')).href)}); console.log(typeof m.handler);`,
        ],
        {
          encoding: 'utf8',
          env: { PATH: process.env.PATH, CLOUDTAP_SOURCE_TYPE: type, CLOUDTAP_TABLE_NAME: 'cursors', CLOUDTAP_DELIVERY_STREAM: 'stream', AWS_REGION: 'eu-west-1' },
        },
      );
      // Node 20 only gets the SDK's notice that it will want Node 22 from 2027 (the Lambda runs 24).
      expect(load.stderr).not.toMatch(/Error/);
      expect(load.status).toBe(0);
      expect(load.stdout.trim()).toBe('function');
    }
  }, 120_000);
});
