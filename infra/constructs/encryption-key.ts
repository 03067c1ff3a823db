import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, type IConstruct } from 'constructs';

/**
 * The stack's customer-managed key: the cursor table, the audit buckets, the
 * delivery stream, the secrets, the alert topic and the failed-invocations queue
 * are encrypted with it. Its policy is CDK's default (the account administers it
 * and may delegate its use through IAM), plus what CDK's Secret adds (the
 * account's principals may use it through Secrets Manager) and what a service
 * acting on its own needs (CloudWatch alarms, see Monitoring). Each role gets
 * its use through IAM, for its own resources only.
 */
export class EncryptionKey extends Construct {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: `cloudtap ${Stack.of(this).stackName}: cursors, delivered and backed-up events, secrets, alerts`,
      enableKeyRotation: true,
      // The table and buckets outlive the stack; so must the key that decrypts them.
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });
  }
}

/** The encryption context a service puts on its key requests, naming the resource they are for. */
export type EncryptionContext = Record<string, string | string[]>;

/**
 * Use of a key only through `service` and only for the resource the encryption
 * context names: a role that may use the key for its queue cannot decrypt
 * anything else with it. Actions are listed, never wildcards.
 */
function keyUseConditions(key: kms.IKey, service: string, context: EncryptionContext): Record<string, Record<string, unknown>> {
  const onResource = Object.fromEntries(Object.entries(context).map(([name, value]) => [`kms:EncryptionContext:${name}`, value]));
  return { StringEquals: { 'kms:ViaService': viaService(key, service) }, StringLike: onResource };
}

/** A statement for a standalone policy (one a resource can depend on): `actions` on `key`, under keyUseConditions. */
export function keyUseStatement(key: kms.IKey, service: string, actions: readonly string[], context: EncryptionContext): iam.PolicyStatement {
  return new iam.PolicyStatement({ actions: [...actions], resources: [key.keyArn], conditions: keyUseConditions(key, service, context) });
}

/** The same, added to the grantee's own policy. */
export function grantKeyUse(key: kms.IKey, grantee: iam.IGrantable, service: string, actions: readonly string[], context: EncryptionContext): iam.Grant {
  return iam.Grant.addToPrincipal({ grantee, actions: [...actions], resourceArns: [key.keyArn], conditions: keyUseConditions(key, service, context) });
}

/** `s3.<region>.amazonaws.com`: how KMS names a service calling on a principal's behalf (as CDK's ViaServicePrincipal writes it). */
const viaService = (scope: IConstruct, service: string): string => `${service}.${Stack.of(scope).region}.amazonaws.com`;

/**
 * What writing to an SNS topic, SQS queue or S3 bucket encrypted with the key
 * takes: a new data key, and decrypting one (reused data keys, multipart uploads).
 */
export const ENVELOPE_WRITE_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'] as const;
