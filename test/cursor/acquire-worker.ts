/**
 * Child process for the file store's cross-process test: waits for "go" on
 * stdin (so all workers start together), tries to acquire every source at
 * once, and prints which it won as JSON.
 * Usage: node --import tsx acquire-worker.ts <directory> <owner> <sourceCount>
 */
import { FileCursorStore } from '../../shared/cursor/file-store';

const [directory = '', owner = '', count = '0'] = process.argv.slice(2);
const store = new FileCursorStore({ directory });
process.stdout.write('ready\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
const results = await Promise.allSettled(
  Array.from({ length: Number(count) }, (_, i) => store.acquire(`src-${i}`, owner, 60_000)),
);
const unexpected = results.find((r) => r.status === 'rejected' && r.reason?.name !== 'LeaseHeldError');
if (unexpected?.status === 'rejected') throw unexpected.reason;
process.stdout.write(`${JSON.stringify(results.map((r) => r.status === 'fulfilled'))}\n`);
process.stdin.destroy();
