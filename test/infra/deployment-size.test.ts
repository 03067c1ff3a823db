import { describe, expect, it } from 'vitest';
import { CLOUDFORMATION_LIMITS, deploymentLimitProblems, estimateDeploymentSize } from '../../shared/ops/deployment-size';
import { registry } from '../../shared/providers/registry';
import { ELASTIC, HEC } from './destination-helpers';
import { rolePolicyChars, scaleConfig, synthScale, type ScaleOptions } from './scale-configs';

const ALERTS = {
  email: ['secops@example.com', 'oncall@example.org'],
  https: ['https://hooks.example.com/services/T000/B000/fake-webhook-token'],
  eventBusName: 'cloudtap-alerts',
  siemLink: 'https://siem.example.com/app/search?q=event.id%3D{event.id}',
};

/** Configurations that vary every input of the estimate. */
const CASES: [string, ScaleOptions, { stackName?: string; tags?: Record<string, string> }?][] = [
  ['s3, 1 type, 1 instance (its own set)', { instances: 1, sets: 0, types: 1 }],
  ['splunk, 1 type', { instances: 1, sets: 0, types: 1, destination: { type: 'splunk', hecEndpoint: HEC } }],
  ['elastic, 1 type', { instances: 1, sets: 0, types: 1, destination: { type: 'elastic', endpointUrl: ELASTIC } }],
  ['security-lake, 1 type', { instances: 1, sets: 0, types: 1, destination: { type: 'security-lake', bucket: 'aws-security-data-lake-eu-west-1-abc123' } }],
  ['security-lake, 4 types, not registered', { instances: 8, sets: 0, destination: { type: 'security-lake', bucket: 'aws-security-data-lake-eu-west-1-abc123', register: false } }],
  ['alerts on: 2 emails, a webhook, a custom bus, a SIEM link', { instances: 4, sets: 0, alerts: ALERTS }],
  ['4 types, legacy per-instance sets', { instances: 40, sets: 0 }],
  ['2 types, one shared set', { instances: 12, sets: 1, types: 2 }],
  ['4 types, 50 sets, 10 instances', { instances: 10, sets: 50 }],
  ['4 types, 50 sets, 1,000 instances', { instances: 1000, sets: 50 }],
  ['no dashboard, a type with every instance disabled', { instances: 4, sets: 0, monitoring: { dashboard: false }, disableEvery: 4 }],
  ['a long stack name and tags', { instances: 40, sets: 8 }, { stackName: `Cloudtap-${'x'.repeat(50)}`, tags: { team: 'secops', 'cost-center': '4711' } }],
];

describe('the deployment size estimate against real synths', () => {
  it.each(CASES)('%s', (_name, options, extra = {}) => {
    const config = scaleConfig({ ...options, ...(extra.tags && { deployment: { tags: extra.tags } }) });
    const stackName = extra.stackName ?? 'Cloudtap';
    const real = synthScale(config, stackName);
    const estimate = estimateDeploymentSize(config, stackName);
    console.log(`${_name}: ${real.resources} resources (estimate ${estimate.resources}), ${real.bytes} bytes (estimate ${estimate.templateBytes}, ${((estimate.templateBytes / real.bytes - 1) * 100).toFixed(1)}% above)`);
    expect(estimate.resources).toBe(real.resources);
    expect(estimate.templateBytes).toBeGreaterThanOrEqual(real.bytes);
    expect(estimate.templateBytes).toBeLessThanOrEqual(real.bytes * 1.25);
    expect(estimate.secrets).toBe(Object.values(real.template.Resources).filter((r) => r.Type === 'AWS::SecretsManager::Secret').length - (options.destination && options.destination.type !== 'security-lake' ? 1 : 0));
    expect(estimate.schedules).toBe(Object.values(real.template.Resources).filter((r) => r.Type === 'AWS::Events::Rule').length);
    expect(estimate.largestRolePolicyChars).toBeGreaterThanOrEqual(Math.max(...rolePolicyChars(real.template).values()));
    expect(estimate.queues).toBe(Object.values(real.template.Resources).filter((r) => r.Type === 'AWS::SQS::Queue').length);
  });
});

describe('deploymentLimitProblems', () => {
  const size = { resources: 120, templateBytes: 180_000, secrets: 50, schedules: 1, queues: 5, sourceTypes: 4, enabledInstances: 1000, largestRolePolicyChars: 7_000 };

  it('accepts what fits', () => {
    expect(deploymentLimitProblems(size)).toEqual([]);
    expect(deploymentLimitProblems({ ...size, resources: 500, templateBytes: 1_000_000, largestRolePolicyChars: 10_240 })).toEqual([]);
  });

  it('names the limit and the figure for each one exceeded', () => {
    expect(CLOUDFORMATION_LIMITS).toEqual({ resources: 500, templateBytes: 1_000_000 });
    const problems = deploymentLimitProblems({ ...size, resources: 501, templateBytes: 1_000_001, largestRolePolicyChars: 10_241 });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^the stack would have 501 resources; CloudFormation allows 500 per template/);
    expect(problems[1]).toMatch(/^the stack's template could reach 1000001 bytes; CloudFormation allows 1000000/);
    expect(problems[2]).toMatch(/role's policy could reach 10241 characters; IAM allows 10240/);
  });
});
