import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { grantKeyUse } from './encryption-key';

/**
 * What DynamoDbCursorStore sends: GetItem (read) and conditional UpdateItem
 * (lease, checkpoint, release; it upserts). No Scan or Query: a puller never
 * lists progress. Alert dedup markers and the alert outbox, in the same table,
 * add Put and Delete (see Alerting). Widen here if the store grows.
 */
export const CURSOR_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:UpdateItem'] as const;

/**
 * What DynamoDB asks KMS for on a caller's behalf with a customer-managed table
 * key: CDK's encrypt/decrypt set with its wildcards spelled out (data key pairs,
 * which a table never uses, left out).
 */
export const TABLE_KEY_ACTIONS = [
  'kms:Decrypt',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
] as const;

export interface CursorTableProps {
  /** A customer-managed key; AWS-managed (aws/dynamodb) when absent. */
  readonly encryptionKey?: kms.IKey;
}

/** Cursors and leases, one item per source instance (`pk`). */
export class CursorTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: CursorTableProps = {}) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...(props.encryptionKey
        ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: props.encryptionKey }
        : { encryption: dynamodb.TableEncryption.AWS_MANAGED }),
      timeToLiveAttribute: 'expiresAt',
      // Losing cursors means re-pulling (duplicates) or a gap; never delete with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * `actions` on the items whose key matches one of `leadingKeys` (DynamoDB's
   * `dynamodb:LeadingKeys` condition, `*` matching any characters), in one statement;
   * also the key use once a customer-managed key is set.
   */
  grantItems(grantee: iam.IGrantable, actions: readonly string[], leadingKeys: readonly string[]): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: [...actions],
      resourceArns: [this.table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...leadingKeys] } },
    });
    this.grantKeyUse(grantee);
  }

  /** Use of a customer-managed table key, through DynamoDB and for this table only; the AWS-managed key needs no grant. */
  grantKeyUse(grantee: iam.IGrantable): void {
    const key = this.table.encryptionKey;
    if (key) grantKeyUse(key, grantee, 'dynamodb', TABLE_KEY_ACTIONS, { 'aws:dynamodb:tableName': this.table.tableName });
  }
}
