import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { definitions, registry } from '../../shared/providers/registry';

describe('the registry', () => {
  it.each(definitions.map((definition) => ({ definition, type: definition.type })))(
    '$type is named after its folder and defined there',
    async ({ definition }) => {
      expect(definition.type).toBe(`${definition.vendor}-${definition.api}`);
      const folder = new URL(`../../shared/providers/${definition.vendor}/${definition.api}/`, import.meta.url);
      expect(existsSync(new URL('rules.json', folder)), 'rules.json').toBe(true);
      const module = (await import(new URL('definition.ts', folder).href)) as Record<string, unknown>;
      expect(Object.values(module)).toContain(definition);
    },
  );

  it('holds each type once', () => {
    expect(registry.size).toBe(definitions.length);
  });
});
