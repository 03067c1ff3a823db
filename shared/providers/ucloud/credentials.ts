import type { CredentialsOf } from '../definition';

/** UCloud API keys (console: UAPI > API keys); the variable names UCloud's SDK examples use. */
export const UCLOUD_CREDENTIAL_FIELDS = [
  { name: 'publicKey', env: 'UCLOUD_PUBLIC_KEY' },
  { name: 'privateKey', env: 'UCLOUD_PRIVATE_KEY' },
] as const;

export type UCloudSourceCredentials = CredentialsOf<typeof UCLOUD_CREDENTIAL_FIELDS>;
