import { describe, expect, it } from 'vitest';
import { definitions } from '../../shared/providers/registry';
import { simulatedApis } from '../../simulators/catalog';

describe('the simulator catalog', () => {
  it('holds every registered API once, in registry order, at its definition’s pace', () => {
    expect(simulatedApis.map((api) => api.type)).toEqual(definitions.map((definition) => definition.type));
    for (const [index, definition] of definitions.entries()) {
      expect(simulatedApis[index]!.requestsPerSecond, definition.type).toBe(definition.pace!.requestsPerSecond);
      expect(simulatedApis[index]!.pageSize, definition.type).toBe(definition.pace!.pageSize);
    }
  });

  it.each(simulatedApis.map((api) => ({ api, type: api.type })))('$type: a page body holds the records it was built from', ({ api }) => {
    const records = api.records(7);
    expect(records).toHaveLength(7);
    expect(api.parsePage(api.pageBody(records, 0))).toHaveLength(7);
    expect(api.demoEvents).toBeGreaterThan(0);
  });
});
