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
import { periodSecondsOf } from '../../infra/constructs/source-puller';
import { CloudtapStack, DISPATCH_ENTRY, PROJECT_ROOT, defaultEntry } from '../../infra/stack';
import { parseConfig } from '../../shared/config/load';
import type { Registry } from '../../shared/providers/definition';
import { registry } from '../../shared/providers/registry';
import { cloudAuditDefinition } from '../../shared/providers/tencent/cloudaudit/definition';

/** The CLI's feature flags (cdk.json), so these are the templates `cdk synth` makes; esbuild and validation skipped. */
const cdkContext = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;
const newApp = () =>
  new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });

/** When the configuration is checked: its absolute start (2026-01-01) stays within CloudAudit's 90 days whatever today is. */
const CHECKED_AT = Date.parse('2026-02-01T00:00:00Z');

function synth(data: unknown, reg: Registry = registry, entryFor?: (type: string) => string) {
  const config = parseConfig(data, reg, 'test configuration', CHECKED_AT);
  const stack = new CloudtapStack(newApp(), 'Test', { config, registry: reg, entryFor });
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
        ...['AWS::Logs::LogGroup', 'AWS::Logs::LogStream'],
        'AWS::KinesisFirehose::DeliveryStream',
        // Delivery's role, the puller's and the dispatcher's, each with its policy.
        ...['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::Role', 'AWS::IAM::Policy'],
        // The puller: its log group, function, queue (TLS-only policy) and the queue's event source mapping.
        ...['AWS::Logs::LogGroup', 'AWS::Lambda::Function', 'AWS::SQS::Queue', 'AWS::SQS::QueuePolicy', 'AWS::Lambda::EventSourceMapping'],
        // One secret per credential set: here each instance's own, disabled ones included.
        ...['AWS::SecretsManager::Secret', 'AWS::SecretsManager::Secret', 'AWS::SecretsManager::Secret'],
        // The dispatcher: log group, function, its async-invoke settings, the one rule and its permission.
        ...['AWS::Logs::LogGroup', 'AWS::Lambda::Function', 'AWS::Lambda::EventInvokeConfig', 'AWS::Events::Rule', 'AWS::Lambda::Permission'],
        // Alerting with no subscriptions and the default bus (alerting.test.ts covers the rest).
        ...['AWS::SNS::Topic', 'AWS::SNS::TopicPolicy'],
        // Failed invocations (failed-invocations.test.ts).
        ...['AWS::SQS::Queue', 'AWS::SQS::QueuePolicy'],
        // Monitoring: 1 type × 3, the stack's 4, the saved queries, the dashboard (monitoring.test.ts covers them).
        ...Array<string>(7).fill('AWS::CloudWatch::Alarm'),
        ...Array<string>(4).fill('AWS::Logs::QueryDefinition'),
        'AWS::CloudWatch::Dashboard',
      ].sort(),
    );
  });

  it('has no IAM statement on Resource "*" anywhere', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    expect(policies).toHaveLength(3);
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

  it('takes a customer-managed key and grants its use with item access', () => {
    const keyStack = new Stack(newApp(), 'Key');
    const key = new kms.Key(keyStack, 'Key');
    const cursors = new CursorTable(keyStack, 'Cursors', { encryptionKey: key });
    const role = new iam.Role(keyStack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    cursors.grantItems(role, ['dynamodb:GetItem', 'dynamodb:UpdateItem'], ['source#t#*']);
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

  it('keeps its error logs for a month, as the functions keep theirs', () => {
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, 3);
  });
});

/** A secret's ARN pattern as the template writes it: by name, any suffix Secrets Manager adds. */
const secretArnPattern = (name: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:secret:${name}-??????`]],
});
const kmsVia = (s: Statement) => /"(\w+)\."/.exec(JSON.stringify((s as { Condition: { StringEquals: Record<string, unknown> } }).Condition.StringEquals['kms:ViaService']))![1];

describe('SourcePuller', () => {
  const pullQueue = puller.queue;

  it('runs one Node 24 arm64 function per source type with the table and stream in its environment, nothing reserved', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(2);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 300,
      TracingConfig: Match.absent(),
      ReservedConcurrentExecutions: Match.absent(),
      Environment: {
        Variables: {
          CLOUDTAP_SOURCE_TYPE: 'tencent-cloudaudit',
          CLOUDTAP_TABLE_NAME: ref(table),
          CLOUDTAP_DELIVERY_STREAM: ref(deliveryStream),
          CLOUDTAP_DESTINATION: '{"type":"s3"}',
          CLOUDTAP_STACK_NAME: 'Test',
        },
      },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('Logs') } },
    });
  });

  it('is fed by its own queue: encrypted, invisible for the run timeout plus a minute, one receive, then the failed-invocations queue', () => {
    expect(template.toJSON().Resources[logicalId(pullQueue)].Properties).toEqual({
      KmsMasterKeyId: arnOf(key),
      VisibilityTimeout: 360,
      RedrivePolicy: { deadLetterTargetArn: arnOf(queue), maxReceiveCount: 1 },
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [ref(pullQueue)],
      PolicyDocument: { Statement: [{ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }] },
    });
  });

  it('takes one message per run, at most deployment.concurrency runs at once (default 10), failures reported per message', () => {
    const mapping = (data: unknown) => Object.values(data as Record<string, { Properties: unknown }>).map((m) => m.Properties);
    expect(mapping(template.findResources('AWS::Lambda::EventSourceMapping'))).toEqual([
      {
        FunctionName: ref(fn),
        EventSourceArn: arnOf(pullQueue),
        BatchSize: 1,
        ScalingConfig: { MaximumConcurrency: 10 },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      },
    ]);
    const parsed = parseConfig(CONFIG, registry, 'test configuration', CHECKED_AT);
    const wider = new CloudtapStack(newApp(), 'Wider', { config: { ...parsed, deployment: { concurrency: 25, tags: {} } }, registry });
    Template.fromStack(wider).hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 25 } });
  });

  it('has no schedule and no async invoke settings of its own: the dispatcher sends its runs', () => {
    expect(template.findResources('AWS::Lambda::EventInvokeConfig', { Properties: { FunctionName: ref(fn) } })).toEqual({});
    expect(template.findResources('AWS::Lambda::Permission', { Properties: { FunctionName: arnOf(fn) } })).toEqual({});
  });

  it("creates one secret cloudtap/<id> per instance without a named set, disabled ones included, holding an empty template, encrypted with the stack's key", () => {
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

  it('has a role with exactly: its log group, its queue, its sets\' secrets, its type\'s items, puts to the stream, alert publishing, and the key for those', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'lambda.amazonaws.com' } }] },
      ManagedPolicyArns: Match.absent(),
    });
    const statements = statementsOf(template, fn.role!);
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    const byService = (prefix: string) => statements.filter((s) => actions(s).every((a) => a.startsWith(prefix)));
    expect(byService('logs:').map(actions)).toEqual([['logs:CreateLogStream', 'logs:PutLogEvents']]);
    expect(byService('logs:')[0]!.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/Logs/), 'Arn'] });

    // Its own queue, as Lambda's poller uses it; nothing sent anywhere (SQS moves a failed message itself).
    expect(byService('sqs:').map((s) => [actions(s).sort(), s.Resource])).toEqual([
      [['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'], arnOf(pullQueue)],
    ]);

    const secrets = byService('secretsmanager:');
    expect(secrets.flatMap(actions).sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
    expect(secrets.flatMap(resources)).toEqual(['audit-bj', 'audit-gz', 'audit-sh'].map((id) => secretArnPattern(`cloudtap/${id}`)));

    // One table statement: cursor, pacing and alert-state actions, on its own type's keys and the shared alert items only.
    expect(byService('dynamodb:')).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Resource: arnOf(table),
        Condition: {
          'ForAllValues:StringLike': {
            'dynamodb:LeadingKeys': ['source#tencent-cloudaudit#*', 'pace#tencent-cloudaudit#*', 'alert#*', 'outbox#*', 'outbox-index'],
          },
        },
      },
    ]);

    const firehose = byService('firehose:');
    expect(firehose.flatMap(actions).sort()).toEqual(['firehose:PutRecord', 'firehose:PutRecordBatch']);
    expect(firehose.flatMap(resources)).toEqual([arnOf(deliveryStream)]);
    expect(byService('sns:').flatMap(actions)).toEqual(['sns:Publish']);
    expect(byService('events:').flatMap(actions)).toEqual(['events:PutEvents']);

    // The key, once per service it is used through, for this function's resources only (encryption.test.ts reads the conditions).
    const keyUse = byService('kms:');
    expect(keyUse.flatMap(resources)).toEqual(Array(keyUse.length).fill(arnOf(key)));
    const byVia = keyUse.map((s) => [kmsVia(s), actions(s).sort()] as const);
    expect(byVia.sort(([a], [b]) => (a! < b! ? -1 : 1))).toEqual([
      ['dynamodb', ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo']],
      ['secretsmanager', ['kms:Decrypt']],
      ['sns', ['kms:Decrypt', 'kms:GenerateDataKey']],
      ['sqs', ['kms:Decrypt']],
    ]);
    expect(keyUse.find((s) => kmsVia(s) === 'sqs')!.Condition!).toMatchObject({ StringLike: { 'kms:EncryptionContext:aws:sqs:arn': arnOf(pullQueue) } });
    expect(keyUse.find((s) => kmsVia(s) === 'secretsmanager')!.Condition!).toMatchObject({
      StringLike: { 'kms:EncryptionContext:SecretARN': ['audit-gz', 'audit-sh', 'audit-bj'].map((id) => secretArnPattern(`cloudtap/${id}`)) },
    });
    expect(statements).toHaveLength(11);
  });

  it('takes one schedule period, between 1 minute and 24 hours; an hour for cron', () => {
    expect(periodSecondsOf('rate(1 minute)')).toBe(60);
    expect(periodSecondsOf('rate(5 minutes)')).toBe(300);
    expect(periodSecondsOf('rate(2 hours)')).toBe(7200);
    expect(periodSecondsOf('rate(3 days)')).toBe(86_400);
    expect(periodSecondsOf('cron(0 3 * * ? *)')).toBe(3600);
  });
});

describe('Dispatcher', () => {
  const dispatcher = stack.dispatcher;
  const dispatchFn = dispatcher.function;

  it('is the one schedule: a rule every minute invoking the dispatcher, and only it', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    expect(rules.map((rule) => rule.Properties)).toEqual([
      {
        Description: 'cloudtap: dispatch the source instances due this minute',
        ScheduleExpression: 'rate(1 minute)',
        State: 'ENABLED',
        Targets: [{ Arn: arnOf(dispatchFn), Id: 'Target0', RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 } }],
      },
    ]);
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission'));
    expect(permissions.map((p) => p.Properties)).toEqual([
      { Action: 'lambda:InvokeFunction', FunctionName: arnOf(dispatchFn), Principal: 'events.amazonaws.com', SourceArn: arnOf(dispatcher.rule) },
    ]);
  });

  it('is told the queues by type, the table and the stack; a failed minute is not retried but kept in the failed-invocations queue', () => {
    const properties = template.toJSON().Resources[logicalId(dispatchFn)].Properties;
    expect(properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Timeout: 60 });
    expect(properties.Environment.Variables).toEqual({
      CLOUDTAP_QUEUES: { 'Fn::Join': ['', ['{"tencent-cloudaudit":"', ref(puller.queue), '"}']] },
      CLOUDTAP_TABLE_NAME: ref(table),
      CLOUDTAP_STACK_NAME: 'Test',
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: ref(dispatchFn),
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
      DestinationConfig: { OnFailure: { Destination: arnOf(queue) } },
    });
  });

  it('bundles the table of enabled instances, each with its secret name', () => {
    const enabled = config.sources.filter((source) => source.enabled);
    expect(dispatcher.table).toEqual({
      version: 1,
      stackName: 'Test',
      entries: enabled.map((source) => ({ source, secretName: `cloudtap/${source.id}` })),
    });
    expect(dispatcher.table.entries.map((entry) => entry.source.id)).toEqual(['audit-gz', 'audit-sh']);
  });

  it('may send to the pull queues, scan and migrate cursor items, send its own failures, and use the key for those only', () => {
    const statements = statementsOf(template, dispatchFn.role!);
    const byService = (prefix: string) => statements.filter((s) => actions(s).every((a) => a.startsWith(prefix)));
    expect(byService('logs:').map(actions)).toEqual([['logs:CreateLogStream', 'logs:PutLogEvents']]);
    // The pull queues, and its own on-failure destination (CDK merges the two grants).
    expect(byService('sqs:').map((s) => [actions(s), resources(s)])).toEqual([[['sqs:SendMessage'], [arnOf(queue), arnOf(puller.queue)]]]);
    expect(byService('dynamodb:').map((s) => [actions(s).sort(), s.Resource, s.Condition])).toEqual([
      [['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Scan'], arnOf(table), undefined],
    ]);
    const keyUse = byService('kms:');
    expect(keyUse.map((s) => [kmsVia(s), actions(s).sort()])).toEqual([
      ['sqs', ['kms:Decrypt', 'kms:GenerateDataKey']],
      ['sqs', ['kms:Decrypt', 'kms:GenerateDataKey']],
      ['dynamodb', ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo']],
    ]);
    const sqsContexts = keyUse.filter((s) => kmsVia(s) === 'sqs').map((s) => (s.Condition as { StringLike: Record<string, unknown> }).StringLike);
    expect(sqsContexts).toEqual([{ 'kms:EncryptionContext:aws:sqs:arn': arnOf(queue) }, { 'kms:EncryptionContext:aws:sqs:arn': [arnOf(puller.queue)] }]);
    expect(statements).toHaveLength(6);
  });
});

describe('credential sets', () => {
  /** audit-gz and audit-sh sign with the shared set tencent-prod; tencent-dev is declared, unused; audit-bj keeps its own. */
  const withSets = parseConfig(
    {
      ...CONFIG,
      credentials: { 'tencent-prod': { vendor: 'tencent' }, 'tencent-dev': { vendor: 'tencent' } },
      sources: CONFIG.sources.map((source) => (source.id === 'audit-bj' ? source : { ...source, credentials: 'tencent-prod' })),
    },
    registry,
    'test configuration',
    CHECKED_AT,
  );
  const shared = new CloudtapStack(newApp(), 'Shared', { config: withSets, registry });
  const sharedTemplate = Template.fromStack(shared);

  it('makes one secret per set: <stackName>/<set> for a declared one, referenced or not; cloudtap/<id> for a per-instance one', () => {
    const names = Object.values(sharedTemplate.findResources('AWS::SecretsManager::Secret')).map((secret) => secret.Properties.Name);
    expect(names.sort()).toEqual(['Shared/tencent-dev', 'Shared/tencent-prod', 'cloudtap/audit-bj']);
    expect([...shared.sharedSecrets.keys()]).toEqual(['tencent-prod', 'tencent-dev']);
    expect([...shared.pullers.get('tencent-cloudaudit')!.secrets.keys()]).toEqual(['audit-bj']);
  });

  it("lets the function read the secrets of the sets its instances use, by name, and no other", () => {
    const reads = statementsOf(sharedTemplate, shared.pullers.get('tencent-cloudaudit')!.function.role!)
      .filter((s) => actions(s).some((a) => a.startsWith('secretsmanager:')))
      .flatMap(resources);
    expect(reads).toEqual([secretArnPattern('Shared/tencent-prod'), secretArnPattern('cloudtap/audit-bj')]);
  });

  it("tells the dispatcher each instance's set's secret", () => {
    expect(shared.dispatcher.table.entries.map((entry) => [entry.source.id, entry.secretName])).toEqual([
      ['audit-gz', 'Shared/tencent-prod'],
      ['audit-sh', 'Shared/tencent-prod'],
    ]);
  });

  it("keeps a legacy per-instance secret exactly as today's template has it: same logical id, same name", () => {
    const legacy = new CloudtapStack(newApp(), 'Legacy', {
      config: parseConfig({ sources: [{ id: 'audit-gz', type: 'tencent-cloudaudit', region: 'ap-guangzhou', credentials: { env: { secretId: 'A', secretKey: 'B' } } }] }, registry),
      registry,
    });
    const secrets = Template.fromStack(legacy).findResources('AWS::SecretsManager::Secret');
    // Computed from main's code (7c1c699) before this change: Puller-tencent-cloudaudit/Secret-audit-gz.
    expect(Object.keys(secrets)).toEqual(['PullertencentcloudauditSecretauditgz37C1A190']);
    expect(secrets.PullertencentcloudauditSecretauditgz37C1A190!.Properties.Name).toBe('cloudtap/audit-gz');
  });
});

describe('stack settings', () => {
  it('tags every taggable resource with deployment.tags', () => {
    const parsed = parseConfig(CONFIG, registry, 'test configuration', CHECKED_AT);
    const tagged = new CloudtapStack(newApp(), 'Tagged', {
      config: { ...parsed, deployment: { concurrency: 10, tags: { team: 'secops', 'cost-center': '4711' } } },
      registry,
    });
    const resourcesOf = Template.fromStack(tagged).toJSON().Resources as Record<string, { Type: string; Properties: { Tags?: { Key: string; Value: string }[] } }>;
    for (const type of ['AWS::DynamoDB::Table', 'AWS::Lambda::Function', 'AWS::SQS::Queue', 'AWS::SecretsManager::Secret', 'AWS::KMS::Key']) {
      const found = Object.values(resourcesOf).filter((resource) => resource.Type === type);
      expect(found.length, type).toBeGreaterThan(0);
      for (const resource of found) {
        expect(resource.Properties.Tags, type).toEqual(expect.arrayContaining([{ Key: 'team', Value: 'secops' }, { Key: 'cost-center', Value: '4711' }]));
      }
    }
  });
});

describe('outputs', () => {
  it('exports the table, stream, bucket, key, queue and dispatcher under stack-prefixed names; no output per secret', () => {
    template.hasOutput('CursorTableName', { Value: ref(table), Export: { Name: 'Test-CursorTableName' } });
    template.hasOutput('DeliveryStreamName', { Value: ref(deliveryStream), Export: { Name: 'Test-DeliveryStreamName' } });
    template.hasOutput('BucketName', { Value: ref(bucket), Export: { Name: 'Test-BucketName' } });
    template.hasOutput('EncryptionKeyArn', { Value: arnOf(key), Export: { Name: 'Test-EncryptionKeyArn' } });
    template.hasOutput('FailedInvocationsQueueUrl', { Value: ref(queue), Export: { Name: 'Test-FailedInvocationsQueueUrl' } });
    template.hasOutput('DispatcherFunctionName', { Value: ref(stack.dispatcher.function), Export: { Name: 'Test-DispatcherFunctionName' } });
    expect(Object.keys(template.toJSON().Outputs).filter((id) => id.includes('Secret'))).toEqual([]);
  });
});

describe('several source types', () => {
  // A second type: CloudAudit's definition under another name; every type's function bundles the one puller entry.
  const twoTypes: Registry = new Map([...registry, ['fake-audit', { ...cloudAuditDefinition, type: 'fake-audit' }]]);
  const data = {
    sources: [
      { id: 'real-1', type: 'tencent-cloudaudit', region: 'ap-guangzhou' },
      { id: 'fake-1', type: 'fake-audit', region: 'ap-guangzhou' },
      { id: 'fake-2', type: 'fake-audit', region: 'ap-shanghai' },
    ],
  };
  const { stack: multi, template: multiTemplate } = synth(data, twoTypes);

  it("gives each type its own function and queue, reading only its own instances' secrets", () => {
    multiTemplate.resourceCountIs('AWS::Lambda::Function', 3);
    const own = { 'tencent-cloudaudit': ['real-1'], 'fake-audit': ['fake-1', 'fake-2'] };
    for (const [type, ids] of Object.entries(own)) {
      const typePuller = multi.pullers.get(type)!;
      expect([...typePuller.secrets.keys()]).toEqual(ids);
      const read = statementsOf(multiTemplate, typePuller.function.role!)
        .filter((s) => actions(s).some((a) => a.startsWith('secretsmanager:')))
        .flatMap(resources);
      expect(read).toEqual(ids.map((id) => secretArnPattern(`cloudtap/${id}`)));
      multiTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionName: ref(typePuller.function), EventSourceArn: arnOf(typePuller.queue) });
    }
    const queues = multiTemplate.toJSON().Resources[logicalId(multi.dispatcher.function)].Properties.Environment.Variables.CLOUDTAP_QUEUES;
    expect(queues).toEqual({
      'Fn::Join': ['', ['{"tencent-cloudaudit":"', ref(multi.pullers.get('tencent-cloudaudit')!.queue), '","fake-audit":"', ref(multi.pullers.get('fake-audit')!.queue), '"}']],
    });
  });

  it("confines each function to its own type's cursor and pacing items (dynamodb:LeadingKeys)", () => {
    const leadingKeys = (type: string) =>
      statementsOf(multiTemplate, multi.pullers.get(type)!.function.role!)
        .filter((s) => actions(s).some((a) => a.startsWith('dynamodb:')))
        .map((s) => s.Condition);
    expect(leadingKeys('tencent-cloudaudit')).toEqual([
      { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['source#tencent-cloudaudit#*', 'pace#tencent-cloudaudit#*', 'alert#*', 'outbox#*', 'outbox-index'] } },
    ]);
    expect(leadingKeys('fake-audit')).toEqual([
      { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['source#fake-audit#*', 'pace#fake-audit#*', 'alert#*', 'outbox#*', 'outbox-index'] } },
    ]);
  });

  it('tells each function the source type it pulls, and bundles the one puller entry for all', () => {
    for (const type of ['tencent-cloudaudit', 'fake-audit']) {
      const typeFn = multi.pullers.get(type)!.function;
      const properties = multiTemplate.toJSON().Resources[logicalId(typeFn)].Properties;
      expect(properties.Environment.Variables.CLOUDTAP_SOURCE_TYPE).toBe(type);
    }
    expect(defaultEntry('fake-audit')).toBe(join(PROJECT_ROOT, 'functions', 'pull', 'handler.ts'));
    expect(DISPATCH_ENTRY).toBe(join(PROJECT_ROOT, 'functions', 'dispatch', 'handler.ts'));
  });
});
