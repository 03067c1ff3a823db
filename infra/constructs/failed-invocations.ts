import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeNag } from '../nag';
import { ENVELOPE_WRITE_ACTIONS, grantKeyUse } from './encryption-key';

/** SQS's longest retention: two weeks to look at a failure before it is gone. */
export const FAILED_INVOCATION_RETENTION = Duration.days(14);

export interface FailedInvocationsProps {
  readonly encryptionKey: kms.IKey;
}

/**
 * The pullers' on-failure destination: Lambda sends here every scheduled
 * invocation that failed (the run threw, timed out or ran out of memory) or
 * expired unrun (throttled past its maximum age), with its input, the error and
 * the condition. Encrypted with the stack's key, TLS only; one queue for the stack,
 * since each record names its function and source.
 */
export class FailedInvocations extends Construct implements lambda.IDestination {
  readonly queue: sqs.Queue;
  private readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: FailedInvocationsProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: FAILED_INVOCATION_RETENTION,
    });
    acknowledgeNag(
      this.queue,
      'SQS3',
      'This queue is itself the dead-letter destination of the puller functions; nothing consumes it automatically, so there are no failed receives to move on. An operator reads and purges it.',
    );
  }

  /**
   * As a function's on-failure destination: Lambda sends with the function's role,
   * which may send to this queue, and use the key for it, and nothing more.
   */
  bind(_scope: Construct, fn: lambda.IFunction): lambda.DestinationConfig {
    iam.Grant.addToPrincipal({ grantee: fn, actions: ['sqs:SendMessage'], resourceArns: [this.queue.queueArn] });
    grantKeyUse(this.encryptionKey, fn, 'sqs', ENVELOPE_WRITE_ACTIONS, { 'aws:sqs:arn': this.queue.queueArn });
    return { destination: this.queue.queueArn };
  }
}
