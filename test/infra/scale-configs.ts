import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CloudtapStack } from '../../infra/stack';
import { parseConfig } from '../../shared/config/load';
import type { CloudtapConfig } from '../../shared/config/load';
import { registry } from '../../shared/providers/registry';
import { simulatedApis } from '../../simulators/catalog';
import { cdkContext } from './destination-helpers';

/**
 * Configurations at scale, as a person would write them: instances of every source
 * type spread over named credential sets of their vendor, parsed by the real parser.
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
  readonly deployment?: Record<string, unknown>;
  /** Every nth instance disabled (0: none). */
  readonly disableEvery?: number;
}

export function scaleConfig(options: ScaleOptions): CloudtapConfig {
  const apis = simulatedApis.slice(0, options.types ?? simulatedApis.length);
  const vendors = [...new Set(apis.map((api) => registry.get(api.type)!.vendor))];
  const setNames = Array.from({ length: options.sets }, (_, index) => {
    const vendor = vendors[index % vendors.length]!;
    return { name: `${vendor}-account-${String(index).padStart(2, '0')}`, vendor };
  });
  // Round robin over the vendor's sets, so every set is used once there are enough instances.
  const next = new Map<string, number>();
  const setFor = (vendor: string) => {
    const own = setNames.filter((set) => set.vendor === vendor);
    if (own.length === 0) return undefined;
    const turn = next.get(vendor) ?? 0;
    next.set(vendor, turn + 1);
    return own[turn % own.length]!.name;
  };
  const sources = Array.from({ length: options.instances }, (_, index) => {
    const api = apis[index % apis.length]!;
    const credentials = setFor(registry.get(api.type)!.vendor);
    return {
      id: `${api.type.split('-')[1]}-${String(index).padStart(4, '0')}`,
      type: api.type,
      ...api.instanceInput,
      ...(credentials && { credentials }),
      ...(options.disableEvery && index % options.disableEvery === 0 ? { enabled: false } : {}),
    };
  });
  return parseConfig(
    {
      sources,
      ...(setNames.length > 0 && { credentials: Object.fromEntries(setNames.map((set) => [set.name, { vendor: set.vendor }])) }),
      ...(options.destination && { destination: options.destination }),
      ...(options.alerts && { alerts: options.alerts }),
      ...(options.monitoring && { monitoring: options.monitoring }),
      ...(options.deployment && { deployment: options.deployment }),
    },
    registry,
  );
}

/** Synthesize (bundling skipped, as `cdk synth` would with it done) and measure. */
export function synthScale(config: CloudtapConfig, stackName = 'Cloudtap') {
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new CloudtapStack(app, stackName, { config, registry });
  const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string }> };
  return {
    stack,
    template,
    resources: Object.keys(template.Resources).length,
    // As the CDK CLI writes the template it uploads (cdk.out/<stack>.template.json).
    bytes: Buffer.byteLength(JSON.stringify(template, undefined, 1), 'utf8'),
  };
}

/**
 * The characters IAM counts of each role's inline policies together (no whitespace),
 * with the template's references resolved to generous stand-ins: the longest
 * partition and region names, and 140 characters for any resource's ARN or name.
 */
export function rolePolicyChars(template: { Resources: Record<string, { Type: string; Properties?: any }> }): Map<string, number> {
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws-us-gov', 'AWS::Region': 'ap-southeast-3', 'AWS::AccountId': '123456789012', 'AWS::URLSuffix': 'amazonaws.com.cn' };
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (!value || typeof value !== 'object') return value;
    const object = value as Record<string, unknown>;
    if ('Ref' in object) return pseudo[object.Ref as string] ?? 'x'.repeat(140);
    if ('Fn::GetAtt' in object) return 'x'.repeat(140);
    if ('Fn::Join' in object) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return parts.map((part) => resolve(part)).join(separator);
    }
    return Object.fromEntries(Object.entries(object).map(([key, inner]) => [key, resolve(inner)]));
  };
  const sizes = new Map<string, number>();
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    const chars = JSON.stringify(resolve(resource.Properties.PolicyDocument)).length;
    for (const role of resource.Properties.Roles as { Ref: string }[]) sizes.set(role.Ref, (sizes.get(role.Ref) ?? 0) + chars);
  }
  return sizes;
}
