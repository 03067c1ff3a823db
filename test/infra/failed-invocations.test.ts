import { describe, expect, it } from 'vitest';
import { actions, arnOf, logicalId, ref, resources, statementsOfRole, synth } from './destination-helpers';

/** The pull queues' dead-letter queue and the dispatcher's on-failure destination, with two source types (monitoring.test.ts covers its alarm). */
const SOURCES = [
  { id: 'audit-gz', type: 'tencent-cloudaudit', region: 'ap-guangzhou' },
  { id: 'ssl-certs', type: 'tencent-ssl', schedule: 'rate(10 minutes)' },
];
const { stack, json } = synth({ type: 's3' }, { sources: SOURCES });
const queue = stack.failedInvocations.queue;

describe('FailedInvocations', () => {
  it("is one queue, encrypted with the stack's key, keeping messages 14 days", () => {
    expect(json.Resources[logicalId(queue)].Properties).toEqual({ KmsMasterKeyId: arnOf(stack.encryptionKey.key), MessageRetentionPeriod: 14 * 86_400 });
  });

  it('refuses every request without TLS, and its policy allows nothing', () => {
    const policies = Object.values(json.Resources).filter((r) => r.Type === 'AWS::SQS::QueuePolicy' && r.Properties.Queues[0].Ref === logicalId(queue));
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

  it.each(SOURCES.map((source) => source.type))("receives the %s pull queue's messages whose run failed, after one receive; the puller sends nothing there itself", (type) => {
    const puller = stack.pullers.get(type)!;
    expect(json.Resources[logicalId(puller.queue)].Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: arnOf(queue), maxReceiveCount: 1 });
    const statements = statementsOfRole(json, logicalId(puller.function.role!));
    expect(statements.filter((s) => actions(s).includes('sqs:SendMessage'))).toEqual([]);
    expect(JSON.stringify(statements)).not.toContain(logicalId(queue));
  });

  it('receives the failed dispatcher invocations; the dispatcher may send there, and use the key for it', () => {
    const fn = stack.dispatcher.function;
    const invokeConfigs = Object.values(json.Resources).filter((r) => r.Type === 'AWS::Lambda::EventInvokeConfig' && r.Properties.FunctionName.Ref === logicalId(fn));
    expect(invokeConfigs.map((c) => c.Properties.DestinationConfig)).toEqual([{ OnFailure: { Destination: arnOf(queue) } }]);
    const statements = statementsOfRole(json, logicalId(fn.role!));
    const sends = statements.filter((s) => actions(s).includes('sqs:SendMessage'));
    expect(sends.flatMap(resources)).toContainEqual(arnOf(queue));
    const keyUse = statements.filter((s) => JSON.stringify(s.Condition?.StringLike?.['kms:EncryptionContext:aws:sqs:arn']) === JSON.stringify(arnOf(queue)));
    expect(keyUse).toEqual([expect.objectContaining({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: arnOf(stack.encryptionKey.key) })]);
  });

  it('is an output, for the operator who reads and purges it', () => {
    expect(json.Outputs.FailedInvocationsQueueUrl).toEqual({
      Description: 'SQS queue holding failed runs and dispatches',
      Value: ref(queue),
      Export: { Name: 'Dest-FailedInvocationsQueueUrl' },
    });
  });
});
