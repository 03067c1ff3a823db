/**
 * Bundles the CLI (bin/cloudtap.ts) into dist/cloudtap.mjs, which bin/cloudtap.js runs.
 * `npm run build` runs this file; so do `npm ci` and `npm install` (the `prepare` script) and every
 * vitest run (`setup` below, vitest's globalSetup), so the tests spawn the code as it is now.
 */
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));
/** The TypeScript entry, relative to the repository root. */
export const CLI_ENTRY = 'bin/cloudtap.ts';
export const CLI_BUNDLE_DIR = join(repositoryRoot, 'dist');
/** What bin/cloudtap.js imports. */
export const CLI_BUNDLE = join(CLI_BUNDLE_DIR, 'cloudtap.mjs');

/**
 * A module that finds files beside its source (shared/ops/siem/templates.ts reads siem/) keeps finding
 * them from the bundle: its import.meta.url becomes its source file's URL, relative to the bundle.
 */
const sourceRelativeImportMetaUrl = (outdir: string): Plugin => ({
  name: 'source-relative-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async ({ path }) => {
      if (path.includes(`${sep}node_modules${sep}`)) return undefined;
      const source = await readFile(path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const fromBundle = relative(outdir, path).split(sep).join('/');
      return {
        contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`),
        loader: 'ts',
        resolveDir: dirname(path),
      };
    });
  },
});

export interface CliBuild {
  /** Every file written, relative to the repository root, with its size. */
  files: { path: string; bytes: number }[];
  milliseconds: number;
}

export interface CliBuildOptions {
  /** dist/ unless the start-up benchmark builds its comparison beside it. */
  outdir?: string;
  /** Leave node_modules out of the bundle (the start-up benchmark's comparison). */
  externalPackages?: boolean;
}

export async function buildCli({ outdir = CLI_BUNDLE_DIR, externalPackages = false }: CliBuildOptions = {}): Promise<CliBuild> {
  const started = performance.now();
  const result = await build({
    absWorkingDir: repositoryRoot,
    entryPoints: { cloudtap: CLI_ENTRY },
    outdir,
    outExtension: { '.js': '.mjs' },
    // Everything, dependencies included: a command then reads a few chunks instead of resolving and
    // loading hundreds of files in node_modules (docs/benchmarks.md, "CLI start-up"). Modules the
    // CLI imports lazily become chunks of their own, loaded only by the commands that use them.
    bundle: true,
    packages: externalPackages ? 'external' : 'bundle',
    splitting: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    mainFields: ['module', 'main'],
    // CommonJS dependencies call require() for Node built-ins; ESM output has none.
    banner: { js: "import { createRequire as __cloudtapCreateRequire } from 'node:module'; const require = __cloudtapCreateRequire(import.meta.url);" },
    // Not minified: stack traces stay readable, and start-up is the same (measured).
    plugins: [sourceRelativeImportMetaUrl(outdir)],
    write: false,
    logLevel: 'warning',
  });
  await mkdir(outdir, { recursive: true });
  // The entry is written last and each file appears whole (a rename), so a CLI started while tests
  // rebuild in parallel never reads half a file; chunk names carry a content hash.
  const entry = join(outdir, 'cloudtap.mjs');
  const written = result.outputFiles.toSorted((a, b) => Number(a.path === entry) - Number(b.path === entry));
  for (const file of written) {
    const partial = `${file.path}.${process.pid}.partial`;
    await writeFile(partial, file.contents);
    await rename(partial, file.path);
  }
  const current = new Set(written.map((file) => file.path));
  for (const name of await readdir(outdir)) {
    const path = join(outdir, name);
    if (!current.has(path) && !name.endsWith('.partial')) await rm(path, { recursive: true, force: true });
  }
  return {
    files: written.map((file) => ({ path: relative(repositoryRoot, file.path), bytes: file.contents.byteLength })),
    milliseconds: performance.now() - started,
  };
}

/** vitest's globalSetup: build once per test run, before any test spawns the CLI. */
export async function setup(): Promise<void> {
  await buildCli();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { files, milliseconds } = await buildCli();
  const mib = files.reduce((sum, file) => sum + file.bytes, 0) / 2 ** 20;
  process.stdout.write(`cloudtap: built ${relative(repositoryRoot, CLI_BUNDLE)} (${files.length} files, ${mib.toFixed(1)} MiB) in ${(milliseconds / 1000).toFixed(1)} s\n`);
}
