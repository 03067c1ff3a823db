/**
 * How the notifiers classify AWS SDK errors. The SDK's own `$retryable` is
 * not set for SNS `Throttled` or EventBridge `ThrottlingException`, so the
 * name, fault and HTTP status decide.
 */
const THROTTLING = /throttl|rate ?exceeded|toomanyrequests|slowdown|requestlimitexceeded/i;
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);

interface AwsErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

export function isTransientAwsError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const e = error as Error & AwsErrorShape;
  const status = e.$metadata?.httpStatusCode;
  return (
    e.$retryable !== undefined ||
    e.$fault === 'server' ||
    THROTTLING.test(e.name) ||
    (status !== undefined && (status >= 500 || status === 429)) ||
    e.name === 'TimeoutError' ||
    e.name === 'AbortError' ||
    (e.code !== undefined && NETWORK.has(e.code))
  );
}

/** `Name: message (request id)`: what an operator needs, and nothing from the request (no credentials). */
export function describeAwsError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const e = error as Error & AwsErrorShape;
  const requestId = e.$metadata?.requestId;
  return `${e.name}${e.code && e.code !== e.name ? ` ${e.code}` : ''}: ${e.message}${requestId ? ` (request ${requestId})` : ''}`;
}
