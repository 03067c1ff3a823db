#!/usr/bin/env node
// The command `cloudtap`. It runs the bundle that `npm run build` makes from bin/cloudtap-entry.ts
// (npm ci and npm install run the build), so no TypeScript is compiled at start-up.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../dist/cloudtap.mjs', import.meta.url);
if (!existsSync(bundle)) {
  const checkout = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write(`cloudtap: ${fileURLToPath(bundle)} is missing; run \`npm run build\` in ${checkout}\n`);
  process.exit(1);
}

await import(bundle.href);
