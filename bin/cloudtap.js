#!/usr/bin/env node
// The command `cloudtap`. It runs the bundle that `npm run build` makes from bin/cloudtap.ts
// (npm ci and npm install run the build), so no TypeScript is compiled at start-up.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../dist/cloudtap.mjs', import.meta.url);
if (!existsSync(bundle)) {
  const checkout = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write(`cloudtap: ${fileURLToPath(bundle)} is missing; run \`npm run build\` in ${checkout}\n`);
  process.exit(1);
}

// The AWS SDK warns in nine lines, when a command builds its first client, that it drops Node 20 in
// January 2027. One line of ours says so instead, every time, unless the user chose what the SDK does.
const SDK_WARNING = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';
const nodeMajor = Number(process.versions.node.split('.')[0]);
if (nodeMajor < 22 && process.env[SDK_WARNING] === undefined) {
  process.env[SDK_WARNING] = 'true'; // the SDK compares with exactly "true"
  process.stderr.write(`cloudtap: Node ${nodeMajor} support ends when the AWS SDK drops it in January 2027; use Node 22 or later\n`);
}

await import(bundle.href);
