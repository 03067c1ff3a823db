import { ConfigError } from '../shared/lib/errors';
import { EXIT, type ExitCode } from './exit-codes';

/** What a person is told when a command ends in an error, and the exit code a script gets. */
export interface Failure {
  code: ExitCode;
  kind: 'configuration' | 'aws' | 'error';
  message: string;
}

// Error names the AWS SDK gives refused credentials (STS, IAM, and the services cloudtap calls).
const REFUSED_CREDENTIALS = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'AccessDeniedException',
]);

export function describeFailure(error: unknown): Failure {
  if (error instanceof ConfigError) return { code: EXIT.usage, kind: 'configuration', message: error.message };
  const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
  if (name === 'CredentialsProviderError') {
    return {
      code: EXIT.aws,
      kind: 'aws',
      message:
        'no AWS credentials found: set AWS_PROFILE (after `aws configure` or `aws sso login`), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; ' +
        'deployed state is read with them',
    };
  }
  if (message === 'Region is missing') {
    return { code: EXIT.aws, kind: 'aws', message: 'no AWS region: set AWS_REGION (or a region in your AWS profile) to where cloudtap is deployed' };
  }
  if (REFUSED_CREDENTIALS.has(name)) {
    return { code: EXIT.aws, kind: 'aws', message: `AWS refused the request (${name}): ${message}; check that your credentials are current and allowed to read the stack` };
  }
  return { code: EXIT.failed, kind: 'error', message: `${name === 'Error' ? 'error' : name}: ${message}` };
}
