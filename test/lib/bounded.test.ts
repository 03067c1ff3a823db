import { describe, expect, it } from 'vitest';
import { mapBounded } from '../../shared/lib/bounded';

describe('mapBounded', () => {
  it('keeps the items\' order and never has more than the limit in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const results = await mapBounded([5, 1, 4, 2, 3, 0, 6], 3, async (value, index) => {
      most = Math.max(most, ++inFlight);
      // Later items finish first, so order comes from the index, not completion.
      await new Promise((resolve) => setImmediate(resolve));
      for (let turn = 0; turn < value; turn++) await Promise.resolve();
      inFlight--;
      return `${index}:${value}`;
    });
    expect(results).toEqual(['0:5', '1:1', '2:4', '3:2', '4:3', '5:0', '6:6']);
    expect(most).toBe(3);
  });

  it('maps nothing to nothing', async () => {
    expect(await mapBounded([], 4, async () => 1)).toEqual([]);
  });
});
