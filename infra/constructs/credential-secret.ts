import { ArnFormat, RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { DeployedCredentialSet } from '../../shared/ops/credential-secret-name';
import { acknowledgeThirdPartySecret } from '../nag';
import { grantKeyUse } from './encryption-key';

/**
 * One credential set's secret, `name`: a placeholder naming every field of the
 * vendor (empty ones count as absent), not a credential. The operator puts the
 * real value with put-secret-value, and CloudFormation leaves it alone while
 * this template is unchanged.
 */
export function credentialSecret(scope: Construct, id: string, set: DeployedCredentialSet, name: string, key: kms.IKey): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, id, {
    secretName: name,
    description: `cloudtap ${set.vendor} credentials, set ${set.name}; set the value after deploy`,
    secretObjectValue: Object.fromEntries(set.fields.map((field) => [field, SecretValue.unsafePlainText('')])),
    encryptionKey: key,
    // Credentials of a removed set should not linger.
    removalPolicy: RemovalPolicy.DESTROY,
  });
  acknowledgeThirdPartySecret(secret);
  return secret;
}

/**
 * The ARN of the secret named `name`, whatever suffix Secrets Manager gave it:
 * by name, so a function's policy does not grow a reference to every secret
 * resource, and a set's grant reads the same in every template.
 */
export function secretArnPattern(scope: Construct, name: string): string {
  return Stack.of(scope).formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${name}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

/**
 * Reading the named secrets, and their decryption through Secrets Manager, in the
 * grantee's own policy (Secret.grantRead would put a statement per function into
 * the key policy instead).
 */
export function grantReadSecrets(grantee: iam.IGrantable, key: kms.IKey, names: readonly string[]): void {
  if (names.length === 0) return;
  const arns = names.map((name) => secretArnPattern(key, name));
  iam.Grant.addToPrincipal({ grantee, actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resourceArns: arns });
  grantKeyUse(key, grantee, 'secretsmanager', ['kms:Decrypt'], { SecretARN: arns });
}
