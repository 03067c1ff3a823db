import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { CloudtapStack, PROJECT_ROOT } from '../../infra/stack';
import { parseConfig } from '../../shared/config/load';
import { registry } from '../../shared/providers/registry';

/** The whole stack for one destination, as `cdk synth` builds it (bundling skipped), and ways to read its template. */
export const cdkContext = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;
export const SOURCES = [{ id: 'audit-gz', type: 'tencent-cloudaudit', region: 'ap-guangzhou' }];
export const HEC = 'https://http-inputs-firehose-acme.splunkcloud.com:443';
export const ELASTIC = 'https://acme.es.eu-west-1.aws.elastic-cloud.com';

export function synth(destination: Record<string, unknown>, rest: Record<string, unknown> = {}) {
  const config = parseConfig({ sources: SOURCES, destination, ...rest }, registry);
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
  const stack = new CloudtapStack(app, 'Dest', { config, registry });
  const template = Template.fromStack(stack);
  return { stack, template, json: template.toJSON() as { Resources: Record<string, any>; Outputs: Record<string, any>; Mappings?: unknown } };
}

export const logicalId = (c: IConstruct) => Stack.of(c).getLogicalId(c instanceof CfnElement ? c : (c.node.defaultChild as CfnElement));
export const ref = (c: IConstruct) => ({ Ref: logicalId(c) });
export const arnOf = (c: IConstruct) => ({ 'Fn::GetAtt': [logicalId(c), 'Arn'] });
export type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Principal?: unknown; Condition?: Record<string, Record<string, unknown>> };
export const actions = (s: Statement) => [s.Action].flat();
export const resources = (s: Statement) => [s.Resource].flat();
export const statementsOfRole = (json: ReturnType<typeof synth>['json'], roleId: string): Statement[] =>
  Object.values(json.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
/** Every key anywhere in a JSON value. */
export const keysIn = (value: unknown): string[] =>
  value && typeof value === 'object' ? Object.entries(value).flatMap(([k, v]) => [k, ...keysIn(v)]) : [];
