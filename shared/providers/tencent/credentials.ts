import type { CredentialsOf } from '../definition';

/** Tencent Cloud API keys; `token` is set for temporary (STS) credentials. */
export const TENCENT_CREDENTIAL_FIELDS = [
  { name: 'secretId', env: 'TENCENTCLOUD_SECRET_ID' },
  { name: 'secretKey', env: 'TENCENTCLOUD_SECRET_KEY' },
  { name: 'token', env: 'TENCENTCLOUD_SESSION_TOKEN', optional: true },
] as const;

export type TencentSourceCredentials = CredentialsOf<typeof TENCENT_CREDENTIAL_FIELDS>;
