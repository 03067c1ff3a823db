import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load';
import { ConfigError } from '../../shared/lib/errors';
import { dbssDefinition } from '../../shared/providers/huawei/dbss/definition';
import { registry } from '../../shared/providers/registry';
import { cloudAuditDefinition } from '../../shared/providers/tencent/cloudaudit/definition';
import { credentialsFromEnv } from '../../shared/runtime/credentials';

const HEX_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

function instanceOf(source: Record<string, unknown>) {
  return parseConfig({ sources: [{ id: 'src-1', ...source }] }, registry).sources[0]!;
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('credentialsFromEnv', () => {
  const audit = instanceOf({ type: 'tencent-cloudaudit', region: 'ap-guangzhou' });

  it('reads each declared field from its variable, leaving an absent optional one out', () => {
    const credentials = credentialsFromEnv(cloudAuditDefinition, audit, { TENCENTCLOUD_SECRET_ID: 'AKIDenvTest', TENCENTCLOUD_SECRET_KEY: 'envTestKey' });
    expect(credentials).toEqual({ secretId: 'AKIDenvTest', secretKey: 'envTestKey' });
  });

  it('reads the variables the config names instead', () => {
    const renamed = instanceOf({ type: 'tencent-cloudaudit', region: 'ap-guangzhou', credentials: { env: { secretId: 'AUDIT_ID', secretKey: 'AUDIT_KEY' } } });
    const env = { AUDIT_ID: 'AKIDrenamed', AUDIT_KEY: 'renamedKey', TENCENTCLOUD_SESSION_TOKEN: 'sessionToken' };
    expect(credentialsFromEnv(cloudAuditDefinition, renamed, env)).toEqual({ secretId: 'AKIDrenamed', secretKey: 'renamedKey', token: 'sessionToken' });
  });

  it('names every missing required field and its variable, never a value', () => {
    const error = configError(() => credentialsFromEnv(cloudAuditDefinition, audit, { TENCENTCLOUD_SECRET_ID: '', TENCENTCLOUD_SESSION_TOKEN: 'tokenValue' }));
    expect(error.message).toBe(
      'invalid configuration in credentials of source src-1:\n' +
        '  - secretId: set the environment variable TENCENTCLOUD_SECRET_ID\n' +
        '  - secretKey: set the environment variable TENCENTCLOUD_SECRET_KEY',
    );
  });

  it('takes a definition whose fields are all optional with none set', () => {
    const dbss = instanceOf({ type: 'huawei-dbss', region: 'cn-north-4', options: { projectId: HEX_ID, instanceId: HEX_ID } });
    expect(credentialsFromEnv(dbssDefinition, dbss, {})).toEqual({});
  });
});
