import type { CloudtapConfig, CredentialSetConfig } from '../config/load';

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

/**
 * The secret each instance's credential set has in `stackName`, by set name. The
 * parser gives every instance a set (its own when it names none), so a name not
 * among them is a bug, not a configuration mistake.
 */
export function secretNameBySet(config: Pick<CloudtapConfig, 'credentialSets'>, stackName: string): (setName: string) => string {
  const names = new Map(config.credentialSets.map((set) => [set.name, credentialSecretName(set, stackName)]));
  return (setName) => {
    const name = names.get(setName);
    if (name === undefined) throw new Error(`no credential set "${setName}" in the validated configuration`);
    return name;
  };
}
