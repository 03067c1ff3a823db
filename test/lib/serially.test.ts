import { describe, expect, it } from 'vitest';
import { serially } from '../../shared/lib/serially';

describe('serially', () => {
  it('runs tasks one at a time, in the order given, even when later ones are quicker', async () => {
    const queue = serially();
    const events: string[] = [];
    const task = (name: string, ms: number) => () =>
      new Promise<string>((resolve) => {
        events.push(`start ${name}`);
        setTimeout(() => {
          events.push(`end ${name}`);
          resolve(name);
        }, ms);
      });
    const results = await Promise.all([queue(task('a', 30)), queue(task('b', 1)), queue(task('c', 10))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('rejects only the task that failed; the next one still runs', async () => {
    const queue = serially();
    const failed = queue(() => {
      throw new Error('boom');
    });
    const next = queue(() => 'after');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('after');
  });
});
