import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { CloudtapStack, PROJECT_ROOT } from '../../infra/stack';
import { parseConfig } from '../../shared/config/load';
import { definitions, registry } from '../../shared/providers/registry';
import { simulatedApis } from '../../simulators/catalog';
import { dispatchEntry } from './destination-helpers';

/**
 * One instance of every registered source type, configured as its simulator
 * serves it: each gets its own function, schedule and secret. Every other one
 * sets its own schedule, so both the definition's default and an override are synthesized.
 */
const CONFIG = {
  sources: simulatedApis.map((api, index) => ({
    id: `source-${index}`,
    type: api.type,
    ...api.instanceInput,
    ...(index % 2 === 1 ? { schedule: 'rate(10 minutes)' } : {}),
  })),
};

/** Each type's placeholder secret: every credential field the source reads, all empty (the operator fills them in). */
const SECRET_TEMPLATES: Record<string, Record<string, ''>> = {
  'tencent-cloudaudit': { secretId: '', secretKey: '', token: '' },
  'tencent-ssl': { secretId: '', secretKey: '', token: '' },
  'ucloud-operations': { publicKey: '', privateKey: '' },
  'huawei-dbss': { accessKeyId: '', secretAccessKey: '', securityToken: '', domainName: '', userName: '', password: '' },
};

const context = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;
const config = parseConfig(CONFIG, registry);
const stack = new CloudtapStack(new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } }), 'Sources', { config, registry, dispatchEntry });
const template = Template.fromStack(stack);
const logicalId = (construct: IConstruct) => Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);

describe('every source type in the stack', () => {
  it('covers every registered definition', () => {
    expect(new Set(config.sources.map((source) => source.type))).toEqual(new Set(definitions.map((definition) => definition.type)));
    expect(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } })).toSatisfy(
      (functions: object) => Object.keys(functions).length === definitions.length,
    );
  });

  it.each(config.sources.map((source) => [source.type, source] as const))('%s: its function, schedule and secret', (type, instance) => {
    const puller = stack.pullers.get(type)!;
    expect(puller, `no puller for ${type}`).toBeDefined();
    const functionId = logicalId(puller.function);
    const secret = puller.secrets.get(instance.id)!;
    const secretId = logicalId(secret);

    // The function: the latest runtime on ARM, one per type, two executions reserved for its one enabled instance.
    const fn = template.findResources('AWS::Lambda::Function')[functionId]!;
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler', ReservedConcurrentExecutions: 2 });

    // Failed invocations of every type go to the one queue.
    const invokeConfig = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig')).find((c) => c.Properties.FunctionName.Ref === functionId);
    expect(invokeConfig?.Properties.DestinationConfig).toEqual({ OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(stack.failedInvocations.queue), 'Arn'] } } });

    // The secret: named for the instance, a placeholder with exactly the source's credential fields.
    const secretResource = template.findResources('AWS::SecretsManager::Secret')[secretId]!;
    expect(secretResource.Properties.Name).toBe(`cloudtap/${instance.id}`);
    expect(JSON.parse(secretResource.Properties.SecretString)).toEqual(SECRET_TEMPLATES[type]);

    // The schedule: one rule with the instance's expression, targeting this function with this instance and secret.
    const rules = Object.values(template.findResources('AWS::Events::Rule')).filter((rule) =>
      (rule.Properties.Targets as { Arn: unknown }[]).some((target) => JSON.stringify(target.Arn).includes(functionId)),
    );
    expect(rules).toHaveLength(1);
    expect(rules[0]!.Properties.ScheduleExpression).toBe(instance.schedule);
    const input = JSON.stringify(rules[0]!.Properties.Targets[0].Input);
    expect(input).toContain(`\\"id\\":\\"${instance.id}\\"`);
    expect(input).toContain(secretId);

    // The function may read its own secret and no other.
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === logicalId(puller.function.role!)),
    );
    const secretReads = policies
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
      .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('secretsmanager:')));
    expect(secretReads.map((statement) => statement.Resource)).toEqual([{ Ref: secretId }]);
  });
});
