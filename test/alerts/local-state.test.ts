import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileCell } from '../../shared/alerts/local-state';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudtap-local-state-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface Counter {
  count: number;
}
const parse = (json: unknown) => (typeof (json as Counter | null)?.count === 'number' ? (json as Counter) : undefined);

describe('fileCell', () => {
  // A local run updates one cell from every lane of every source at once. With a 20 ms stale-lock
  // bound a contender gives up after 60 ms, far less than 100 updates with an fsync each take:
  // only updates that queue in the process, instead of racing for the lock file, all land.
  it('applies many concurrent updates from one process, each once, none timing out on the lock', async () => {
    const file = join(dir, 'counter.json');
    const cell = fileCell<Counter>(file, () => ({ count: 0 }), parse, 20);

    const results = await Promise.allSettled(Array.from({ length: 100 }, () => cell.update((state) => ++state.count)));

    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    expect(results.map((result) => (result as PromiseFulfilledResult<number>).value).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ count: 100 });
  });

  it('goes on after an update that throws, leaving the state as the last good update wrote it', async () => {
    const file = join(dir, 'after-failure.json');
    const cell = fileCell<Counter>(file, () => ({ count: 0 }), parse, 20);

    await cell.update((state) => ++state.count);
    await expect(
      cell.update(() => {
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    await cell.update((state) => ++state.count);

    expect(await cell.read()).toEqual({ count: 2 });
  });
});
