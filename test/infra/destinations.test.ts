import { spawnSync } from 'node:child_process';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { DeliveryToS3, S3_PARTITION_KEYS } from '../../infra/constructs/delivery-to-s3';
import { CloudtapStack } from '../../infra/stack';
import { parseConfig } from '../../shared/config/load';
import { registry } from '../../shared/providers/registry';
import { ECS_VERSION, type EcsDocument } from '../../shared/ecs/document';
import { ndjsonEncoder } from '../../shared/sinks/encoders/ndjson';
import { packRecords } from '../../shared/sinks/pack';
import { ELASTIC, HEC, SOURCES, actions, arnOf, cdkContext, keysIn, logicalId, ref, resources, statementsOfRole, synth, type Statement } from './destination-helpers';

/** Each destination type through the whole stack, as `cdk synth` builds it (bundling skipped). */
const CASES = [
  { type: 's3', destination: { type: 's3' }, configKey: 'ExtendedS3DestinationConfiguration', env: { type: 's3' }, secret: undefined, logResources: 1 },
  {
    type: 'splunk',
    destination: { type: 'splunk', hecEndpoint: HEC, index: 'cloud_audit' },
    configKey: 'SplunkDestinationConfiguration',
    env: { type: 'splunk', index: 'cloud_audit' },
    secret: { name: 'Dest/destination/splunk-hec-token', value: '{"hec_token":""}' },
    // Its delivery and backup log streams.
    logResources: 2,
  },
  {
    type: 'elastic',
    destination: { type: 'elastic', endpointUrl: ELASTIC },
    configKey: 'HttpEndpointDestinationConfiguration',
    env: { type: 'elastic' },
    secret: { name: 'Dest/destination/elastic-api-key', value: '{"api_key":""}' },
    logResources: 2,
  },
] as const;

