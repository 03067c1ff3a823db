import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { CursorTable } from '../../infra/constructs/cursor-table';
import type { DeliveryToS3 } from '../../infra/constructs/delivery-to-s3';
import { maxEventAgeFor, reservedConcurrencyFor, stalenessBound } from '../../infra/constructs/source-puller';
import { CloudtapStack, PROJECT_ROOT, defaultEntry } from '../../infra/stack';
import { parseConfig } from '../../shared/config/load';
import type { Registry } from '../../shared/providers/definition';
import { registry } from '../../shared/providers/registry';
import { cloudAuditDefinition } from '../../shared/providers/tencent/cloudaudit/definition';
import type { PullInvocation } from '../../shared/runtime/invocation';
import { dispatchEntry } from './destination-helpers';

/** The CLI's feature flags (cdk.json), so these are the templates `cdk synth` makes; esbuild and validation skipped. */
const cdkContext = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;
const newApp = () =>
  new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });

/** When the configuration is checked: its absolute start (2026-01-01) stays within CloudAudit's 90 days whatever today is. */
const CHECKED_AT = Date.parse('2026-02-01T00:00:00Z');

function synth(data: unknown, reg: Registry = registry, entryFor?: (type: string) => string) {
  const config = parseConfig(data, reg, 'test configuration', CHECKED_AT);
  const stack = new CloudtapStack(newApp(), 'Test', { config, registry: reg, entryFor, dispatchEntry });
  return { config, stack, template: Template.fromStack(stack) };
}

const logicalId = (construct: IConstruct) =>
  Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
const ref = (construct: IConstruct) => ({ Ref: logicalId(construct) });
const arnOf = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(construct), 'Arn'] });

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: unknown;
}
const actions = (s: Statement) => [s.Action].flat();
const resources = (s: Statement) => [s.Resource].flat();

/** Every statement of every inline policy attached to the role. */
function statementsOf(template: Template, role: IConstruct): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [ref(role)] } });
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

