import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load';
import { ConfigError } from '../../shared/lib/errors';
import { registry } from '../../shared/providers/registry';

const sources = [{ id: 'audit-gz', type: 'tencent-cloudaudit', region: 'ap-guangzhou' }];

/** The problems a configuration is refused with, as `cloudtap validate` prints them. */
function problems(deployment: unknown): string[] {
  try {
    parseConfig({ sources, deployment }, registry, 'test.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected the configuration to be refused');
}

const deploymentOf = (deployment: unknown) => parseConfig({ sources, deployment }, registry, 'test.yaml').deployment;

// The SQS event source mapping's MaximumConcurrency: "Minimum value of 2. Maximum value of 1000" (Lambda API reference, ScalingConfig).
const CONCURRENCY_LOW = "deployment.concurrency: at least 2: the least an SQS event source mapping's maximum concurrency takes";
const CONCURRENCY_HIGH = "deployment.concurrency: at most 1000: the most an SQS event source mapping's maximum concurrency takes";
const ACCOUNT = 'deployment.account: expected a 12-digit AWS account id, e.g. "123456789012" (quote it, so YAML keeps leading zeros)';

describe('deployment', () => {
  it('runs 10 at once per source type, with no tags and the CLI environment, by default', () => {
    expect(parseConfig({ sources }, registry).deployment).toEqual({ concurrency: 10, tags: {} });
    expect(deploymentOf({})).toEqual({ concurrency: 10, tags: {} });
  });

  it.each([
    { name: 'the least concurrency', deployment: { concurrency: 2 }, expected: { concurrency: 2, tags: {} } },
    { name: 'the most concurrency', deployment: { concurrency: 1000 }, expected: { concurrency: 1000, tags: {} } },
    {
      name: 'tags at their longest',
      deployment: { tags: { team: 'secops', ['k'.repeat(128)]: 'v'.repeat(256) } },
      expected: { concurrency: 10, tags: { team: 'secops', ['k'.repeat(128)]: 'v'.repeat(256) } },
    },
    { name: 'an account and a region', deployment: { account: '012345678901', region: 'eu-central-1' }, expected: { concurrency: 10, tags: {}, account: '012345678901', region: 'eu-central-1' } },
    { name: 'an unquoted account', deployment: { account: 123456789012 }, expected: { concurrency: 10, tags: {}, account: '123456789012' } },
    { name: 'a GovCloud region', deployment: { region: 'us-gov-west-1' }, expected: { concurrency: 10, tags: {}, region: 'us-gov-west-1' } },
  ])('takes $name', ({ deployment, expected }) => {
    expect(deploymentOf(deployment)).toEqual(expected);
  });

  it.each([
    { name: 'concurrency 1', deployment: { concurrency: 1 }, expected: [CONCURRENCY_LOW] },
    { name: 'concurrency 1001', deployment: { concurrency: 1001 }, expected: [CONCURRENCY_HIGH] },
    { name: 'a fraction of a run', deployment: { concurrency: 2.5 }, expected: ['deployment.concurrency: expected a whole number of runs'] },
    { name: 'concurrency in words', deployment: { concurrency: 'ten' }, expected: ['deployment.concurrency: expected a number of runs, e.g. 10'] },
    { name: 'a tag key too long', deployment: { tags: { ['k'.repeat(129)]: 'v' } }, expected: [`deployment.tags.${'k'.repeat(129)}: a tag key takes 1-128 characters (this one has 129)`] },
    { name: 'a tag value too long', deployment: { tags: { team: 'v'.repeat(257) } }, expected: ['deployment.tags.team: a tag value takes 1-256 characters (this one has 257)'] },
    { name: 'an empty tag value', deployment: { tags: { team: '' } }, expected: ['deployment.tags.team: a tag value takes 1-256 characters (this one has 0)'] },
    { name: 'a tag of AWS', deployment: { tags: { 'AWS:cloudformation:stack-name': 'x' } }, expected: ['deployment.tags.AWS:cloudformation:stack-name: the aws: prefix is reserved for AWS'] },
    { name: 'a tag value that is a number', deployment: { tags: { cost: 42 } }, expected: ['deployment.tags.cost: expected a text value'] },
    { name: 'tags as a list', deployment: { tags: ['team=secops'] }, expected: ['deployment.tags: expected a map of tag names to values, e.g. { team: secops }'] },
    {
      name: '51 tags',
      deployment: { tags: Object.fromEntries(Array.from({ length: 51 }, (_, index) => [`t${index}`, 'x'])) },
      expected: ['deployment.tags: 51 tags; AWS takes at most 50 per resource'],
    },
    { name: 'an account of 11 digits', deployment: { account: '12345678901' }, expected: [ACCOUNT] },
    { name: 'an unquoted account that lost its leading zero', deployment: { account: 12345678901 }, expected: [ACCOUNT] },
    { name: 'an account alias', deployment: { account: 'prod' }, expected: [ACCOUNT] },
    { name: 'a region name', deployment: { region: 'Frankfurt' }, expected: ['deployment.region: expected an AWS region, e.g. eu-central-1'] },
    // Replaced: the file that still sets it is told what replaced it, whatever its value.
    ...[2, false, 10].map((value) => ({
      name: `reservedConcurrencyPerSource: ${value}`,
      deployment: { reservedConcurrencyPerSource: value },
      expected: ['deployment.reservedConcurrencyPerSource: replaced by deployment.concurrency (runs at once per source type); see docs/scale.md#upgrading'],
    })),
  ])('refuses $name, naming its path', ({ deployment, expected }) => {
    expect(problems(deployment)).toEqual(expected);
  });

  it('refuses unknown keys, offering the keys that exist (not the replaced one)', () => {
    expect(problems({ concurency: 20 })).toEqual(['deployment.concurency: unknown key; did you mean "concurrency"?']);
    expect(problems({ reservedConcurrency: 2 })).toEqual(['deployment.reservedConcurrency: unknown key; expected one of concurrency, tags, account, region']);
  });
});
