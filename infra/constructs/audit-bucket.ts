import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { acknowledgeNag } from '../nag';

/** Every bucket the stack makes: no public access, no ACLs, TLS 1.2 or later only. */
const PRIVATE_TLS_ONLY = {
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
  enforceSSL: true,
  minimumTLSVersion: 1.2,
} as const satisfies s3.BucketProps;

export interface AuditBucketProps {
  /** The stack's key: objects are encrypted with it (S3 Bucket Keys keep the KMS requests few). */
  readonly encryptionKey: kms.IKey;
  readonly lifecycleRules?: s3.LifecycleRule[];
}

/**
 * A private, encrypted, TLS-only, versioned bucket that outlives the stack: audit data, or
 * records a SIEM refused. Every request to it is logged to a second bucket, `<id>AccessLogs`.
 */
export function auditBucket(scope: Construct, id: string, props: AuditBucketProps): s3.Bucket {
  return new s3.Bucket(scope, id, {
    ...PRIVATE_TLS_ONLY,
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: props.encryptionKey,
    bucketKeyEnabled: true,
    // Delivered under the log bucket's policy (cdk.json's serverAccessLogsUseBucketPolicy), ACLs being off.
    serverAccessLogsBucket: accessLogsBucket(scope, `${id}AccessLogs`),
    // Firehose never overwrites keys, so versions only cost anything when something deletes
    // or overwrites audit data; then they make it recoverable for a while.
    versioned: true,
    lifecycleRules: [
      { noncurrentVersionExpiration: Duration.days(90), abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ...(props.lifecycleRules ?? []),
    ],
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

/** How long S3 server access logs of an audit bucket are kept. */
const ACCESS_LOG_RETENTION = Duration.days(365);

/**
 * S3's record of every request to an audit bucket: who read, wrote or deleted what.
 * S3-managed encryption, the default encryption S3 documents for log target buckets;
 * the records hold requesters, keys and IP addresses, not events.
 */
function accessLogsBucket(scope: Construct, id: string): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    ...PRIVATE_TLS_ONLY,
    encryption: s3.BucketEncryption.S3_MANAGED,
    lifecycleRules: [{ expiration: ACCESS_LOG_RETENTION, abortIncompleteMultipartUploadAfter: Duration.days(7) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledgeNag(
    bucket,
    'S1',
    "This bucket is the target of the audit bucket's server access logs; logging its own requests would log every log delivery, and another log bucket would only move the finding.",
  );
  return bucket;
}
