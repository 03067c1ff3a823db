import type { CredentialSetConfig } from '../config/load';

/** A credential set as the stack sees it: one secret each, holding its vendor's fields. */
export type DeployedCredentialSet = Pick<CredentialSetConfig, 'name' | 'vendor' | 'fields' | 'perInstance'>;

/**
 * The secret holding a set's fields: `<stackName>/<set>`, so two stacks in one
 * region never share one; a per-instance set keeps the name it had before sets
 * existed, `cloudtap/<id>`, so an upgrade keeps its value.
 */
export function credentialSecretName(set: Pick<DeployedCredentialSet, 'name' | 'perInstance'>, stackName: string): string {
  return set.perInstance ? `cloudtap/${set.name}` : `${stackName}/${set.name}`;
}
