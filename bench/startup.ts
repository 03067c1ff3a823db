import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { median } from './stats';
import { buildCli, CLI_BUNDLE_DIR, CLI_ENTRY, type CliBuild } from '../scripts/build-cli';

const root = fileURLToPath(new URL('..', import.meta.url));

export interface StartupTiming {
  command: string;
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
}

export interface StartupResult {
  build: CliBuild;
  /** As `cloudtap` runs: the launcher and the bundle with every dependency in it. */
  compiled: StartupTiming;
  /** The same bundle without node_modules in it: Node resolves and loads the dependencies. */
  external: StartupTiming;
  /** As before the bundle: tsx compiles the TypeScript at start-up. */
  tsx: StartupTiming;
}

const run = promisify(execFile);
// Neither variant prints the SDK's Node 20 line; both start the same way.
const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

async function millisecondsToRun(file: string, args: string[]): Promise<number> {
  const started = performance.now();
  await run(file, args, { cwd: root, env });
  return performance.now() - started;
}

function timing(command: string, samples: number[]): StartupTiming {
  return { command, runs: samples.length, medianMs: median(samples), minMs: Math.min(...samples), maxMs: Math.max(...samples) };
}

/**
 * `cloudtap --help` from process start to exit: as the command runs it (node, the launcher, the bundle
 * built first from the sources as they are), with the dependencies left out of the bundle, and as it
 * ran before (tsx compiling the TypeScript at start-up). The variants alternate run by run, so all
 * see the same load on a shared machine.
 */
export async function benchStartup(runs: number): Promise<StartupResult> {
  const build = await buildCli();
  const externalDir = join(CLI_BUNDLE_DIR, 'external-packages');
  await buildCli({ outdir: externalDir, externalPackages: true });
  const variants = [
    { command: 'node bin/cloudtap.js --help', file: process.execPath, args: [join(root, 'bin/cloudtap.js'), '--help'] },
    { command: 'node dist/external-packages/cloudtap.mjs --help', file: process.execPath, args: [join(externalDir, 'cloudtap.mjs'), '--help'] },
    { command: `tsx ${CLI_ENTRY} --help`, file: join(root, 'node_modules/.bin/tsx'), args: [join(root, CLI_ENTRY), '--help'] },
  ].map((variant) => ({ ...variant, samples: [] as number[] }));
  try {
    for (const variant of variants) await millisecondsToRun(variant.file, variant.args); // warm the file cache
    for (let i = 0; i < runs; i++) for (const variant of variants) variant.samples.push(await millisecondsToRun(variant.file, variant.args));
  } finally {
    await rm(externalDir, { recursive: true, force: true });
  }
  const [compiled, external, tsx] = variants.map((variant) => timing(variant.command, variant.samples)) as [StartupTiming, StartupTiming, StartupTiming];
  return { build, compiled, external, tsx };
}