/** A rule target's Input with each `{Ref: X}` written as `<Ref X>`, parsed. */
function invocationOf(input: unknown): PullInvocation {
  if (typeof input === 'string') return JSON.parse(input);
  const [, parts] = (input as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  const text = parts
    .map((part) => (typeof part === 'string' ? part : `<Ref ${(part as { Ref: string }).Ref}>`))
    .join('');
  return JSON.parse(text);
}

const CONFIG = {
  sources: [
    { id: 'audit-gz', type: 'tencent-cloudaudit', region: 'ap-guangzhou' },
    {
      id: 'audit-sh',
      type: 'tencent-cloudaudit',
      region: 'ap-shanghai',
      schedule: 'cron(0/10 * * * ? *)',
      lag: '15m',
      start: '2026-01-01T00:00:00Z',
      options: { returnLocation: true },
    },
    { id: 'audit-bj', type: 'tencent-cloudaudit', region: 'ap-beijing', schedule: 'rate(1 day)', enabled: false },
  ],
  destination: { type: 's3', prefix: 'audit', errorPrefix: 'audit-errors/', bufferSeconds: 120, bufferMiB: 96 },
};

const { config, stack, template } = synth(CONFIG);
const puller = stack.pullers.get('tencent-cloudaudit')!;
const fn = puller.function;
const table = stack.cursorTable.table;
const { bucket, deliveryStream } = stack.delivery as DeliveryToS3;
const key = stack.encryptionKey.key;
const queue = stack.failedInvocations.queue;

describe('CloudtapStack', () => {
  it('creates only the expected resources', () => {
    const types = Object.values(template.toJSON().Resources as Record<string, { Type: string }>)
      .map((resource) => resource.Type)
      .sort();
    expect(types).toEqual(
      [
        'AWS::KMS::Key',
        'AWS::DynamoDB::Table',
        // The audit bucket and its access-log bucket, each TLS-only.
        ...['AWS::S3::Bucket', 'AWS::S3::BucketPolicy', 'AWS::S3::Bucket', 'AWS::S3::BucketPolicy'],
        ...['AWS::Logs::LogGroup', 'AWS::Logs::LogGroup', 'AWS::Logs::LogStream'],
        'AWS::KinesisFirehose::DeliveryStream',
        ...['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::Role', 'AWS::IAM::Policy'],
        'AWS::Lambda::Function',
        'AWS::Lambda::EventInvokeConfig',
        ...['AWS::SecretsManager::Secret', 'AWS::SecretsManager::Secret', 'AWS::SecretsManager::Secret'],
        ...['AWS::Events::Rule', 'AWS::Events::Rule', 'AWS::Lambda::Permission', 'AWS::Lambda::Permission'],
        // Alerting with no subscriptions and the default bus (alerting.test.ts covers the rest).
        ...['AWS::SNS::Topic', 'AWS::SNS::TopicPolicy'],
        // Failed invocations (failed-invocations.test.ts).
        ...['AWS::SQS::Queue', 'AWS::SQS::QueuePolicy'],
        // Monitoring: 2 enabled sources × 2, 1 function × 2, delivery × 2, failed invocations (monitoring.test.ts covers them).
        ...Array<string>(9).fill('AWS::CloudWatch::Alarm'),
        'AWS::CloudWatch::Dashboard',
      ].sort(),
    );
  });

  it('has no IAM statement on Resource "*" anywhere', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      for (const statement of policy.Properties.PolicyDocument.Statement as Statement[]) {
        expect(resources(statement)).not.toContain('*');
      }
    }
  });

  it('names its resources in every resource policy too: "*" only in the key policy, where it means the key itself', () => {
    const documents = Object.entries(template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, any> }>)
      .map(([id, resource]) => ({ id, type: resource.Type, document: resource.Properties.PolicyDocument ?? resource.Properties.KeyPolicy }))
      .filter(({ document }) => document);
    expect(new Set(documents.map(({ type }) => type))).toEqual(
      new Set(['AWS::IAM::Policy', 'AWS::S3::BucketPolicy', 'AWS::SNS::TopicPolicy', 'AWS::SQS::QueuePolicy', 'AWS::KMS::Key']),
    );
    const starred = documents.filter(({ document }) => (document.Statement as Statement[]).some((s) => resources(s).includes('*')));
    expect(starred.map(({ id }) => id)).toEqual([logicalId(key)]);
  });
});

describe('CursorTable', () => {
  it("is an on-demand table keyed by pk, with PITR, encrypted with the stack's key, TTL on expiresAt, retained", () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: arnOf(key) },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      },
    });
  });

  it('takes a customer-managed key and grants its use with cursor access', () => {
    const keyStack = new Stack(newApp(), 'Key');
    const key = new kms.Key(keyStack, 'Key');
    const cursors = new CursorTable(keyStack, 'Cursors', { encryptionKey: key });
    const role = new iam.Role(keyStack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    cursors.grantCursorAccess(role);
    const keyTemplate = Template.fromStack(keyStack);
    keyTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: arnOf(key) },
    });
    const statements = statementsOf(keyTemplate, role);
    expect(statements.find((s) => actions(s).includes('dynamodb:GetItem'))?.Resource).toEqual(
      arnOf(cursors.table),
    );
    const keyUse = statements.find((s) => actions(s).includes('kms:Decrypt'));
    expect(keyUse?.Resource).toEqual(arnOf(key));
    // What DynamoDB asks KMS for on the caller's behalf; no wildcard, no grants, no data key pairs.
    expect(actions(keyUse!).sort()).toEqual([
      'kms:Decrypt',
      'kms:Encrypt',
      'kms:GenerateDataKey',
      'kms:GenerateDataKeyWithoutPlaintext',
      'kms:ReEncryptFrom',
      'kms:ReEncryptTo',
    ]);
    // Through DynamoDB, for this table: the role cannot decrypt anything else with the key.
    expect(keyUse!.Condition).toEqual({
      StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['dynamodb.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
      StringLike: { 'kms:EncryptionContext:aws:dynamodb:tableName': ref(cursors.table) },
    });
  });
});

