/**
 * How every cloudtap Lambda is bundled, in esbuild's terms: the stack's
 * NodejsFunction and the cold-start benchmark (bench/cold-start.ts) both
 * read it, so the benchmark measures the bundle that ships.
 */
export const LAMBDA_BUNDLING = {
  format: 'esm',
  // The Lambda runtime's Node (infra/constructs/cloudtap-function.ts); the code also runs on Node 20.
  target: 'node24',
  mainFields: ['module', 'main'],
  // CommonJS dependencies call require() for Node built-ins; ESM output has none.
  banner: "import { createRequire as __cloudtapCreateRequire } from 'node:module'; const require = __cloudtapCreateRequire(import.meta.url);",
  minify: true,
  // No source map: Node's --enable-source-maps made a cold start about a fifth slower
  // (docs/benchmarks.md, "Lambda cold start"); cloudtap's errors name the source, the
  // request and what went wrong, so a minified stack is rarely what an operator needs.
  sourceMap: false,
} as const;
