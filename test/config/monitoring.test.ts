import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load';
import { ConfigError } from '../../shared/lib/errors';
import { registry } from '../../shared/providers/registry';

const sources = [{ id: 'audit-gz', type: 'tencent-cloudaudit', region: 'ap-guangzhou' }];

/** The problems a configuration is refused with, as `cloudtap validate` prints them. */
function problems(monitoring: unknown): string[] {
  try {
    parseConfig({ sources, monitoring }, registry, 'test.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected the configuration to be refused');
}

describe('monitoring', () => {
  it('defaults to a 60-minute lag bound, 3 failed periods and a dashboard', () => {
    expect(parseConfig({ sources }, registry).monitoring).toEqual({ maxLagMinutes: 60, failedRunsToAlarm: 3, dashboard: true });
    expect(parseConfig({ sources, monitoring: {} }, registry).monitoring).toEqual({ maxLagMinutes: 60, failedRunsToAlarm: 3, dashboard: true });
  });

  it('takes each setting, filling the others', () => {
    expect(parseConfig({ sources, monitoring: { maxLagMinutes: 240 } }, registry).monitoring).toEqual({
      maxLagMinutes: 240,
      failedRunsToAlarm: 3,
      dashboard: true,
    });
    expect(parseConfig({ sources, monitoring: { failedRunsToAlarm: 1, dashboard: false } }, registry).monitoring).toEqual({
      maxLagMinutes: 60,
      failedRunsToAlarm: 1,
      dashboard: false,
    });
  });

  it('names out-of-range and malformed values by their path', () => {
    expect(problems({ maxLagMinutes: 5, failedRunsToAlarm: 0 })).toEqual([
      'monitoring.maxLagMinutes: at least 10: lag is read in 5-minute periods, and every run already trails now by the source lag',
      'monitoring.failedRunsToAlarm: at least 1',
    ]);
    expect(problems({ maxLagMinutes: 20_000, failedRunsToAlarm: 300 })).toEqual([
      'monitoring.maxLagMinutes: at most 10080 (7 days): beyond that the provider retention may already have dropped events',
      'monitoring.failedRunsToAlarm: at most 288: CloudWatch evaluates an alarm over one day at most',
    ]);
    expect(problems({ maxLagMinutes: 'an hour', failedRunsToAlarm: 2.5, dashboard: 'yes' })).toEqual([
      'monitoring.maxLagMinutes: expected a number of minutes, e.g. 60',
      'monitoring.failedRunsToAlarm: expected a whole number of periods',
      'monitoring.dashboard: expected true or false',
    ]);
  });

  it('refuses unknown keys, so a typo is not silently ignored', () => {
    expect(problems({ maxLagMinute: 30 })).toEqual(['monitoring.maxLagMinute: unknown key; did you mean "maxLagMinutes"?']);
  });
});
