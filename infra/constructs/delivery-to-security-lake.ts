import { ArnFormat, Aws, CfnOutput, Duration, Names, Size, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { DestinationConfig } from '../../shared/config/schema';
import { OCSF_CLASSES, glueColumns, type OcsfClassInfo } from '../../shared/ocsf/index';
import { FUNCTION_ENV } from '../../shared/runtime/invocation';
import { destinationFormatOf, type DestinationFormat } from '../../shared/sinks/encoders/for-format';
import { API_ACTIVITY_CLASS_UID, PARTITION_JQ, customSourceName, sourceLocation } from '../../shared/sinks/security-lake/layout';
import { acknowledgeNag } from '../nag';
import type { Delivery } from './delivery-contract';
import { DeliveryLogs, FIREHOSE_S3_ACTIONS, datedPrefixes, folder, grantPutRecords, streamEncryption } from './delivery-common';
import { ENVELOPE_WRITE_ACTIONS, keyUseStatement } from './encryption-key';
import { SecurityLakeRegistration } from './security-lake-registration';

export type SecurityLakeDestinationConfig = Extract<DestinationConfig, { type: 'security-lake' }>;

/** What Firehose reads of a Glue table to convert records with it (Firehose's record format conversion policy). */
export const GLUE_SCHEMA_ACTIONS = ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'];

/** What Security Lake's crawler may do in the source's location: read what Firehose writes (its crawler role guidance). */
export const CRAWLER_S3_ACTIONS = ['s3:GetObject', 's3:PutObject'];

/** Security Lake's name of an OCSF class in CreateCustomLogSource's eventClasses, e.g. API_ACTIVITY. */
export const eventClassOf = (info: OcsfClassInfo): string => info.slug.toUpperCase();

export interface DeliveryToSecurityLakeProps {
  readonly destination: SecurityLakeDestinationConfig;
  /** Encrypts the streams. */
  readonly encryptionKey: kms.IKey;
}

/** One OCSF class's way into the lake. */
export interface ClassDelivery {
  readonly info: OcsfClassInfo;
  readonly sourceName: string;
  readonly table: glue.CfnTable;
  readonly stream: firehose.DeliveryStream;
  readonly registration?: SecurityLakeRegistration;
}

/**
 * Amazon Security Lake as the destination: per OCSF class a custom source (registered
 * through Security Lake's API), a Glue table whose columns are the class's OCSF
 * attributes, and a Direct PUT stream that de-aggregates the pullers' packed OCSF JSON,
 * partitions each record by JQ into `ext/<source>/region=…/accountId=…/eventDay=…/`
 * and converts it to Parquet with that table, in the Security Lake bucket of this region.
 * Firehose's role may write under those source locations and its error prefix only.
 */
export class DeliveryToSecurityLake extends Construct implements Delivery {
  readonly type = 'security-lake';
  readonly bucket: s3.IBucket;
  readonly classes: ClassDelivery[] = [];
  readonly database: glue.CfnDatabase;
  readonly role: iam.Role;
  readonly functionDestination: DestinationFormat;
  readonly functionEnvironment: Record<string, string>;

  constructor(scope: Construct, id: string, props: DeliveryToSecurityLakeProps) {
    super(scope, id);
    const { destination, encryptionKey } = props;
    const stack = Stack.of(this);
    this.functionDestination = destinationFormatOf(destination);
    this.bucket = s3.Bucket.fromBucketName(this, 'Lake', destination.bucket);
    const objects = (prefix: string) => this.bucket.arnForObjects(`${prefix}*`);

    // Only the conversion reads these tables; Security Lake's crawler makes the tables users query.
    const databaseName = Names.uniqueResourceName(this, { maxLength: 200, separator: '_' }).toLowerCase().replace(/[^a-z0-9_]/g, '_');
    this.database = new glue.CfnDatabase(this, 'Schemas', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: { name: databaseName, description: 'cloudtap: the OCSF class schemas Firehose converts to Parquet with' },
    });

    const names = OCSF_CLASSES.map((info) => customSourceName(destination.sourceName, info.uid));
    // The L2 names its own log stream in each group, so a class gets its group and Firehose may write to those groups.
    const errorLogs = OCSF_CLASSES.map((info) => new DeliveryLogs(this, `ErrorLogs-${info.uid}`));
    this.role = new iam.Role(this, 'FirehoseRole', {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', { conditions: { StringEquals: { 'sts:ExternalId': Aws.ACCOUNT_ID } } }),
    });
    const tableArn = (table: string) =>
      stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${databaseName}/${table}`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const locations = OCSF_CLASSES.map((info) => sourceLocation(destination.sourceName, info.uid));
    const written = [...locations.map(objects), objects(folder(destination.errorPrefix))];
    // A lake encrypted with its own key: Firehose's writes may use it for these keys only (with S3 Bucket Keys the context is the bucket).
    const lakeKey = destination.kmsKeyArn ? kms.Key.fromKeyArn(this, 'LakeKey', destination.kmsKeyArn) : undefined;
    const policy = new iam.Policy(this, 'FirehosePolicy', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          actions: FIREHOSE_S3_ACTIONS,
          resources: [this.bucket.bucketArn, ...written],
        }),
        ...(lakeKey ? [keyUseStatement(lakeKey, 's3', ENVELOPE_WRITE_ACTIONS, { 'aws:s3:arn': [this.bucket.bucketArn, ...written] })] : []),
        new iam.PolicyStatement({
          actions: GLUE_SCHEMA_ACTIONS,
          resources: [
            stack.formatArn({ service: 'glue', resource: 'catalog', arnFormat: ArnFormat.NO_RESOURCE_NAME }),
            stack.formatArn({ service: 'glue', resource: 'database', resourceName: databaseName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
            ...OCSF_CLASSES.map((info) => tableArn(info.slug)),
          ],
        }),
        new iam.PolicyStatement({ actions: ['logs:PutLogEvents'], resources: errorLogs.map((logs) => logs.group.logGroupArn) }),
      ],
    });
    for (const prefix of [...locations, folder(destination.errorPrefix)]) {
      acknowledgeNag(
        policy,
        lakeObjectsFinding(destination.bucket, prefix),
        "Firehose writes objects under keys it makes up (partitions, error folders): the wildcards cover the custom sources' locations and the error prefix in the Security Lake bucket, nothing else of it.",
      );
    }

    const crawlerRole = destination.register ? this.crawlerRole(destination.bucket, locations) : undefined;

    for (const [index, info] of OCSF_CLASSES.entries()) {
      const sourceName = names[index]!;
      const location = locations[index]!;
      const table = new glue.CfnTable(this, `Table-${info.uid}`, {
        catalogId: Aws.ACCOUNT_ID,
        databaseName,
        tableInput: {
          name: info.slug,
          description: `cloudtap: OCSF ${info.name} (class ${info.uid}), the schema of ${sourceName}`,
          tableType: 'EXTERNAL_TABLE',
          parameters: { classification: 'parquet' },
          storageDescriptor: {
            columns: glueColumns(info.uid),
            location: `s3://${destination.bucket}/${location}`,
            inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
            outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
            serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
          },
        },
      });
      table.addResourceDependency(this.database);

      const registration = crawlerRole
        ? new SecurityLakeRegistration(this, `Register-${info.uid}`, {
            sourceName,
            sourceVersion: destination.sourceVersion,
            eventClass: eventClassOf(info),
            crawlerRole,
            externalId: destination.externalId,
          })
        : undefined;

      const partition = (key: keyof typeof PARTITION_JQ) => `${key}=!{partitionKeyFromQuery:${key}}`;
      const stream = new firehose.DeliveryStream(this, `Stream-${info.uid}`, {
        destination: new firehose.S3Bucket(this.bucket, {
          role: this.role.withoutPolicyUpdates(),
          dynamicPartitioning: { enabled: true },
          processors: [
            // The pullers pack up to 500 OCSF JSON lines a record; Firehose splits them back before partitioning.
            firehose.RecordDeAggregationProcessor.json(),
            firehose.MetadataExtractionProcessor.jq16({ ...PARTITION_JQ }),
          ],
          dataFormatConversion: {
            schemaConfiguration: firehose.SchemaConfiguration.fromCfnTable(table),
            // Every OCSF attribute is lower-case already: not lower-casing keeps the case of `unmapped`'s keys (docs/ocsf.md).
            inputFormat: new firehose.OpenXJsonInputFormat({ lowercaseColumnNames: false }),
            outputFormat: new firehose.ParquetOutputFormat({ compression: firehose.ParquetCompression.SNAPPY }),
          },
          dataOutputPrefix: `${location}${partition('region')}/${partition('accountId')}/${partition('eventDay')}/`,
          errorOutputPrefix: datedPrefixes(`${folder(destination.errorPrefix)}${sourceName}/`).errorOutputPrefix,
          bufferingInterval: Duration.seconds(destination.bufferSeconds),
          bufferingSize: Size.mebibytes(destination.bufferMiB),
          loggingConfig: new firehose.EnableLogging(errorLogs[index]!.group),
        }),
      });
      (stream.node.defaultChild as firehose.CfnDeliveryStream).deliveryStreamEncryptionConfigurationInput = streamEncryption(encryptionKey);
      // Permissions first, and the source's location registered before anything lands in it.
      stream.node.addDependency(policy, table);
      if (registration) {
        stream.node.addDependency(registration);
        new CfnOutput(this, `SourceLocation${info.uid}`, {
          value: registration.location,
          description: `Security Lake location of ${sourceName} (OCSF ${info.name}); cloudtap writes under s3://${destination.bucket}/${location}`,
        });
      }
      this.classes.push({ info, sourceName, table, stream, registration });
    }

    this.functionEnvironment = {
      [FUNCTION_ENV.deliveryStreams]: stack.toJsonString(Object.fromEntries(this.classes.map((c) => [String(c.info.uid), c.stream.deliveryStreamName]))),
    };
  }

  /** The API Activity stream: what the single-stream outputs and alarms name. */
  private get primary(): ClassDelivery {
    return this.classes.find((c) => c.info.uid === API_ACTIVITY_CLASS_UID) ?? this.classes[0]!;
  }

  get cfnDeliveryStream(): firehose.CfnDeliveryStream {
    return this.primary.stream.node.defaultChild as firehose.CfnDeliveryStream;
  }

  get deliveryStreamName(): string {
    return this.primary.stream.deliveryStreamName;
  }

  /** The right to put records into every class's stream, and nothing else. */
  grantPutRecords(grantee: iam.IGrantable): iam.Grant {
    const [first, ...rest] = this.classes.map((c) => grantPutRecords(grantee, c.stream.deliveryStreamArn));
    return rest.reduce((all, grant) => all.combine(grant), first!);
  }

  /** The role Security Lake's Glue crawler assumes: Glue's service policy and reading the sources' locations. */
  private crawlerRole(bucket: string, locations: string[]): iam.Role {
    const role = new iam.Role(this, 'CrawlerRole', {
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSGlueServiceRole')],
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: CRAWLER_S3_ACTIONS, resources: locations.map((l) => this.bucket.arnForObjects(`${l}*`)) }));
    acknowledgeNag(
      role,
      'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSGlueServiceRole]',
      "Security Lake's CreateCustomLogSource documents the AWS managed AWSGlueServiceRole as the policy of the role its Glue crawler assumes; it is Glue's, kept current by AWS.",
    );
    for (const location of locations) {
      acknowledgeNag(
        role,
        lakeObjectsFinding(bucket, location),
        "Security Lake's Glue crawler reads the objects Firehose writes under a custom source's location, whatever their partition keys; nothing else of the bucket.",
      );
    }
    return role;
  }
}

/** The finding IAM5 reports for objects under a prefix of a bucket named in the policy. */
const lakeObjectsFinding = (bucket: string, prefix: string) => `IAM5[Resource::arn:<AWS::Partition>:s3:::${bucket}/${prefix}*]`;