describe.each(CASES)('destination $type', ({ type, destination, configKey, env, secret, logResources }) => {
  const { stack, template, json } = synth(destination);
  const delivery = stack.delivery;
  const streamId = logicalId(delivery.cfnDeliveryStream);
  const stream = json.Resources[streamId];
  const config = stream.Properties[configKey];
  // Splunk has no top-level role: its backup leg and secret name it.
  const roleId: string = (config.RoleARN ?? config.S3Configuration.RoleARN)['Fn::GetAtt'][0];
  const puller = stack.pullers.get('tencent-cloudaudit')!;
  const key = arnOf(stack.encryptionKey.key);

  it("is one Direct PUT stream, encrypted with the stack's customer-managed key, created after its role policy", () => {
    expect(delivery.type).toBe(type);
    template.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 1);
    expect(stream.Properties.DeliveryStreamType).toBe('DirectPut');
    expect(stream.Properties.DeliveryStreamEncryptionConfigurationInput).toEqual({ KeyType: 'CUSTOMER_MANAGED_CMK', KeyARN: key });
    expect(stream.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/FirehosePolicy/)]));
  });

  it("writes to (or backs up into) a private, TLS-only, retained bucket encrypted with the stack's key", () => {
    expect(json.Resources[logicalId(delivery.bucket)]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key } }],
        },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      },
    });
    const bucketArn = type === 's3' ? config.BucketARN : config.S3Configuration.BucketARN;
    expect(bucketArn).toEqual(arnOf(delivery.bucket));
    const policy = Object.values(json.Resources).find((r) => r.Type === 'AWS::S3::BucketPolicy' && r.Properties.Bucket.Ref === logicalId(delivery.bucket))!;
    expect(policy.Properties.PolicyDocument.Statement.map((s: Statement) => s.Condition)).toEqual([
      { Bool: { 'aws:SecureTransport': 'false' } },
      { NumericLessThan: { 's3:TlsVersion': 1.2 } },
    ]);
  });

  it('logs every request to the bucket into a private, TLS-only access-log bucket kept a year, which only S3 logging for that bucket may write', () => {
    const logBucketId: string = json.Resources[logicalId(delivery.bucket)].Properties.LoggingConfiguration.DestinationBucketName.Ref;
    expect(json.Resources[logBucketId]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: {
        // S3 server access logs are delivered to buckets with S3-managed encryption.
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: 365 })] },
      },
    });
    const policy = Object.values(json.Resources).find((r) => r.Type === 'AWS::S3::BucketPolicy' && r.Properties.Bucket.Ref === logBucketId)!;
    const [tls, tlsVersion, logging] = policy.Properties.PolicyDocument.Statement as Statement[];
    expect([tls!.Effect, tlsVersion!.Effect]).toEqual(['Deny', 'Deny']);
    expect(logging).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Action: 's3:PutObject',
      Condition: { ArnLike: { 'aws:SourceArn': arnOf(delivery.bucket) }, StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });
  });

  it("gives Firehose's role its bucket, its own log streams and its secret, the key for those, nothing else, never '*'", () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{ Principal: { Service: 'firehose.amazonaws.com' }, Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'AWS::AccountId' } } } }],
      },
    });
    const statements = statementsOfRole(json, roleId);
    expect(statements.map(actions)).toEqual([
      ['s3:AbortMultipartUpload', 's3:GetBucketLocation', 's3:GetObject', 's3:ListBucket', 's3:ListBucketMultipartUploads', 's3:PutObject'],
      ['logs:PutLogEvents'],
      ['kms:Decrypt', 'kms:GenerateDataKey'],
      ...(secret ? [['secretsmanager:GetSecretValue'], ['kms:Decrypt']] : []),
    ]);
    const objects = { 'Fn::Join': ['', [arnOf(delivery.bucket), '/*']] };
    expect(resources(statements[0]!)).toEqual([arnOf(delivery.bucket), objects]);
    const logGroup = logicalId(stack.node.findChild('Delivery').node.findChild('ErrorLogs').node.findChild('Group'));
    expect(resources(statements[1]!)).toHaveLength(logResources);
    for (const logResource of resources(statements[1]!)) expect(JSON.stringify(logResource)).toContain(logGroup);
    expect(statements[2]).toMatchObject({ Resource: key, Condition: { StringLike: { 'kms:EncryptionContext:aws:s3:arn': [arnOf(delivery.bucket), objects] } } });
    if (secret) {
      expect(resources(statements[3]!)).toEqual([ref(delivery.secret!)]);
      expect(statements[4]).toMatchObject({ Resource: key, Condition: { StringLike: { 'kms:EncryptionContext:SecretARN': ref(delivery.secret!) } } });
    }
    // Firehose's, the puller's and the dispatcher's.
    const policies = Object.values(json.Resources).filter((r) => r.Type === 'AWS::IAM::Policy');
    expect(policies).toHaveLength(3);
    for (const policy of policies) {
      for (const statement of policy.Properties.PolicyDocument.Statement as Statement[]) expect(resources(statement)).not.toContain('*');
    }
  });

  it('lets the puller put records into this stream only, and tells it the record format', () => {
    const pullerStatements = statementsOfRole(json, logicalId(puller.function.role!));
    const puts = pullerStatements.filter((s) => actions(s).some((a) => a.startsWith('firehose:')));
    expect(puts.flatMap(actions).sort()).toEqual(['firehose:PutRecord', 'firehose:PutRecordBatch']);
    expect(puts.flatMap(resources)).toEqual([{ 'Fn::GetAtt': [streamId, 'Arn'] }]);
    const variables = json.Resources[logicalId(puller.function)].Properties.Environment.Variables;
    expect(variables.CLOUDTAP_DELIVERY_STREAM).toEqual({ Ref: streamId });
    expect(JSON.parse(variables.CLOUDTAP_DESTINATION)).toEqual(env);
    // The destination's credential is Firehose's alone.
    if (secret) expect(JSON.stringify(pullerStatements)).not.toContain(logicalId(delivery.secret!));
  });

  it('keeps the credential in Secrets Manager: a placeholder secret the stream references, never inlined', () => {
    const keys = keysIn(stream);
    expect(keys).not.toContain('HECToken');
    expect(keys).not.toContain('AccessKey');
    const secrets = Object.entries(json.Resources).filter(([, r]) => r.Type === 'AWS::SecretsManager::Secret' && r.Properties.Name.startsWith('Dest/destination/'));
    if (!secret) {
      expect(secrets).toEqual([]);
      expect(config.SecretsManagerConfiguration).toBeUndefined();
      return;
    }
    expect(secrets.map(([, r]) => [r.Properties.Name, r.Properties.SecretString, r.Properties.KmsKeyId])).toEqual([[secret.name, secret.value, key]]);
    expect(config.SecretsManagerConfiguration).toEqual({ Enabled: true, SecretARN: { Ref: secrets[0]![0] }, RoleARN: { 'Fn::GetAtt': [roleId, 'Arn'] } });
  });

  it('names the secret after the stack (Dest/...); the default stack Cloudtap keeps cloudtap/destination/...', () => {
    if (!secret) return;
    const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
    const defaultStack = new CloudtapStack(app, 'Cloudtap', { config: parseConfig({ sources: SOURCES, destination }, registry), registry });
    const names = Object.values(Template.fromStack(defaultStack).findResources('AWS::SecretsManager::Secret')).map((r) => r.Properties.Name);
    expect(names).toContain(secret.name.replace(/^Dest\//, 'cloudtap/'));
  });

  it('outputs the stream, the bucket and the secret name', () => {
    template.hasOutput('DeliveryStreamName', { Value: { Ref: streamId }, Export: { Name: 'Dest-DeliveryStreamName' } });
    template.hasOutput('BucketName', { Value: ref(delivery.bucket), Export: { Name: 'Dest-BucketName' } });
    const secretOutput = json.Outputs.DestinationSecretName;
    expect(secretOutput?.Value).toEqual(secret?.name);
    // The CIDR mapping comes only with the S3 L2; the others would trip no W7001.
    expect(json.Mappings === undefined).toBe(type !== 's3');
  });
});

