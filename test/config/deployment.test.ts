import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load';
import { ConfigError } from '../../shared/lib/errors';
import { registry } from '../../shared/providers/registry';

const sources = [{ id: 'audit-gz', type: 'tencent-cloudaudit', region: 'ap-guangzhou' }];

/** The problems a configuration is refused with, as `cloudtap validate` prints them. */
function problems(deployment: unknown): string[] {
  try {
    parseConfig({ sources, deployment }, registry, 'test.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected the configuration to be refused');
}

describe('deployment', () => {
  it('reserves two executions per source by default', () => {
    expect(parseConfig({ sources }, registry).deployment).toEqual({ reservedConcurrencyPerSource: 2 });
    expect(parseConfig({ sources, deployment: {} }, registry).deployment).toEqual({ reservedConcurrencyPerSource: 2 });
  });

  it('takes another number of executions, or false to reserve none', () => {
    expect(parseConfig({ sources, deployment: { reservedConcurrencyPerSource: 1 } }, registry).deployment).toEqual({ reservedConcurrencyPerSource: 1 });
    expect(parseConfig({ sources, deployment: { reservedConcurrencyPerSource: 10 } }, registry).deployment).toEqual({ reservedConcurrencyPerSource: 10 });
    expect(parseConfig({ sources, deployment: { reservedConcurrencyPerSource: false } }, registry).deployment).toEqual({
      reservedConcurrencyPerSource: false,
    });
  });

  it('names out-of-range and malformed values by their path', () => {
    const range = 'deployment.reservedConcurrencyPerSource: expected 1-10: a source\'s lease lets one run work at a time (false reserves none)';
    expect(problems({ reservedConcurrencyPerSource: 0 })).toEqual([range]);
    expect(problems({ reservedConcurrencyPerSource: 11 })).toEqual([range]);
    expect(problems({ reservedConcurrencyPerSource: 1.5 })).toEqual(['deployment.reservedConcurrencyPerSource: expected a whole number of executions']);
    for (const value of [true, 'two', null]) {
      expect(problems({ reservedConcurrencyPerSource: value })).toEqual([
        'deployment.reservedConcurrencyPerSource: expected a number of executions, e.g. 2, or false to reserve none',
      ]);
    }
  });

  it('refuses unknown keys, so a typo is not silently ignored', () => {
    expect(problems({ reservedConcurrency: 2 })).toEqual(['deployment.reservedConcurrency: unknown key; expected one of reservedConcurrencyPerSource']);
  });
});
