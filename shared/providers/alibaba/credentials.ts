import type { CredentialsOf } from '../definition';

/**
 * An Alibaba Cloud AccessKey pair; `securityToken` is set for STS temporary
 * credentials. The variables are those the official SDKs' credential chain reads.
 */
export const ALIBABA_CREDENTIAL_FIELDS = [
  { name: 'accessKeyId', env: 'ALIBABA_CLOUD_ACCESS_KEY_ID' },
  { name: 'accessKeySecret', env: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET' },
  { name: 'securityToken', env: 'ALIBABA_CLOUD_SECURITY_TOKEN', optional: true },
] as const;

export type AlibabaSourceCredentials = CredentialsOf<typeof ALIBABA_CREDENTIAL_FIELDS>;