describe('S3: GZIP NDJSON partitioned by source type, instance and event date', () => {
  const { stack, json } = synth({ type: 's3', prefix: 'audit', errorPrefix: 'audit-errors', lifecycle: { archiveAfterDays: 30, expireAfterDays: 400 } });
  const config = json.Resources[logicalId(stack.delivery.cfnDeliveryStream)].Properties.ExtendedS3DestinationConfiguration;

  it('splits packed records into events, partitions them by JQ and ends each with a newline', () => {
    expect(config).toMatchObject({
      CompressionFormat: 'GZIP',
      DynamicPartitioningConfiguration: { Enabled: true },
      Prefix: 'audit/source_type=!{partitionKeyFromQuery:source_type}/source_id=!{partitionKeyFromQuery:source_id}/date=!{partitionKeyFromQuery:date}/',
      ErrorOutputPrefix: 'audit-errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/',
      BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 64 },
    });
    expect(config.ProcessingConfiguration).toEqual({
      Enabled: true,
      Processors: [
        { Type: 'RecordDeAggregation', Parameters: [{ ParameterName: 'SubRecordType', ParameterValue: 'JSON' }] },
        { Type: 'AppendDelimiterToRecord', Parameters: [] },
        {
          Type: 'MetadataExtraction',
          Parameters: [
            { ParameterName: 'MetadataExtractionQuery', ParameterValue: '{"source_type":.cloudtap.source_type,"source_id":.cloudtap.source_id,"date":."@timestamp"[0:10]}' },
            { ParameterName: 'JsonParsingEngine', ParameterValue: 'JQ-1.6' },
          ],
        },
      ],
    });
  });

  const jq = spawnSync('jq', ['--version'], { encoding: 'utf8' });
  it.skipIf(jq.status !== 0)(`puts each event of a packed record under its own folder (the query run by local ${jq.stdout?.trim()})`, () => {
    const doc = (id: string, at: string, type: string, source: string): EcsDocument => ({
      '@timestamp': at,
      ecs: { version: ECS_VERSION },
      event: { id, original: '{}' },
      cloudtap: { source_type: type, source_id: source },
    });
    const lines = [
      doc('a', '2026-03-01T23:59:59.999Z', 'tencent-cloudaudit', 'audit-gz'),
      doc('b', '2026-03-02T00:00:00.000Z', 'tencent-cloudaudit', 'audit-gz'),
      doc('c', '2026-03-02T08:00:00.000Z', 'huawei-dbss', 'dbss-bj4'),
    ].map((d) => ndjsonEncoder.encode(d));
    const [record] = packRecords(lines);
    expect(record!.count).toBe(3);
    // jq reads consecutive JSON values, as Firehose's JSON de-aggregation does.
    const query = config.ProcessingConfiguration.Processors[2].Parameters[0].ParameterValue;
    const out = spawnSync('jq', ['-c', query], { input: record!.data, encoding: 'utf8' });
    expect(out.status).toBe(0);
    const folders = out.stdout.trim().split('\n').map((line) => {
      const keys = JSON.parse(line) as Record<string, string>;
      return (config.Prefix as string).replace(/!\{partitionKeyFromQuery:(\w+)\}/g, (_, key: string) => keys[key]!);
    });
    expect(folders).toEqual([
      'audit/source_type=tencent-cloudaudit/source_id=audit-gz/date=2026-03-01/',
      'audit/source_type=tencent-cloudaudit/source_id=audit-gz/date=2026-03-02/',
      'audit/source_type=huawei-dbss/source_id=dbss-bj4/date=2026-03-02/',
    ]);
    expect(Object.keys(S3_PARTITION_KEYS)).toEqual(['source_type', 'source_id', 'date']);
  });

  it('archives to Glacier Instant Retrieval and expires as configured; nothing expires unless asked', () => {
    const rules = json.Resources[logicalId(stack.delivery.bucket)].Properties.LifecycleConfiguration.Rules;
    expect(rules).toContainEqual({ Id: 'retention', Status: 'Enabled', Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 30 }], ExpirationInDays: 400 });
    const plain = synth({ type: 's3' });
    const plainRules = plain.json.Resources[logicalId(plain.stack.delivery.bucket)].Properties.LifecycleConfiguration.Rules;
    expect(plainRules).toEqual([{ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 }, NoncurrentVersionExpiration: { NoncurrentDays: 90 }, Status: 'Enabled' }]);
    const expireOnly = synth({ type: 's3', lifecycle: { expireAfterDays: 365 } });
    expect(expireOnly.json.Resources[logicalId(expireOnly.stack.delivery.bucket)].Properties.LifecycleConfiguration.Rules[1]).toEqual({
      Id: 'retention',
      Status: 'Enabled',
      ExpirationInDays: 365,
    });
  });

  it('refuses a buffer dynamic partitioning cannot take even when built around config validation', () => {
    const scope = new Stack(new App({ context: cdkContext }), 'Direct');
    const destination = { type: 's3' as const, prefix: 'p/', errorPrefix: 'e/', bufferSeconds: 300, bufferMiB: 16, lifecycle: {} };
    const encryptionKey = new kms.Key(scope, 'Key');
    expect(() => new DeliveryToS3(scope, 'Small', { destination, encryptionKey })).toThrow(/at least 64 MiBs/);
  });
});
