import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load';
import { registry } from '../../shared/providers/registry';
import { FakeClock } from '../support/fake-clock';
import { RecordingLog } from '../scenarios/harness';
import { fixtures } from '../scenarios/fixtures';
import type { SimulatorHandle } from '../scenarios/fixture';

/**
 * A source object may end up in a log line or an error (`util.inspect` of a
 * context, a debugger, a crash dump): whatever it holds must not include the
 * credentials it was built with. Each keeps only its options; the keys live in
 * its client's private (#) fields, which inspect cannot reach.
 */
describe.each(fixtures.map((fixture) => [fixture.type, fixture] as const))('%s source', (type, fixture) => {
  const handles: SimulatorHandle[] = [];
  afterAll(async () => Promise.all(handles.map((handle) => handle.close())));

  it('shows none of its credentials to util.inspect', async () => {
    const sim = await fixture.start({ now: () => Date.UTC(2025, 5, 2) });
    handles.push(sim);
    const instance = parseConfig(
      { sources: [{ id: 'inspect-check', type, endpoint: sim.endpoint, region: sim.instance.region, options: sim.instance.options ?? {} }] },
      registry,
    ).sources[0]!;
    const source = fixture.definition.create({ instance, credentials: sim.credentials, clock: new FakeClock(0), log: new RecordingLog() });
    const shown = inspect(source, { depth: 20, showHidden: true, getters: true });
    expect(shown).toContain(type);
    expect(Object.keys(sim.credentials).length).toBeGreaterThan(0);
    for (const [field, value] of Object.entries(sim.credentials)) expect(shown, field).not.toContain(value);
  });
});
