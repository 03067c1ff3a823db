import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/lib/errors';
import { registry } from '../../shared/providers/registry';
import { definitionFromEnv } from '../../shared/runtime/lambda';

/** The generic puller entry learns its source type from CLOUDTAP_SOURCE_TYPE, which the stack sets per function. */
describe('definitionFromEnv', () => {
  const saved = process.env.CLOUDTAP_SOURCE_TYPE;
  afterEach(() => {
    if (saved === undefined) delete process.env.CLOUDTAP_SOURCE_TYPE;
    else process.env.CLOUDTAP_SOURCE_TYPE = saved;
  });

  it.each([...registry.keys()])('%s: the registered definition of that type', (type) => {
    process.env.CLOUDTAP_SOURCE_TYPE = type;
    expect(definitionFromEnv(registry)).toBe(registry.get(type));
  });

  it('stops the cold start when the variable is unset, or names no known type', () => {
    delete process.env.CLOUDTAP_SOURCE_TYPE;
    expect(() => definitionFromEnv(registry)).toThrow(ConfigError);
    expect(() => definitionFromEnv(registry)).toThrow(/CLOUDTAP_SOURCE_TYPE is not set/);
    process.env.CLOUDTAP_SOURCE_TYPE = 'tencent-cloudtrail';
    expect(() => definitionFromEnv(registry)).toThrow(/CLOUDTAP_SOURCE_TYPE names "tencent-cloudtrail", which is no known source type/);
  });
});
