import { describe, expect, it } from 'vitest';
import { glueColumns } from '../../shared/ocsf/index';
import { actions, logicalId, resources, statementsOfRole, synth, type Statement } from './destination-helpers';

/** Amazon Security Lake through the whole stack, as `cdk synth` builds it (bundling skipped). */
const BUCKET = 'aws-security-data-lake-eu-west-1-abc123';
const lakeArn = (key = '') => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${BUCKET}${key}`]] });
/** A CloudFormation string built with Fn::Join, its references written `<Ref:Id>` / `<Id.Arn>`, parsed as JSON. */
const joined = (value: unknown): any => {
  const parts = typeof value === 'string' ? [value] : (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  const text = parts.map((p: any) => (typeof p === 'string' ? p : p.Ref ? `<Ref:${p.Ref}>` : `<${p['Fn::GetAtt'][0]}.${p['Fn::GetAtt'][1]}>`)).join('');
  return JSON.parse(text);
};
/** CloudFormation values in a stable order (CDK sorts statement resources). */
const sorted = (values: unknown[]) => [...values].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
const ofType = (json: ReturnType<typeof synth>['json'], type: string) => Object.entries(json.Resources).filter(([, r]) => r.Type === type);

describe('destination security-lake', () => {
  const { stack, json } = synth({ type: 'security-lake', bucket: BUCKET });
  const streams = ofType(json, 'AWS::KinesisFirehose::DeliveryStream');
  const streamOf = (uid: number) => json.Resources[logicalId((stack.delivery as any).classes.find((c: any) => c.info.uid === uid).stream)].Properties;
  const tables = Object.fromEntries(ofType(json, 'AWS::Glue::Table').map(([id, r]) => [r.Properties.TableInput.Name, { id, ...r.Properties.TableInput }]));

  it('is one Direct PUT stream per OCSF class, encrypted with the stack key', () => {
    expect(streams).toHaveLength(2);
    for (const [, stream] of streams) {
      expect(stream.Properties.DeliveryStreamType).toBe('DirectPut');
      expect(stream.Properties.DeliveryStreamEncryptionConfigurationInput).toEqual({ KeyType: 'CUSTOMER_MANAGED_CMK', KeyARN: { 'Fn::GetAtt': [logicalId(stack.encryptionKey.key), 'Arn'] } });
    }
  });

  it.each([
    { uid: 6003, source: 'cloudtap-6003', table: 'api_activity' },
    { uid: 3002, source: 'cloudtap-3002', table: 'authentication' },
  ])('class $uid: converts to Parquet with its Glue table and partitions into ext/$source/region/accountId/eventDay', ({ uid, source, table }) => {
    const config = streamOf(uid).ExtendedS3DestinationConfiguration;
    expect(config.BucketARN).toEqual(lakeArn());
    expect(config.Prefix).toBe(`ext/${source}/region=!{partitionKeyFromQuery:region}/accountId=!{partitionKeyFromQuery:accountId}/eventDay=!{partitionKeyFromQuery:eventDay}/`);
    expect(config.ErrorOutputPrefix).toBe(`cloudtap-security-lake-errors/${source}/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/`);
    expect(config.DynamicPartitioningConfiguration).toEqual({ Enabled: true });
    expect(config.BufferingHints).toEqual({ IntervalInSeconds: 900, SizeInMBs: 128 });
    expect(config.ProcessingConfiguration.Processors).toEqual([
      { Type: 'RecordDeAggregation', Parameters: [{ ParameterName: 'SubRecordType', ParameterValue: 'JSON' }] },
      {
        Type: 'MetadataExtraction',
        Parameters: [
          { ParameterName: 'MetadataExtractionQuery', ParameterValue: '{"region":.cloud.region // "unknown","accountId":.cloud.account.uid // "unknown","eventDay":.time / 1000 | floor | strftime("%Y%m%d")}' },
          { ParameterName: 'JsonParsingEngine', ParameterValue: 'JQ-1.6' },
        ],
      },
    ]);
    const conversion = config.DataFormatConversionConfiguration;
    expect(conversion.Enabled).toBe(true);
    expect(conversion.InputFormatConfiguration).toEqual({ Deserializer: { OpenXJsonSerDe: { CaseInsensitive: false } } });
    expect(conversion.OutputFormatConfiguration).toEqual({ Serializer: { ParquetSerDe: { Compression: 'SNAPPY' } } });
    expect(conversion.SchemaConfiguration).toMatchObject({ TableName: { Ref: tables[table]!.id }, VersionId: 'LATEST', RoleARN: config.RoleARN });
    // One source of truth: the table's columns are the class's OCSF attributes as the mapping's definitions give them.
    expect(tables[table]!.StorageDescriptor.Columns).toEqual(glueColumns(uid as 3002 | 6003).map(({ name, type }) => ({ Name: name, Type: type })));
    expect(tables[table]!.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
  });

  it("lets Firehose write only under the sources' locations and the error prefix, and read only its tables", () => {
    const roleId = streamOf(6003).ExtendedS3DestinationConfiguration.RoleARN['Fn::GetAtt'][0];
    expect(streamOf(3002).ExtendedS3DestinationConfiguration.RoleARN['Fn::GetAtt'][0]).toBe(roleId);
    const statements = statementsOfRole(json, roleId);
    const s3 = statements.find((s) => actions(s).includes('s3:PutObject'))!;
    expect(actions(s3).sort()).toEqual(['s3:AbortMultipartUpload', 's3:GetBucketLocation', 's3:GetObject', 's3:ListBucket', 's3:ListBucketMultipartUploads', 's3:PutObject']);
    expect(sorted(resources(s3))).toEqual(sorted([lakeArn(), lakeArn('/ext/cloudtap-6003/*'), lakeArn('/ext/cloudtap-3002/*'), lakeArn('/cloudtap-security-lake-errors/*')]));
    const glue = statements.find((s) => actions(s).some((a) => a.startsWith('glue:')))!;
    expect(actions(glue)).toEqual(['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions']);
    expect(JSON.stringify(resources(glue))).toMatch(/table\/dest_delivery_[0-9a-f]+\/api_activity.*table\/dest_delivery_[0-9a-f]+\/authentication/);
    expect(statements.flatMap(actions).filter((a) => a.startsWith('s3:Delete'))).toEqual([]);
    expect(json.Resources[roleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'firehose.amazonaws.com' }, Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'AWS::AccountId' } } } },
    ]);
  });

  it('tells the pullers the stream of each class and lets them put records into those streams only', () => {
    const puller = stack.pullers.get('tencent-cloudaudit')!;
    const variables = json.Resources[logicalId(puller.function)].Properties.Environment.Variables;
    expect(variables.CLOUDTAP_DESTINATION).toBe('{"type":"security-lake","rawData":false}');
    expect(joined(variables.CLOUDTAP_DELIVERY_STREAMS)).toEqual({
      '6003': `<Ref:${logicalId((stack.delivery as any).classes[0].stream)}>`,
      '3002': `<Ref:${logicalId((stack.delivery as any).classes[1].stream)}>`,
    });
    const roleId = (json.Resources[logicalId(puller.function)].Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
    const put = statementsOfRole(json, roleId).filter((s: Statement) => actions(s).some((a) => a.startsWith('firehose:')));
    expect(put).toHaveLength(1);
    expect(actions(put[0]!)).toEqual(['firehose:PutRecord', 'firehose:PutRecordBatch']);
    expect(resources(put[0]!).map((r: any) => r['Fn::GetAtt'][0]).sort()).toEqual(streams.map(([id]) => id).sort());
  });

  it('registers each class as a custom source through the Security Lake API, with the crawler role and this account as provider', () => {
    const registrations = ofType(json, 'Custom::SecurityLakeCustomLogSource').map(([, r]) => r.Properties);
    const crawlerId = logicalId((stack.delivery as any).node.findChild('CrawlerRole'));
    expect(registrations.map((r) => joined(r.Create))).toEqual(
      [
        { name: 'cloudtap-6003', eventClass: 'API_ACTIVITY' },
        { name: 'cloudtap-3002', eventClass: 'AUTHENTICATION' },
      ].map(({ name, eventClass }) => ({
        service: 'SecurityLake',
        action: 'CreateCustomLogSource',
        parameters: {
          sourceName: name,
          sourceVersion: '1.0',
          eventClasses: [eventClass],
          configuration: {
            crawlerConfiguration: { roleArn: `<${crawlerId}.Arn>` },
            providerIdentity: { externalId: 'cloudtap', principal: '<Ref:AWS::AccountId>' },
          },
        },
        physicalResourceId: { id: name },
        outputPaths: ['source.provider.location', 'source.provider.roleArn'],
      })),
    );
    expect(registrations.map((r) => JSON.parse(r.Delete))).toEqual(
      ['cloudtap-6003', 'cloudtap-3002'].map((sourceName) => ({ service: 'SecurityLake', action: 'DeleteCustomLogSource', parameters: { sourceName, sourceVersion: '1.0' } })),
    );
    const crawler = json.Resources[crawlerId].Properties;
    expect(crawler.AssumeRolePolicyDocument.Statement).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'glue.amazonaws.com' } }]);
    expect(JSON.stringify(crawler.ManagedPolicyArns)).toContain(':iam::aws:policy/service-role/AWSGlueServiceRole');
    const crawlerS3 = statementsOfRole(json, crawlerId);
    expect(crawlerS3.map((s) => [actions(s), sorted(resources(s))])).toEqual([[['s3:GetObject', 's3:PutObject'], sorted([lakeArn('/ext/cloudtap-6003/*'), lakeArn('/ext/cloudtap-3002/*')])]]);

    const registrar = ofType(json, 'AWS::IAM::Policy').filter(([id]) => id.includes('CustomResourcePolicy')).flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
    expect([...new Set(registrar.flatMap(actions))].sort()).toEqual(
      [
        'securitylake:CreateCustomLogSource',
        'securitylake:DeleteCustomLogSource',
        'glue:CreateCrawler',
        'glue:CreateDatabase',
        'glue:CreateTable',
        'glue:StartCrawlerSchedule',
        'iam:GetRole',
        'iam:PutRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:PassRole',
        'lakeformation:RegisterResource',
        'lakeformation:GrantPermissions',
        's3:ListBucket',
        's3:PutObject',
      ].sort(),
    );
    // PassRole for the crawler role only (each registration's policy says so).
    const passed = registrar.filter((s) => actions(s).includes('iam:PassRole')).flatMap(resources);
    expect([...new Set(passed.map((r) => JSON.stringify(r)))]).toEqual([JSON.stringify({ 'Fn::GetAtt': [crawlerId, 'Arn'] })]);
    // The streams wait for their source's registration.
    for (const [, stream] of streams) expect(stream.DependsOn.some((id: string) => id.includes('Register'))).toBe(true);
  });

  it("may use the lake's own KMS key for its writes only, through S3", () => {
    const key = 'arn:aws:kms:eu-west-1:111122223333:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
    const { json: encrypted } = synth({ type: 'security-lake', bucket: BUCKET, kmsKeyArn: key });
    const policy = ofType(encrypted, 'AWS::IAM::Policy').find(([id]) => id.includes('FirehosePolicy'))![1].Properties.PolicyDocument.Statement as Statement[];
    const kmsUse = policy.filter((s) => actions(s).some((a) => a.startsWith('kms:')));
    expect(kmsUse).toHaveLength(1);
    expect(actions(kmsUse[0]!)).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(resources(kmsUse[0]!)).toEqual([key]);
    expect(kmsUse[0]!.Condition!.StringEquals).toEqual({ 'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } });
    expect(sorted(kmsUse[0]!.Condition!.StringLike!['kms:EncryptionContext:aws:s3:arn'] as unknown[])).toEqual(
      sorted([lakeArn(), lakeArn('/ext/cloudtap-6003/*'), lakeArn('/ext/cloudtap-3002/*'), lakeArn('/cloudtap-security-lake-errors/*')]),
    );
    // Without the option, no key use at all.
    expect(JSON.stringify(ofType(json, 'AWS::IAM::Policy').find(([id]) => id.includes('FirehosePolicy')))).not.toContain('kms:');
  });

  it('registers nothing when the custom sources exist already (register: false)', () => {
    const { json: unregistered } = synth({ type: 'security-lake', bucket: BUCKET, register: false });
    expect(ofType(unregistered, 'Custom::SecurityLakeCustomLogSource')).toEqual([]);
    expect(ofType(unregistered, 'AWS::IAM::Role').filter(([id]) => id.includes('Crawler'))).toEqual([]);
    expect(ofType(unregistered, 'AWS::KinesisFirehose::DeliveryStream')).toHaveLength(2);
  });
});