describe('DeliveryToS3', () => {
  it("makes a private, versioned bucket that outlives the stack, encrypted with the stack's key, its requests logged", () => {
    expect(template.toJSON().Resources[logicalId(bucket)]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: arnOf(key) } },
          ],
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: { Ref: expect.stringMatching(/^DeliveryBucketAccessLogs/) } },
      },
    });
  });

  it('denies every request without TLS 1.2, and allows nothing through the bucket policy', () => {
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: ref(bucket) } }))[0]!;
    const statements = policy.Properties.PolicyDocument.Statement as Statement[];
    expect(statements.every((s) => s.Effect === 'Deny' && s.Action === 's3:*')).toBe(true);
    expect(statements.map((s) => s.Condition)).toEqual([
      { Bool: { 'aws:SecureTransport': 'false' } },
      { NumericLessThan: { 's3:TlsVersion': 1.2 } },
    ]);
  });

  it('is a Direct PUT stream, encrypted, writing gzip under partitioned prefixes with the configured buffering', () => {
    template.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 1);
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'DirectPut',
      DeliveryStreamEncryptionConfigurationInput: { KeyType: 'CUSTOMER_MANAGED_CMK', KeyARN: arnOf(key) },
      ExtendedS3DestinationConfiguration: {
        BucketARN: arnOf(bucket),
        CompressionFormat: 'GZIP',
        // "audit" without a slash still means the folder audit/ (destinations.test.ts checks the partitioning).
        Prefix: Match.stringLikeRegexp('^audit/source_type='),
        ErrorOutputPrefix: 'audit-errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/',
        BufferingHints: { IntervalInSeconds: 120, SizeInMBs: 96 },
        CloudWatchLoggingOptions: { Enabled: true },
      },
    });
  });

  it("gives Firehose's role the documented S3 write set on this bucket only: no deletes", () => {
    const roleArn = template.toJSON().Resources[logicalId(deliveryStream)].Properties
      .ExtendedS3DestinationConfiguration.RoleARN as { 'Fn::GetAtt': [string, string] };
    const roleId = roleArn['Fn::GetAtt'][0];
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Principal: { Service: 'firehose.amazonaws.com' },
            Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'AWS::AccountId' } } },
          },
        ],
      },
    });
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
    expect(statements).toHaveLength(3);
    const [s3, logs, keyUse] = statements as [Statement, Statement, Statement];
    expect(actions(s3).sort()).toEqual([
      's3:AbortMultipartUpload',
      's3:GetBucketLocation',
      's3:GetObject',
      's3:ListBucket',
      's3:ListBucketMultipartUploads',
      's3:PutObject',
    ]);
    const objects = { 'Fn::Join': ['', [arnOf(bucket), '/*']] };
    expect(resources(s3)).toEqual([arnOf(bucket), objects]);
    expect(actions(logs)).toEqual(['logs:PutLogEvents']);
    // The bucket's key, through S3 and for this bucket only (its ARN with S3 Bucket Keys, an object's without).
    expect(keyUse).toMatchObject({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: arnOf(key),
      Condition: { StringLike: { 'kms:EncryptionContext:aws:s3:arn': [arnOf(bucket), objects] } },
    });
    expect(statements.flatMap(actions).filter((a) => /Delete|Acl|\*/.test(a))).toEqual([]);
  });

  it('keeps its error logs for a month', () => {
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, 2);
  });
});

