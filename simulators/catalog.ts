import type { SourceDefinition } from '../shared/providers/definition';
import { definitions } from '../shared/providers/registry';
import type { SimulatedApi, SimulatorEntry } from './common/simulated-api';

export type { RunningSimulator, SimulatedApi, SimulationOptions } from './common/simulated-api';

/** The entry simulators/<vendor>/<api>/index.ts exports, completed with what its definition says. */
async function simulated(definition: SourceDefinition<any>): Promise<SimulatedApi> {
  const where = `simulators/${definition.vendor}/${definition.api}/index.ts`;
  // A template literal of a relative path, so esbuild bundles every simulators/*/*/index.ts for the CLI.
  const { simulatedApi } = (await import(`./${definition.vendor}/${definition.api}/index.ts`)) as {
    simulatedApi?: SimulatorEntry;
  };
  if (!simulatedApi) throw new Error(`${where} exports no simulatedApi`);
  if (!definition.pace) throw new Error(`${definition.type} declares no pace, which its simulator serves`);
  return { ...simulatedApi, type: definition.type, requestsPerSecond: definition.pace.requestsPerSecond, pageSize: definition.pace.pageSize };
}

/**
 * Every registered API with its simulator, in registry order: the demo, the
 * benchmarks and the tests go through this list, so a new API shows up in all.
 */
export const simulatedApis: readonly SimulatedApi[] = await Promise.all(definitions.map(simulated));
