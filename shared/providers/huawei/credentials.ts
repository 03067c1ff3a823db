import { ConfigError } from '../../lib/errors';
import type { CredentialsOf } from '../definition';
import type { AkSkCredentials } from './signer';

/**
 * Huawei Cloud credentials, in one of two modes. All fields are optional at
 * definition level; `resolveHuaweiAuth` checks that the selected mode is complete.
 * The AK/SK variables are the ones the official SDKs read.
 */
export const HUAWEI_CREDENTIAL_FIELDS = [
  { name: 'accessKeyId', env: 'HUAWEICLOUD_SDK_AK', optional: true },
  { name: 'secretAccessKey', env: 'HUAWEICLOUD_SDK_SK', optional: true },
  { name: 'securityToken', env: 'HUAWEICLOUD_SDK_SECURITY_TOKEN', optional: true },
  { name: 'domainName', env: 'HUAWEICLOUD_DOMAIN_NAME', optional: true },
  { name: 'userName', env: 'HUAWEICLOUD_USER_NAME', optional: true },
  { name: 'password', env: 'HUAWEICLOUD_PASSWORD', optional: true },
] as const;

/** All optional: which are required depends on `authMode`. */
export type HuaweiSourceCredentials = CredentialsOf<typeof HUAWEI_CREDENTIAL_FIELDS>;

export type HuaweiAuthMode = 'aksk' | 'token';

export interface PasswordCredentials {
  /** The account (domain) name. */
  domainName: string;
  /** The IAM user. */
  userName: string;
  password: string;
}

export type HuaweiAuth = ({ mode: 'aksk' } & AkSkCredentials) | ({ mode: 'token' } & PasswordCredentials);

const MODE_FIELDS = {
  aksk: ['accessKeyId', 'secretAccessKey'],
  token: ['domainName', 'userName', 'password'],
} as const;

const MODE_NAMES: Record<HuaweiAuthMode, string> = { aksk: 'AK/SK signing', token: 'IAM password token' };

/**
 * The credentials for `mode`, or a ConfigError naming what is missing or
 * ambiguous. Messages name fields, never values.
 */
export function resolveHuaweiAuth(credentials: HuaweiSourceCredentials, mode: HuaweiAuthMode, sourceId: string): HuaweiAuth {
  const present = (name: keyof HuaweiSourceCredentials) => typeof credentials[name] === 'string' && credentials[name] !== '';
  const missing = MODE_FIELDS[mode].filter((name) => !present(name));
  const other: HuaweiAuthMode = mode === 'aksk' ? 'token' : 'aksk';
  const problems = missing.map((name) => `${name}: required for authMode "${mode}" (${MODE_NAMES[mode]})`);
  if (MODE_FIELDS[other].every(present)) {
    problems.push(
      `credentials hold a complete ${MODE_NAMES[other]} set (${MODE_FIELDS[other].join(', ')}) as well: keep exactly one, the one authMode "${mode}" uses`,
    );
  }
  if (mode === 'token' && present('securityToken')) problems.push('securityToken: only used with authMode "aksk"');
  if (problems.length > 0) throw new ConfigError(`credentials of source ${sourceId}`, problems);
  if (mode === 'aksk') {
    return {
      mode,
      accessKeyId: credentials.accessKeyId!,
      secretAccessKey: credentials.secretAccessKey!,
      securityToken: present('securityToken') ? credentials.securityToken : undefined,
    };
  }
  return { mode, domainName: credentials.domainName!, userName: credentials.userName!, password: credentials.password! };
}