describe('SourcePuller', () => {
  it('runs one Node 24 arm64 function per source type with the table and stream in its environment', () => {
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 300,
      TracingConfig: Match.absent(),
      Environment: {
        Variables: {
          CLOUDTAP_TABLE_NAME: ref(table),
          CLOUDTAP_DELIVERY_STREAM: ref(deliveryStream),
          CLOUDTAP_DESTINATION: '{"type":"s3"}',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('Logs') } },
    });
  });

  it('leaves retries of a failed run to the next schedule, and sends it to the failed-invocations queue', () => {
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 1);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: ref(fn),
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 0,
      // The slowest enabled schedule: audit-sh's cron (an hour); the disabled daily audit-bj does not count.
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: arnOf(queue) } },
    });
  });

  it('reserves two executions per enabled instance for the function', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 4 });
  });

  it("creates one secret cloudtap/<id> per instance, disabled ones included, holding an empty template, encrypted with the stack's key", () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 3);
    for (const id of ['audit-gz', 'audit-sh', 'audit-bj']) {
      const found = template.findResources('AWS::SecretsManager::Secret', {
        DeletionPolicy: 'Delete',
        Properties: {
          Name: `cloudtap/${id}`,
          KmsKeyId: arnOf(key),
          // Every field the source reads, the optional session token included, all empty.
          SecretString: JSON.stringify({ secretId: '', secretKey: '', token: '' }),
          GenerateSecretString: Match.absent(),
        },
      });
      expect(Object.keys(found)).toEqual([logicalId(puller.secrets.get(id)!)]);
    }
  });

  it('schedules each enabled instance with its invocation as input', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    expect(rules).toHaveLength(2);
    const bySchedule = new Map(rules.map((rule) => [rule.Properties.ScheduleExpression as string, rule]));
    const expected = [
      { id: 'audit-gz', schedule: 'rate(5 minutes)', maxAge: 300 },
      { id: 'audit-sh', schedule: 'cron(0/10 * * * ? *)', maxAge: 3600 },
    ];
    for (const { id, schedule, maxAge } of expected) {
      const rule = bySchedule.get(schedule);
      expect(rule?.Properties.State).toBe('ENABLED');
      expect(rule?.Properties.Targets).toHaveLength(1);
      const target = rule!.Properties.Targets[0];
      expect(target.Arn).toEqual(arnOf(fn));
      expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: maxAge });
      const invocation = invocationOf(target.Input);
      expect(invocation.secretArn).toBe(`<Ref ${logicalId(puller.secrets.get(id)!)}>`);
      const instance = config.sources.find((source) => source.id === id);
      expect(invocation.source).toEqual(JSON.parse(JSON.stringify(instance)));
    }
    expect(invocationOf(bySchedule.get('cron(0/10 * * * ? *)')!.Properties.Targets[0].Input).source).toMatchObject({
      lagSeconds: 900,
      start: { at: Date.parse('2026-01-01T00:00:00Z') / 1000 },
      options: { returnLocation: true },
    });
  });

  it('gives a disabled instance no rule', () => {
    const inputs = Object.values(template.findResources('AWS::Events::Rule')).map((rule) =>
      invocationOf(rule.Properties.Targets[0].Input),
    );
    expect(inputs.map((input) => input.source.id).sort()).toEqual(['audit-gz', 'audit-sh']);
    template.resourcePropertiesCountIs('AWS::Events::Rule', { ScheduleExpression: 'rate(1 day)' }, 0);
  });

  it('lets EventBridge invoke the function only from its own rules', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission'));
    expect(permissions).toHaveLength(2);
    const ruleIds = Object.keys(template.findResources('AWS::Events::Rule')).sort();
    expect(permissions.map((p) => p.Properties.SourceArn['Fn::GetAtt'][0]).sort()).toEqual(ruleIds);
    for (const permission of permissions) {
      expect(permission.Properties).toMatchObject({
        Action: 'lambda:InvokeFunction',
        Principal: 'events.amazonaws.com',
        FunctionName: arnOf(fn),
      });
    }
  });

  it('has a role with exactly: its log group, its secrets, its table actions, puts to the stream, alert publishing, failed invocations, and the key for those', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'lambda.amazonaws.com' } }] },
      ManagedPolicyArns: Match.absent(),
    });
    const statements = statementsOf(template, fn.role!);
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    const byService = (prefix: string) => statements.filter((s) => actions(s).every((a) => a.startsWith(prefix)));
    expect(byService('logs:').map(actions)).toEqual([['logs:CreateLogStream', 'logs:PutLogEvents']]);
    expect(byService('logs:')[0]!.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/Logs/), 'Arn'] });

    const secrets = byService('secretsmanager:');
    expect(secrets.flatMap(actions).sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
    expect(secrets.flatMap(resources)).toEqual(
      expect.arrayContaining([...puller.secrets.values()].map(ref)),
    );
    expect(secrets.flatMap(resources)).toHaveLength(3);

    // Cursor access, then what alert dedup and the outbox add (alerting.test.ts checks the union).
    const dynamo = byService('dynamodb:');
    expect(dynamo.map(actions).map((a) => a.sort())).toEqual([
      ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      ['dynamodb:DeleteItem', 'dynamodb:PutItem'],
    ]);
    expect(dynamo.flatMap(resources)).toEqual([arnOf(table), arnOf(table)]);

    const firehose = byService('firehose:');
    expect(firehose.flatMap(actions).sort()).toEqual(['firehose:PutRecord', 'firehose:PutRecordBatch']);
    expect(firehose.flatMap(resources)).toEqual([arnOf(deliveryStream)]);

    expect(byService('sns:').flatMap(actions)).toEqual(['sns:Publish']);
    expect(byService('events:').flatMap(actions)).toEqual(['events:PutEvents']);
    expect(byService('sqs:').flatMap(actions)).toEqual(['sqs:SendMessage']);
    expect(byService('sqs:').flatMap(resources)).toEqual([arnOf(queue)]);

    // The key, once per service it is used through, for this function's resources only (encryption.test.ts reads the conditions).
    const keyUse = byService('kms:');
    expect(keyUse.flatMap(resources)).toEqual(Array(keyUse.length).fill(arnOf(key)));
    const via = (s: Statement) => JSON.stringify((s as { Condition: { StringEquals: Record<string, unknown> } }).Condition.StringEquals['kms:ViaService']);
    const byVia = keyUse.map((s) => [/"(\w+)\."/.exec(via(s))![1], actions(s).sort()] as const);
    expect(byVia.sort(([a], [b]) => (a! < b! ? -1 : 1))).toEqual([
      ['dynamodb', ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo']],
      ['secretsmanager', ['kms:Decrypt']],
      ['sns', ['kms:Decrypt', 'kms:GenerateDataKey']],
      ['sqs', ['kms:Decrypt', 'kms:GenerateDataKey']],
    ]);
    expect(statements).toHaveLength(12);
  });

  it('bounds an event by one schedule period, between 1 minute and 24 hours', () => {
    const seconds = (schedule: string) => stalenessBound(schedule).toSeconds();
    expect(seconds('rate(1 minute)')).toBe(60);
    expect(seconds('rate(5 minutes)')).toBe(300);
    expect(seconds('rate(2 hours)')).toBe(7200);
    expect(seconds('rate(3 days)')).toBe(86_400);
    expect(seconds('cron(0 3 * * ? *)')).toBe(3600);
  });
});

