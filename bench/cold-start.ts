import { execFile } from 'node:child_process';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { LAMBDA_BUNDLING } from '../infra/constructs/lambda-bundling';
import { definitions } from '../shared/providers/registry';
import { DISPATCH_TABLE_FILE, FUNCTION_ENV, type DispatchTable } from '../shared/runtime/invocation';
import { median } from './stats';

const root = fileURLToPath(new URL('..', import.meta.url));
const outRoot = join(root, 'dist', 'cold-start');
const run = promisify(execFile);

/** Each Lambda handler, with the environment the stack gives it (what its cold start reads). */
const HANDLERS = [
  {
    name: 'pull',
    entry: 'functions/pull/handler.ts',
    env: { [FUNCTION_ENV.sourceType]: definitions[0]!.type, [FUNCTION_ENV.tableName]: 'cursors', [FUNCTION_ENV.deliveryStreamName]: 'stream' },
  },
  {
    name: 'dispatch',
    entry: 'functions/dispatch/handler.ts',
    env: { [FUNCTION_ENV.tableName]: 'cursors', [FUNCTION_ENV.stackName]: 'Bench', [FUNCTION_ENV.queues]: '{}' },
  },
] as const;

export interface ColdStartResult {
  handler: string;
  /** The handler's bundle, and its source map beside it. */
  bundleBytes: number;
  sourceMapBytes: number;
  /** The AWS SDK packages the bundle holds: the floor bundle holds only these. */
  sdkPackages: string[];
  floorBytes: number;
  runs: number;
  /** Median ms from `import()` to its return, in a fresh Node each run. */
  handlerImportMs: number;
  floorImportMs: number;
  /** handlerImportMs ÷ floorImportMs. */
  coldStartRatio: number;
}

const bundleOptions: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: LAMBDA_BUNDLING.format,
  target: LAMBDA_BUNDLING.target,
  mainFields: [...LAMBDA_BUNDLING.mainFields],
  banner: { js: LAMBDA_BUNDLING.banner },
  minify: LAMBDA_BUNDLING.minify,
  sourcemap: LAMBDA_BUNDLING.sourceMap,
  metafile: true,
  logLevel: 'silent',
};

/** The SDK packages in a bundle: @aws-sdk/client-* and @aws-sdk/lib-* (not their shared internals). */
function sdkPackagesOf(metafile: Metafile): string[] {
  const packages = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /node_modules\/(@aws-sdk\/(?:client|lib)-[a-z0-9-]+)\//.exec(input);
    if (match) packages.add(match[1]!);
  }
  return [...packages].sort();
}

/** An entry that constructs one client of each SDK package, as a handler does at cold start, and nothing else. */
async function floorEntry(packages: string[]): Promise<string> {
  const lines: string[] = [];
  const made: string[] = [];
  for (const [index, name] of packages.filter((p) => p.startsWith('@aws-sdk/client-')).entries()) {
    const exports = Object.keys(await import(name));
    const client = exports.find((key) => /^[A-Z][A-Za-z0-9]*Client$/.test(key));
    if (!client) throw new Error(`${name} exports no client class`);
    lines.push(`import { ${client} as C${index} } from '${name}';`);
    made.push(`new C${index}({})`);
  }
  if (packages.includes('@aws-sdk/lib-dynamodb')) {
    lines.push("import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';", "import { DynamoDBClient as D } from '@aws-sdk/client-dynamodb';");
    made.push('DynamoDBDocumentClient.from(new D({}))');
  }
  return `${lines.join('\n')}\nexport const clients = [${made.join(', ')}];\n`;
}

async function importMs(file: string, env: Record<string, string>): Promise<number> {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
  });
  return Number(stdout);
}

/**
 * Each handler's bundle, built as the stack builds it, against a bundle of
 * only the SDK clients it uses: bytes, and the time `import()` takes in a
 * fresh Node (what a cold start pays before the first invocation), the two
 * alternating run by run so both see the same machine.
 */
export async function benchColdStart(runs: number): Promise<ColdStartResult[]> {
  await rm(outRoot, { recursive: true, force: true });
  const results: ColdStartResult[] = [];
  for (const handler of HANDLERS) {
    const dir = join(outRoot, handler.name);
    const floorDir = join(outRoot, `${handler.name}-floor`);
    await mkdir(dir, { recursive: true });
    await mkdir(floorDir, { recursive: true });
    const bundle = join(dir, 'index.mjs');
    const { metafile } = await build({ ...bundleOptions, entryPoints: [join(root, handler.entry)], outfile: bundle });
    const table: DispatchTable = { version: 1, stackName: 'Bench', entries: [] };
    await writeFile(join(dir, DISPATCH_TABLE_FILE), JSON.stringify(table));
    const sdkPackages = sdkPackagesOf(metafile!);
    const floorSource = join(floorDir, 'entry.mjs');
    await writeFile(floorSource, await floorEntry(sdkPackages));
    const floor = join(floorDir, 'index.mjs');
    await build({ ...bundleOptions, entryPoints: [floorSource], outfile: floor, nodePaths: [join(root, 'node_modules')] });

    const handlerSamples: number[] = [];
    const floorSamples: number[] = [];
    for (let i = 0; i < runs; i++) {
      handlerSamples.push(await importMs(bundle, handler.env));
      floorSamples.push(await importMs(floor, {}));
    }
    const handlerImportMs = median(handlerSamples);
    const floorImportMs = median(floorSamples);
    const sizeOf = async (file: string) => (await stat(file).catch(() => ({ size: 0 }))).size;
    results.push({
      handler: handler.entry,
      bundleBytes: await sizeOf(bundle),
      sourceMapBytes: await sizeOf(`${bundle}.map`),
      sdkPackages,
      floorBytes: await sizeOf(floor),
      runs,
      handlerImportMs,
      floorImportMs,
      coldStartRatio: handlerImportMs / floorImportMs,
    });
  }
  return results;
}
