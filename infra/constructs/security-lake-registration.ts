import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeNag } from '../nag';

/**
 * What CreateCustomLogSource needs of its caller besides the call itself: Security Lake creates
 * the source's Glue database, table and crawler, registers the location with Lake Formation,
 * passes the crawler role and writes the provider role's policy (its dependent actions in the
 * Service Authorization Reference; docs/destinations/security-lake.md).
 */
export const REGISTRATION_ACTIONS = [
  'securitylake:CreateCustomLogSource',
  'securitylake:DeleteCustomLogSource',
  'glue:CreateCrawler',
  'glue:CreateDatabase',
  'glue:CreateTable',
  'glue:StartCrawlerSchedule',
  'iam:GetRole',
  'iam:PutRolePolicy',
  'iam:DeleteRolePolicy',
  'lakeformation:RegisterResource',
  'lakeformation:GrantPermissions',
  's3:ListBucket',
  's3:PutObject',
];

/** The id CDK gives the singleton function behind every AwsCustomResource of a stack. */
const AWS_CUSTOM_RESOURCE_PROVIDER = 'AWS679f53fac002430cb0da5b7982bd2287';

export interface SecurityLakeRegistrationProps {
  /** `<prefix>-<class uid>`. */
  readonly sourceName: string;
  readonly sourceVersion: string;
  /** The OCSF class as Security Lake names it, e.g. API_ACTIVITY. */
  readonly eventClass: string;
  /** The role Security Lake's Glue crawler assumes. */
  readonly crawlerRole: iam.IRole;
  readonly externalId: string;
}

/**
 * One custom source registered with Security Lake on create and removed on delete, through
 * its API (CloudFormation has no resource for custom sources). The provider identity is
 * this account: Security Lake's provider role trusts it with the external id.
 */
export class SecurityLakeRegistration extends Construct {
  readonly resource: cr.AwsCustomResource;

  constructor(scope: Construct, id: string, props: SecurityLakeRegistrationProps) {
    super(scope, id);
    const { sourceName, sourceVersion } = props;
    this.resource = new cr.AwsCustomResource(this, 'Source', {
      resourceType: 'Custom::SecurityLakeCustomLogSource',
      installLatestAwsSdk: false,
      onCreate: {
        service: 'SecurityLake',
        action: 'CreateCustomLogSource',
        parameters: {
          sourceName,
          sourceVersion,
          eventClasses: [props.eventClass],
          configuration: {
            crawlerConfiguration: { roleArn: props.crawlerRole.roleArn },
            providerIdentity: { externalId: props.externalId, principal: Aws.ACCOUNT_ID },
          },
        },
        physicalResourceId: cr.PhysicalResourceId.of(sourceName),
        outputPaths: ['source.provider.location', 'source.provider.roleArn'],
      },
      onDelete: { service: 'SecurityLake', action: 'DeleteCustomLogSource', parameters: { sourceName, sourceVersion } },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        // Security Lake's API acts on the account's data lake in this region; what it creates in Glue, IAM and Lake Formation carries names it chooses.
        new iam.PolicyStatement({ actions: REGISTRATION_ACTIONS, resources: ['*'] }),
        new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [props.crawlerRole.roleArn] }),
      ]),
    });
    // The provider function CDK shares among the stack's AwsCustomResources logs with Lambda's basic execution policy.
    const provider = Stack.of(this).node.tryFindChild(AWS_CUSTOM_RESOURCE_PROVIDER);
    if (provider) {
      acknowledgeNag(
        provider,
        'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        "CDK's AwsCustomResource provider function writes its own logs with the AWS managed basic execution policy; it runs only when the custom sources are registered or removed.",
      );
    }
    acknowledgeNag(
      this.resource,
      'IAM5[Resource::*]',
      'CreateCustomLogSource creates a Glue database, table and crawler, a provider role policy and a Lake Formation registration whose names Security Lake chooses; this function runs only on deploy and delete.',
    );
  }

  /** The S3 location Security Lake assigned (s3://<bucket>/ext/<source name>/...). */
  get location(): string {
    return this.resource.getResponseField('source.provider.location');
  }

  /** The provider role Security Lake created for the source. */
  get providerRoleArn(): string {
    return this.resource.getResponseField('source.provider.roleArn');
  }
}