describe('reserved concurrency and event age', () => {
  const instance = (id: string, schedule: string, enabled = true) =>
    ({ ...config.sources[0]!, id, schedule, enabled }) satisfies (typeof config.sources)[number];

  it('reserves deployment.reservedConcurrencyPerSource per enabled instance, at least one instance worth', () => {
    const three = [instance('a', 'rate(5 minutes)'), instance('b', 'rate(1 hour)'), instance('c', 'rate(1 day)', false)];
    expect(reservedConcurrencyFor(three, 2)).toBe(4);
    expect(reservedConcurrencyFor(three, 1)).toBe(2);
    expect(reservedConcurrencyFor([instance('off', 'rate(1 hour)', false)], 2)).toBe(2);
    expect(reservedConcurrencyFor(three, false)).toBeUndefined();
  });

  it('takes the setting from the deployment section, and reserves nothing with false', () => {
    const reserved = (deployment: unknown) =>
      synth({ ...CONFIG, deployment }).template.findResources('AWS::Lambda::Function')[logicalId(fn)]!.Properties.ReservedConcurrentExecutions;
    expect(reserved({ reservedConcurrencyPerSource: 3 })).toBe(6);
    expect(reserved({ reservedConcurrencyPerSource: false })).toBeUndefined();
  });

  it('keeps an unstarted event for one period of the slowest enabled schedule, within the minute to six hours Lambda allows', () => {
    const seconds = (...instances: (typeof config.sources)[number][]) => maxEventAgeFor(instances).toSeconds();
    expect(seconds(instance('a', 'rate(5 minutes)'), instance('b', 'rate(2 hours)'))).toBe(7200);
    expect(seconds(instance('a', 'rate(1 minute)'))).toBe(60);
    expect(seconds(instance('a', 'rate(1 day)'))).toBe(21_600);
    expect(seconds(instance('a', 'rate(5 minutes)'), instance('b', 'rate(1 day)', false))).toBe(300);
    expect(seconds(instance('off', 'rate(1 hour)', false))).toBe(60);
  });
});

