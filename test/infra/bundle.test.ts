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
import { DISPATCH_TABLE_FILE } from '../../shared/runtime/invocation';

/**
 * The slow path the unit tests skip: real esbuild bundling and CloudFormation
 * validation, over the example config, as `cdk synth` does it.
 */
const outdir = mkdtempSync(join(tmpdir(), 'cloudtap-synth-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** functions/dispatch/handler.ts comes with the dispatch work; until it is on this branch, this synth waits for it. */
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
    const bundles = [
      ...[...stack.pullers].map(([type, puller]) => ({
        name: type,
        fn: puller.function,
        files: ['index.mjs'],
        env: { CLOUDTAP_SOURCE_TYPE: type, CLOUDTAP_TABLE_NAME: 'cursors', CLOUDTAP_DELIVERY_STREAM: 'stream' },
      })),
      {
        name: 'dispatcher',
        fn: stack.dispatcher.function,
        // Its table of instances rides beside its code.
        files: [DISPATCH_TABLE_FILE, 'index.mjs'],
        // At cold start it checks that every type in its table has a queue, as the stack sets them.
        env: {
          CLOUDTAP_QUEUES: JSON.stringify(Object.fromEntries([...stack.pullers.keys()].map((type) => [type, `https://sqs.eu-west-1.amazonaws.com/123456789012/${type}`]))),
          CLOUDTAP_TABLE_NAME: 'cursors',
          CLOUDTAP_STACK_NAME: 'Bundled',
        },
      },
    ];
    for (const { name, fn, files, env } of bundles) {
      const fnId = Stack.of(fn).getLogicalId(fn.node.defaultChild as CfnElement);
      const key: string = template.Resources[fnId].Properties.Code.S3Key;
      const dir = join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
      expect(readdirSync(dir).sort(), name).toEqual(files);

      const bundle = readFileSync(join(dir, 'index.mjs'), 'utf8');
      expect(statSync(join(dir, 'index.mjs')).size).toBeLessThan(2 * 1024 * 1024);
      // The AWS SDK is inside the bundle, not resolved from the runtime.
      expect(bundle).not.toMatch(/from\s*["']@aws-sdk\//);
      // zod comes in as a namespace import, so its error messages in other languages stay out (a third of the bundle once).
      expect(bundle).not.toContain('Ungültige Eingabe');
      expect(bundle.startsWith("import { createRequire as __cloudtapCreateRequire } from 'node:module';")).toBe(true);

      // Loading it runs every module's top level (CommonJS require shims included) without AWS access.
      const load = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(pathToFileURL(join(dir, 'index.mjs')).href)}); console.log(typeof m.handler);`,
        ],
        { encoding: 'utf8', env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', ...env } },
      );
      // Node 20 only gets the SDK's notice that it will want Node 22 from 2027 (the Lambda runs 24).
      expect(load.stderr, name).not.toMatch(/Error/);
      expect(load.status, name).toBe(0);
      expect(load.stdout.trim()).toBe('function');
    }
    const table = JSON.parse(readFileSync(join(outdir, `asset.${(template.Resources[Stack.of(stack).getLogicalId(stack.dispatcher.function.node.defaultChild as CfnElement)].Properties.Code.S3Key as string).replace(/\.zip$/, '')}`, DISPATCH_TABLE_FILE), 'utf8'));
    expect(table).toEqual(JSON.parse(JSON.stringify(stack.dispatcher.table)));
  }, 120_000);
});
