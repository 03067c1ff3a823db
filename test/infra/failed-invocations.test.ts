import { describe, expect, it } from 'vitest';
import { actions, arnOf, logicalId, ref, resources, statementsOfRole, synth } from './destination-helpers';

/** The pullers' on-failure destination, with two source types (monitoring.test.ts covers its alarm). */
const SOURCES = [
  { id: 'audit-gz', type: 'tencent-cloudaudit', region: 'ap-guangzhou' },
  { id: 'ssl-certs', type: 'tencent-ssl', schedule: 'rate(10 minutes)' },
];
const { stack, json } = synth({ type: 's3' }, { sources: SOURCES });
const queue = stack.failedInvocations.queue;

describe('FailedInvocations', () => {
  it("is one queue, encrypted with the stack's key, keeping messages 14 days", () => {
    const queues = Object.values(json.Resources).filter((r) => r.Type === 'AWS::SQS::Queue');
    expect(queues).toHaveLength(1);
    expect(queues[0].Properties).toEqual({ KmsMasterKeyId: arnOf(stack.encryptionKey.key), MessageRetentionPeriod: 14 * 86_400 });
  });

  it('refuses every request without TLS, and its policy allows nothing', () => {
    const policies = Object.values(json.Resources).filter((r) => r.Type === 'AWS::SQS::QueuePolicy');
    expect(policies.map((p) => p.Properties)).toEqual([
      {
        Queues: [ref(queue)],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sqs:*', Resource: arnOf(queue), Condition: { Bool: { 'aws:SecureTransport': 'false' } } }],
        },
      },
    ]);
  });

  it.each(SOURCES.map((source) => source.type))('receives the failed and expired invocations of the %s puller, which may send there and nothing more', (type) => {
    const fn = stack.pullers.get(type)!.function;
    const invokeConfigs = Object.values(json.Resources).filter((r) => r.Type === 'AWS::Lambda::EventInvokeConfig' && r.Properties.FunctionName.Ref === logicalId(fn));
    expect(invokeConfigs.map((c) => c.Properties.DestinationConfig)).toEqual([{ OnFailure: { Destination: arnOf(queue) } }]);

    const statements = statementsOfRole(json, logicalId(fn.role!));
    const sqs = statements.filter((s) => actions(s).some((action) => action.startsWith('sqs:')));
    expect(sqs.flatMap(actions)).toEqual(['sqs:SendMessage']);
    expect(sqs.flatMap(resources)).toEqual([arnOf(queue)]);
    const keyUse = statements.filter((s) => s.Condition?.StringLike?.['kms:EncryptionContext:aws:sqs:arn']);
    expect(keyUse).toEqual([expect.objectContaining({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: arnOf(stack.encryptionKey.key) })]);
    expect(keyUse[0]!.Condition!.StringLike).toEqual({ 'kms:EncryptionContext:aws:sqs:arn': arnOf(queue) });
  });

  it('is an output, for the operator who reads and purges it', () => {
    expect(json.Outputs.FailedInvocationsQueueUrl).toEqual({
      Description: 'SQS queue holding failed puller invocations',
      Value: ref(queue),
      Export: { Name: 'Dest-FailedInvocationsQueueUrl' },
    });
  });
});