describe('outputs', () => {
  it('exports the table, stream, bucket and secret names under stack-prefixed names', () => {
    template.hasOutput('CursorTableName', { Value: ref(table), Export: { Name: 'Test-CursorTableName' } });
    template.hasOutput('DeliveryStreamName', { Value: ref(deliveryStream), Export: { Name: 'Test-DeliveryStreamName' } });
    template.hasOutput('BucketName', { Value: ref(bucket), Export: { Name: 'Test-BucketName' } });
    template.hasOutput('EncryptionKeyArn', { Value: arnOf(key), Export: { Name: 'Test-EncryptionKeyArn' } });
    template.hasOutput('FailedInvocationsQueueUrl', { Value: ref(queue), Export: { Name: 'Test-FailedInvocationsQueueUrl' } });
    for (const id of ['audit-gz', 'audit-sh', 'audit-bj']) {
      const outputs = template.findOutputs('*', { Export: { Name: `Test-Secret-${id}` } });
      expect(Object.values(outputs).map((output) => output.Value)).toEqual([`cloudtap/${id}`]);
    }
  });
});

describe('several source types', () => {
  // A second type: CloudAudit's definition under another name; every type's function bundles the one puller entry.
  const twoTypes: Registry = new Map([
    ...registry,
    ['fake-audit', { ...cloudAuditDefinition, type: 'fake-audit' }],
  ]);
  const data = {
    sources: [
      { id: 'real-1', type: 'tencent-cloudaudit', region: 'ap-guangzhou' },
      { id: 'fake-1', type: 'fake-audit', region: 'ap-guangzhou' },
      { id: 'fake-2', type: 'fake-audit', region: 'ap-shanghai' },
    ],
  };

  it("gives each type its own function that reads only its own instances' secrets", () => {
    const { stack: multi, template: multiTemplate } = synth(data, twoTypes);
    multiTemplate.resourceCountIs('AWS::Lambda::Function', 2);
    const own = { 'tencent-cloudaudit': ['real-1'], 'fake-audit': ['fake-1', 'fake-2'] };
    for (const [type, ids] of Object.entries(own)) {
      const typePuller = multi.pullers.get(type)!;
      expect([...typePuller.secrets.keys()]).toEqual(ids);
      const read = statementsOf(multiTemplate, typePuller.function.role!)
        .filter((s) => actions(s).some((a) => a.startsWith('secretsmanager:')))
        .flatMap(resources);
      expect(read).toHaveLength(ids.length);
      expect(read).toEqual(expect.arrayContaining(ids.map((id) => ref(typePuller.secrets.get(id)!))));

      // And each type's rules invoke its own function.
      const targets = Object.values(multiTemplate.findResources('AWS::Events::Rule'))
        .map((rule) => rule.Properties.Targets[0])
        .filter((target) => ids.includes(invocationOf(target.Input).source.id));
      expect(targets.map((target) => target.Arn)).toEqual(ids.map(() => arnOf(typePuller.function)));
    }
  });

  it('tells each function the source type it pulls, and bundles the one puller entry for all', () => {
    const { stack: multi, template: multiTemplate } = synth(data, twoTypes);
    for (const type of ['tencent-cloudaudit', 'fake-audit']) {
      const fn = multi.pullers.get(type)!.function;
      const properties = multiTemplate.toJSON().Resources[logicalId(fn)].Properties;
      expect(properties.Environment.Variables.CLOUDTAP_SOURCE_TYPE).toBe(type);
    }
    expect(defaultEntry('fake-audit')).toBe(join(PROJECT_ROOT, 'functions', 'pull', 'handler.ts'));
  });
});
