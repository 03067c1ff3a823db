import type { CloudtapConfig } from '../config/load';
import type { Registry } from '../providers/definition';

/**
 * What the deployment needs to know about the configuration: the validated config
 * plus its credential sets and the `deployment` section, typed here by the fields
 * the stack reads, so the stack and the size estimate depend on those fields only.
 */

/** A credential set as the stack sees it: one secret each. */
export interface DeployedCredentialSet {
  readonly name: string;
  readonly vendor: string;
  /** Every credential field name of the vendor: the secret's placeholder keys. */
  readonly fields: readonly string[];
  /** The old per-instance form: the set is named after its one instance and keeps the secret `cloudtap/<id>`. */
  readonly perInstance: boolean;
}

export type DeploymentSettings = {
  /** Runs at once per source type's function (the event source mapping's MaximumConcurrency). */
  readonly concurrency: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly account?: string;
  readonly region?: string;
};

export type DeployableConfig = Omit<CloudtapConfig, 'deployment' | 'credentialSets'> & {
  readonly credentialSets: readonly DeployedCredentialSet[];
  readonly deployment: DeploymentSettings;
};

/** A validated config, before or after the config parser knows credential sets and the new deployment fields. */
export type DeployableInput = Omit<CloudtapConfig, 'deployment' | 'credentialSets'> & {
  readonly credentialSets?: readonly DeployedCredentialSet[];
  /** Other fields (the older reservedConcurrencyPerSource) are ignored. */
  readonly deployment: Partial<DeploymentSettings> & Readonly<Record<string, unknown>>;
};

/** `deployment.concurrency` when the config does not say (the config's own default). */
export const DEFAULT_CONCURRENCY = 10;

/**
 * A validated config as the stack takes it. Fills in what a config parsed before
 * credential sets and `deployment.concurrency` existed lacks: each instance's own
 * set (per instance, as that parser makes every instance), concurrency 10, no tags.
 */
export function deployableConfig(config: DeployableInput, registry: Registry): DeployableConfig {
  const { concurrency = DEFAULT_CONCURRENCY, tags = {}, account, region } = config.deployment;
  const deployment: DeploymentSettings = { concurrency, tags, ...(account && { account }), ...(region && { region }) };
  return { ...config, credentialSets: config.credentialSets ?? perInstanceSets(config, registry), deployment };
}

function perInstanceSets(config: DeployableInput, registry: Registry): DeployedCredentialSet[] {
  const sets = new Map<string, DeployedCredentialSet>();
  for (const source of config.sources) {
    const definition = registry.get(source.type);
    if (!definition || sets.has(source.credentialSet)) continue;
    const fields = definition.credentialFields.map((field) => field.name);
    sets.set(source.credentialSet, { name: source.credentialSet, vendor: definition.vendor, fields, perInstance: source.credentialSet === source.id });
  }
  return [...sets.values()];
}

/**
 * The secret holding a set's fields: `<stackName>/<set>`, so two stacks in one
 * region never share one; a per-instance set keeps the name it had before sets
 * existed, `cloudtap/<id>`, so an upgrade keeps its value.
 */
export function credentialSecretName(set: Pick<DeployedCredentialSet, 'name' | 'perInstance'>, stackName: string): string {
  return set.perInstance ? `cloudtap/${set.name}` : `${stackName}/${set.name}`;
}
