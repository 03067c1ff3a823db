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
import { secretFields } from '../detection/corpus';

/**
 * One instance of every registered source type, configured as its simulator
 * serves it: each type gets its own function and queue, each instance (naming no
 * credential set) a secret of its own. Every other one sets its own schedule.
 */
const CONFIG = {
  sources: simulatedApis.map((api, index) => ({
    id: `source-${index}`,
    type: api.type,
    ...api.instanceInput,
    ...(index % 2 === 1 ? { schedule: 'rate(10 minutes)' } : {}),
  })),
};

const context = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;
const config = parseConfig(CONFIG, registry);
const stack = new CloudtapStack(new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } }), 'Sources', { config, registry });
const template = Template.fromStack(stack);
const logicalId = (construct: IConstruct) => Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);

/** The literal form of a secret's ARN pattern as the template writes it. */
const secretArnPattern = (name: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:secret:${name}-??????`]],
});

describe('every source type in the stack', () => {
  it('covers every registered definition: one function each, and the dispatcher', () => {
    expect(new Set(config.sources.map((source) => source.type))).toEqual(new Set(definitions.map((definition) => definition.type)));
    expect(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } })).toSatisfy(
      (functions: object) => Object.keys(functions).length === definitions.length + 1,
    );
  });

  it.each(config.sources.map((source) => [source.type, source] as const))('%s: its function, queue, event source and secret', (type, instance) => {
    const puller = stack.pullers.get(type)!;
    expect(puller, `no puller for ${type}`).toBeDefined();
    const functionId = logicalId(puller.function);
    const queueId = logicalId(puller.queue);
    const secret = puller.secrets.get(instance.id)!;
    const secretId = logicalId(secret);

    // The function: the latest runtime on ARM, one per type, no reserved concurrency (the event source caps it).
    const fn = template.findResources('AWS::Lambda::Function')[functionId]!;
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler', Timeout: 300 });
    expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();

    // Its queue: the stack's key, a message invisible for the run's timeout plus a minute, one receive, then the failed-invocations queue.
    const queue = template.findResources('AWS::SQS::Queue')[queueId]!;
    expect(queue.Properties).toEqual({
      KmsMasterKeyId: { 'Fn::GetAtt': [logicalId(stack.encryptionKey.key), 'Arn'] },
      VisibilityTimeout: 360,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(stack.failedInvocations.queue), 'Arn'] }, maxReceiveCount: 1 },
    });

    // The queue feeds the function one message at a time, at most deployment.concurrency (default 10) at once.
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).filter((m) => m.Properties.FunctionName.Ref === functionId);
    expect(mappings.map((m) => m.Properties)).toEqual([
      {
        FunctionName: { Ref: functionId },
        EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
        BatchSize: 1,
        ScalingConfig: { MaximumConcurrency: 10 },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      },
    ]);
    // No schedule of its own: the dispatcher's table lists the instance with its secret.
    expect(template.findResources('AWS::Lambda::EventInvokeConfig', { Properties: { FunctionName: { Ref: functionId } } })).toEqual({});
    expect(stack.dispatcher.table.entries.filter((entry) => entry.source.id === instance.id)).toEqual([{ source: instance, secretName: `cloudtap/${instance.id}` }]);

    // The secret: its own set (the config names none), named for the instance, a placeholder with exactly the source's credential fields.
    const secretResource = template.findResources('AWS::SecretsManager::Secret')[secretId]!;
    expect(secretResource.Properties.Name).toBe(`cloudtap/${instance.id}`);
    // Every credential field the source reads, all empty: the operator fills them in (the fields are written out in the API's corpus.ts).
    expect(JSON.parse(secretResource.Properties.SecretString)).toEqual(Object.fromEntries(secretFields(type).map((field) => [field, ''])));

    // The function may read its own secret and no other, by the secret's name.
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === logicalId(puller.function.role!)),
    );
    const secretReads = policies
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
      .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('secretsmanager:')));
    expect(secretReads.map((statement) => statement.Resource)).toEqual([secretArnPattern(`cloudtap/${instance.id}`)]);
  });
});
