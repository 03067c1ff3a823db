/**
 * A slice of `npm run chaos` (see main.ts): one seeded episode per API, then
 * the same checks run against a pipeline broken on purpose, to show they fail.
 */
import { describe, expect, it } from 'vitest';
import type { Sink } from '../../shared/core/ports/sink';
import { fixtures } from '../scenarios/fixtures';
import { runEpisode } from './episode';
import { formatEpisode, violations } from './tally';

const STEPS = 8;
const TIMEOUT_MS = 120_000;

describe.each(fixtures.map((fixture) => [fixture.type, fixture] as const))('chaos slice: %s', (_, fixture) => {
  it(
    'loses nothing and repeats only what a crash or lost lease left unconfirmed, through every kind of fault',
    async ({ annotate }) => {
      const report = await runEpisode(fixture, { seed: 20_261_121, steps: STEPS });
      await annotate(formatEpisode(report));
      expect(violations(report), report.samples.join('\n')).toEqual([]);
      expect(report.lost).toBe(0);
      expect(report.served).toBeGreaterThan(500);
      expect(report.delivered).toBe(report.served + report.duplicated);
      // The storm really happened: faults on the provider's wire, Firehose's and DynamoDB's, and runs that failed.
      const where = new Set(Object.keys(report.faults).map((name) => name.split(':')[0]));
      expect([...where]).toEqual(expect.arrayContaining(['provider', 'firehose', 'dynamodb']));
      expect(report.failedRuns).toBeGreaterThan(0);
    },
    TIMEOUT_MS,
  );
});

/** Acknowledges every `nth` delivery without sending it: the page is checkpointed and gone. */
const dropping = (nth: number) => (sink: Sink): Sink => {
  let n = 0;
  return { ...sink, deliver: async (documents) => (++n % nth === 0 ? { delivered: documents.length, records: 1, retries: 0 } : sink.deliver(documents)) };
};

/** Sends every delivery twice, though nothing failed. */
const doubling = (sink: Sink): Sink => ({
  ...sink,
  deliver: async (documents) => {
    await sink.deliver(documents);
    return sink.deliver(documents);
  },
});

describe('chaos checks fail on a broken pipeline', () => {
  const fixture = fixtures[0]!;

  it('reports records a sink silently dropped as lost', async () => {
    const report = await runEpisode(fixture, { seed: 7, steps: 4, sabotage: dropping(5) });
    expect(report.lost).toBeGreaterThan(0);
    expect(violations(report)).toContainEqual(expect.stringMatching(/^lost \d+$/));
  }, TIMEOUT_MS);

  it('reports records sent twice without a failure as unexplained duplicates', async () => {
    const report = await runEpisode(fixture, { seed: 7, steps: 4, sabotage: doubling });
    expect(report.unexplainedDuplicates).toBeGreaterThan(0);
    expect(violations(report)).toContainEqual(expect.stringMatching(/duplicates not after a crash/));
  }, TIMEOUT_MS);
});
