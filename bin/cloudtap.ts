// The CLI's TypeScript entry: `npm run build` bundles it into dist/cloudtap.mjs, which bin/cloudtap.js
// (the command `cloudtap`) runs. tsx can run it directly too: `npx tsx bin/cloudtap.ts --help`.
import { main } from '../cli/main';

process.exitCode = await main(process.argv.slice(2));
