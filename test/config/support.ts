import { expect } from 'vitest';
import { parseConfig, type CloudtapConfig } from '../../shared/config/load';
import { ConfigError } from '../../shared/lib/errors';
import { registry } from '../../shared/providers/registry';

/** The time configurations are checked at, so a retention check does not move with the calendar. */
export const NOW = Date.parse('2026-06-01T00:00:00Z');

export const parse = (data: unknown): CloudtapConfig => parseConfig(data, registry, 'test.yaml', NOW);

/** The problems a configuration is refused with, as `cloudtap validate` prints them. */
export function problems(data: unknown): string[] {
  try {
    parse(data);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected the configuration to be refused');
}

/** A declared Tencent set, the one most tests reference. */
export const tencentProd = { vendor: 'tencent', env: { secretId: 'PROD_TENCENT_SECRET_ID', secretKey: 'PROD_TENCENT_SECRET_KEY' } };
