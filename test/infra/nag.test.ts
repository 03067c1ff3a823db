import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { CloudtapStack } from '../../infra/stack';
import { parseConfig } from '../../shared/config/load';
import { registry } from '../../shared/providers/registry';
import { ELASTIC, HEC, cdkContext } from './destination-helpers';
import { scaleConfig } from './scale-configs';

/**
 * cdk-nag's AwsSolutions checks over every kind of stack the configuration can make.
 * cdk-nag 3 is a CDK validation plugin (no longer an aspect writing annotations):
 * `validateScope` runs the same checks `cdk synth -c cloudtap:nag=true` runs, honouring
 * the acknowledgements the constructs in infra/ make, and returns every remaining
 * finding, errors and warnings alike.
 */
function build(data: Record<string, unknown>) {
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  return new CloudtapStack(app, 'Nag', { config: parseConfig(data, registry), registry });
}

/** Each unacknowledged finding as `<severity> <rule> at <construct path>`, on the tree as synthesized. */
function findings(stack: Stack): string[] {
  (stack.node.root as App).synth();
  return new AwsSolutionsChecks().validateScope(stack).violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.severity} ${violation.ruleName} at ${resource.constructPath}`),
  );
}

/** Every `AwsSolutions-*` acknowledgement in the tree: construct path (below the stack), rule, reason. */
function acknowledgements(stack: Stack): { path: string; rule: string; reason: string }[] {
  return stack.node.findAll().flatMap((construct: IConstruct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .map(([id, reason]) => ({ path: construct.node.path.replace(/^Nag\//, ''), rule: id.replace(/^annotation::/i, ''), reason }))
      .filter(({ rule }) => rule.startsWith('AwsSolutions-')),
  );
}

const ONE_SOURCE = [{ id: 'audit-gz', type: 'tencent-cloudaudit', region: 'ap-guangzhou' }];
/** One instance of every source type, two of one, and a disabled one. */
const EVERY_TYPE = [
  ...ONE_SOURCE,
  { id: 'audit-sh', type: 'tencent-cloudaudit', region: 'ap-shanghai', schedule: 'cron(0/10 * * * ? *)' },
  { id: 'ssl-certs', type: 'tencent-ssl', schedule: 'rate(10 minutes)' },
  { id: 'ucloud-ops', type: 'ucloud-operations', options: { projectId: 'org-abc123' }, enabled: false },
  {
    id: 'dbss-bj4',
    type: 'huawei-dbss',
    region: 'cn-north-4',
    options: { projectId: '0a1b2c3d4e5f60718293a4b5c6d7e8f9', instanceId: '8f2c9a61d4b7e05312fa6c8b9d0e7a41in01' },
  },
];
const ALERTS = {
  email: ['secops@example.com', 'oncall@example.org'],
  https: ['https://hooks.example.com/services/T000/B000/fake-webhook-token'],
  eventBusName: 'cloudtap-alerts',
  siemLink: 'https://siem.example.com/app/search?q=event.id%3D{event.id}',
};

const VARIANTS = [
  { name: 'S3, defaults, no alert subscriptions', data: { sources: ONE_SOURCE } },
  {
    name: 'S3 with lifecycle, every source type, alerts by email and https on a custom bus, no dashboard',
    data: {
      sources: EVERY_TYPE,
      destination: { type: 's3', lifecycle: { archiveAfterDays: 30, expireAfterDays: 400 } },
      alerts: ALERTS,
      monitoring: { dashboard: false },
    },
  },
  { name: 'Splunk, alerts', data: { sources: EVERY_TYPE, destination: { type: 'splunk', hecEndpoint: HEC }, alerts: ALERTS } },
  {
    name: 'Security Lake, custom sources registered, every source type',
    data: { sources: EVERY_TYPE, destination: { type: 'security-lake', bucket: 'aws-security-data-lake-eu-west-1-abc123' } },
  },
  { name: 'Elastic, everything backed up, no alert subscriptions', data: { sources: ONE_SOURCE, destination: { type: 'elastic', endpointUrl: ELASTIC, backup: 'all' } } },
];

describe('cdk-nag AwsSolutions', () => {
  it.each(VARIANTS)('finds nothing unacknowledged: $name', ({ data }) => {
    expect(findings(build(data))).toEqual([]);
  });

  it('finds nothing unacknowledged with shared credential sets: 40 instances of every type over 5 sets', () => {
    const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
    expect(findings(new CloudtapStack(app, 'Nag', { config: scaleConfig({ instances: 40, sets: 5 }), registry }))).toEqual([]);
  });

  it('is really checking: a queue added without encryption, TLS or a dead-letter queue is reported', () => {
    const stack = build({ sources: ONE_SOURCE });
    new sqs.Queue(stack, 'Unguarded', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    expect(findings(stack).sort()).toEqual([
      'error AwsSolutions-SQS2 at Nag/Unguarded/Resource',
      'error AwsSolutions-SQS3 at Nag/Unguarded/Resource',
      'error AwsSolutions-SQS4 at Nag/Unguarded/Resource',
    ]);
  });

  it('is acknowledged only where a finding cannot apply, on the construct concerned, with the reason', () => {
    const stack = build({ sources: EVERY_TYPE, destination: { type: 'splunk', hecEndpoint: HEC } });
    const found = acknowledgements(stack);
    expect(found.map(({ path, rule }) => `${rule} on ${path}`).sort()).toEqual(
      [
        // The access-log bucket does not log its own requests.
        'AwsSolutions-S1 on Delivery/BackupBucketAccessLogs',
        // Firehose writes objects under keys it makes up, in this one bucket.
        'AwsSolutions-IAM5[Resource::<DeliveryBackupBucket2FF21313.Arn>/*] on Delivery/Firehose/Policy',
        // Third-party credentials Secrets Manager cannot rotate: the HEC token and each source's.
        'AwsSolutions-SMG4 on Delivery/HecToken',
        ...EVERY_TYPE.map((source) => `AwsSolutions-SMG4 on Puller-${source.type}/Secret-${source.id}`),
        // The dead-letter queue has no dead-letter queue.
        'AwsSolutions-SQS3 on FailedInvocations/Queue',
      ].sort(),
    );
    for (const { reason } of found) expect(reason.length).toBeGreaterThan(100);
  });
});
