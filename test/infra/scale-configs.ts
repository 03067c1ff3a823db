import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CloudtapStack } from '../../infra/stack';
import { parseConfig } from '../../shared/config/load';
import type { DeployableInput, DeployedCredentialSet } from '../../shared/ops/deployable-config';
import { registry } from '../../shared/providers/registry';
import { simulatedApis } from '../../simulators/catalog';
import { cdkContext, dispatchEntry } from './destination-helpers';

/**
 * Configurations at scale, built as the config helper's parser will build them:
 * instances of every source type spread over named credential sets of their vendor.
 * (The parser on this branch knows no `credentials:` sets yet, so the sets and each
 * instance's `credentialSet` are added to its output by hand.)
 */
export interface ScaleOptions {
  readonly instances: number;
  /** Named (shared) credential sets, spread over the vendors of the types used; 0 = each instance its own set. */
  readonly sets: number;
  /** How many of the registered source types to use (1-4). */
  readonly types?: number;
  readonly destination?: Record<string, unknown>;
  readonly alerts?: Record<string, unknown>;
  readonly monitoring?: Record<string, unknown>;
  /** Every nth instance disabled (0: none). */
  readonly disableEvery?: number;
}

export function scaleConfig(options: ScaleOptions): DeployableInput {
  const apis = simulatedApis.slice(0, options.types ?? simulatedApis.length);
  const sources = Array.from({ length: options.instances }, (_, index) => {
    const api = apis[index % apis.length]!;
    return {
      id: `${api.type.split('-')[1]}-${String(index).padStart(4, '0')}`,
      type: api.type,
      ...api.instanceInput,
      ...(options.disableEvery && index % options.disableEvery === 0 ? { enabled: false } : {}),
    };
  });
  const parsed = parseConfig(
    { sources, ...(options.destination && { destination: options.destination }), ...(options.alerts && { alerts: options.alerts }), ...(options.monitoring && { monitoring: options.monitoring }) },
    registry,
  );
  if (options.sets === 0) return parsed;
  const vendors = [...new Set(apis.map((api) => registry.get(api.type)!.vendor))];
  const sets: DeployedCredentialSet[] = Array.from({ length: options.sets }, (_, index) => {
    const vendor = vendors[index % vendors.length]!;
    const definition = [...registry.values()].find((d) => d.vendor === vendor)!;
    return { name: `${vendor}-account-${String(index).padStart(2, '0')}`, vendor, fields: definition.credentialFields.map((f) => f.name), perInstance: false };
  });
  const setsOf = (vendor: string) => sets.filter((set) => set.vendor === vendor);
  const sourcesWithSets = parsed.sources.map((source, index) => {
    const own = setsOf(registry.get(source.type)!.vendor);
    return { ...source, credentialSet: own[index % own.length]!.name };
  });
  return { ...parsed, sources: sourcesWithSets, credentialSets: sets, deployment: { concurrency: 10, tags: {} } };
}

/** Synthesize (bundling skipped, as `cdk synth` would with it done) and measure. */
export function synthScale(config: DeployableInput, stackName = 'Cloudtap') {
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new CloudtapStack(app, stackName, { config, registry, dispatchEntry });
  const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string }> };
  return {
    stack,
    template,
    resources: Object.keys(template.Resources).length,
    // As the CDK CLI writes the template it uploads (cdk.out/<stack>.template.json).
    bytes: Buffer.byteLength(JSON.stringify(template, undefined, 1), 'utf8'),
  };
}
