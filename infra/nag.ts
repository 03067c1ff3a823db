import { CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledgements of cdk-nag's AwsSolutions findings (cdk-nag 3 reads CDK's own
 * `Validations` acknowledgements). Each one sits on the construct it concerns, with
 * why the finding does not apply; `-c cloudtap:nag=true` and test/infra/nag.test.ts run the checks.
 */
export function acknowledgeNag(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-${rule}`, reason });
}

/** The finding IAM5 reports for `<arn of resource>/*`, e.g. `IAM5[Resource::<DeliveryBucket818C8F75.Arn>/*]`. */
export function objectsWildcardFinding(resource: IConstruct): string {
  const element = resource instanceof CfnElement ? resource : (resource.node.defaultChild as CfnElement);
  return `IAM5[Resource::<${Stack.of(resource).getLogicalId(element)}.Arn>/*]`;
}

/** Every secret the stack creates holds a credential someone else issues: Secrets Manager cannot rotate it. */
export function acknowledgeThirdPartySecret(secret: IConstruct): void {
  acknowledgeNag(
    secret,
    'SMG4',
    'The value is a credential a third party issues (a cloud provider access key, a Splunk HEC token, an Elastic API key) and only it can rotate; the operator puts each new value with put-secret-value, no deploy needed.',
  );
}
