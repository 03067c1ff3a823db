import { describe, expect, it } from 'vitest';
import { ELASTIC, HEC, actions, arnOf, logicalId, resources, synth, type Statement } from './destination-helpers';

/** The stack's customer-managed key: what it encrypts, who may use it and how, for every destination type. */
const CASES = [
  { type: 's3', destination: { type: 's3' } },
  { type: 'splunk', destination: { type: 'splunk', hecEndpoint: HEC } },
  { type: 'elastic', destination: { type: 'elastic', endpointUrl: ELASTIC } },
] as const;
const ALERTS = { email: ['secops@example.com'], https: ['https://hooks.example.com/x'], eventBusName: 'cloudtap-alerts' };

describe.each(CASES)('the encryption key, destination $type', ({ destination }) => {
  const { stack, template, json } = synth(destination, { alerts: ALERTS });
  const key = stack.encryptionKey.key;
  const keyArn = arnOf(key);
  const ofType = (type: string) => Object.entries(json.Resources).filter(([, r]) => r.Type === type);

  it('is one customer-managed key, rotated, that outlives the stack like the data it protects', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    expect(json.Resources[logicalId(key)]).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { EnableKeyRotation: true, PendingWindowInDays: 30 },
    });
  });

  it('encrypts the table, the stream, the topic, every queue and every secret', () => {
    const [table] = ofType('AWS::DynamoDB::Table');
    expect(table![1].Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn });
    expect(json.Resources[logicalId(stack.delivery.cfnDeliveryStream)].Properties.DeliveryStreamEncryptionConfigurationInput).toEqual({
      KeyType: 'CUSTOMER_MANAGED_CMK',
      KeyARN: keyArn,
    });
    expect(ofType('AWS::SNS::Topic').map(([, r]) => r.Properties.KmsMasterKeyId)).toEqual([keyArn]);
    // The failed-invocations queue and the one source type's pull queue.
    expect(ofType('AWS::SQS::Queue').map(([, r]) => r.Properties.KmsMasterKeyId)).toEqual([keyArn, keyArn]);
    const secrets = ofType('AWS::SecretsManager::Secret');
    expect(secrets.length).toBe(destination.type === 's3' ? 1 : 2);
    for (const [, secret] of secrets) expect(secret.Properties.KmsKeyId).toEqual(keyArn);
  });

  it("encrypts the audit bucket with it; only the access-log bucket keeps S3's own keys", () => {
    const buckets = ofType('AWS::S3::Bucket');
    expect(buckets).toHaveLength(2);
    const encryption = Object.fromEntries(
      buckets.map(([id, r]) => [id, r.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault]),
    );
    const auditId = logicalId(stack.delivery.bucket);
    expect(encryption[auditId]).toEqual({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn });
    const logsId = json.Resources[auditId].Properties.LoggingConfiguration.DestinationBucketName.Ref;
    expect(Object.keys(encryption).sort()).toEqual([auditId, logsId].sort());
    expect(encryption[logsId]).toEqual({ SSEAlgorithm: 'AES256' });
  });

  it("is administered by the account; in its policy only Secrets Manager on its behalf and CloudWatch for this stack's alarms", () => {
    const statements = json.Resources[logicalId(key)].Properties.KeyPolicy.Statement as (Statement & { Sid?: string })[];
    const root = { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] } };
    expect(statements.map((s) => s.Principal)).toEqual([root, root, { Service: 'cloudwatch.amazonaws.com' }]);
    const [admin, viaSecretsManager, alarms] = statements;
    // CDK's default: the account administers the key, and IAM policies delegate its use (no role is named here).
    expect(admin).toMatchObject({ Action: 'kms:*', Resource: '*' });
    expect(admin!.Condition).toBeUndefined();
    // What CDK's Secret adds: the account's principals may use it, only through Secrets Manager.
    expect(viaSecretsManager!.Condition).toEqual({
      StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
    });
    // CloudWatch, for the alarms (monitoring.test.ts checks the conditions in full).
    expect(alarms!.Sid).toBe('AlarmsNotifyTheAlertTopic');
    expect(Object.keys(alarms!.Condition!).sort()).toEqual(['ArnLike', 'StringEquals']);
  });

  it('is granted to roles action by action, on this key, through one service, for named resources only', () => {
    const grants = ofType('AWS::IAM::Policy')
      .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Statement[])
      .filter((s) => actions(s).some((action) => action.startsWith('kms:')));
    expect(grants.length).toBeGreaterThan(0);
    for (const grant of grants) {
      expect(actions(grant).filter((action) => action.includes('*'))).toEqual([]);
      expect(resources(grant)).toEqual([keyArn]);
      expect(Object.keys(grant.Condition!.StringEquals!)).toEqual(['kms:ViaService']);
      const context = Object.keys(grant.Condition!.StringLike!);
      expect(context).toHaveLength(1);
      expect(context[0]).toMatch(/^kms:EncryptionContext:/);
    }
  });
});
