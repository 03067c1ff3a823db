import { definitions } from '../../shared/providers/registry';
import type { ProviderFixture } from './fixture';

/**
 * Every registered API's scenario fixture: test/providers/<vendor>/<api>/scenario.ts
 * exports it as `scenarioFixture`, and every scenario in contract.test.ts runs
 * against it. A registered API without one fails here, by name.
 */
export const fixtures: readonly ProviderFixture[] = await Promise.all(
  definitions.map(async (definition) => {
    const where = `test/providers/${definition.vendor}/${definition.api}/scenario.ts`;
    const module = (await import(new URL(`../providers/${definition.vendor}/${definition.api}/scenario.ts`, import.meta.url).href).catch(
      (error: unknown) => {
        throw new Error(`${definition.type} has no scenario fixture at ${where}`, { cause: error });
      },
    )) as { scenarioFixture?: ProviderFixture };
    const fixture = module.scenarioFixture;
    if (!fixture) throw new Error(`${where} exports no scenarioFixture`);
    if (fixture.type !== definition.type || fixture.definition !== definition) {
      throw new Error(`${where} carries the fixture of ${fixture.type}, not ${definition.type}`);
    }
    return fixture;
  }),
);
