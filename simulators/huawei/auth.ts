import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { buildCanonicalRequest, computeSignature, parseAuthorization, parseSdkDate, queryParamsOf } from '../../shared/providers/huawei/signer';

/** An AK/SK pair the simulator accepts; with `securityToken`, requests must carry (and sign) it. */
export interface SimulatorAkSk {
  accessKeyId: string;
  secretAccessKey: string;
  securityToken?: string;
  /** Projects this key may use; any when absent. */
  projects?: string[];
}

export interface AuthFailure {
  status: number;
  code: string;
  message: string;
}

/** API Gateway rejects an X-Sdk-Date more than 15 minutes from its clock. */
export const MAX_SKEW_MS = 15 * 60_000;

const iamFailure = (detail: string): AuthFailure => ({
  status: 401,
  code: 'APIGW.0301',
  message: `Incorrect IAM authentication information: ${detail}`,
});

/**
 * Verify an SDK-HMAC-SHA256 request as API Gateway does: recompute the
 * signature from what was received (method, path, query, the signed headers'
 * values, the raw body), not from what the client meant to send.
 */
export function verifyAkSk(args: {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  credentials: readonly SimulatorAkSk[];
  now: number;
}): { credential: SimulatorAkSk } | { failure: AuthFailure } {
  const header = (name: string): string | undefined => {
    const value = args.headers[name];
    return typeof value === 'string' ? value : Array.isArray(value) ? value.join(',') : undefined;
  };
  const auth = parseAuthorization(header('authorization') ?? '');
  if (!auth) return { failure: iamFailure('verify aksk signature fail, the Authorization header is not SDK-HMAC-SHA256') };
  const credential = args.credentials.find((candidate) => candidate.accessKeyId === auth.accessKeyId);
  if (!credential) return { failure: iamFailure('verify aksk signature fail, AK not found') };
  const signed = auth.signedHeaders;
  const date = header('x-sdk-date');
  const dateMs = date === undefined ? undefined : parseSdkDate(date);
  if (!signed.includes('x-sdk-date') || dateMs === undefined) {
    return { failure: iamFailure('verify aksk signature fail, X-Sdk-Date is missing, unsigned or not YYYYMMDDTHHMMSSZ') };
  }
  if (Math.abs(args.now - dateMs) > MAX_SKEW_MS) return { failure: iamFailure('calc ak sk signature fail:signature expired') };
  if (!signed.includes('host') || signed.some((name) => header(name) === undefined)) {
    return { failure: iamFailure('verify aksk signature fail, a signed header is missing') };
  }
  const url = new URL(args.url, 'http://simulator');
  const { canonicalRequest } = buildCanonicalRequest({
    method: args.method,
    path: url.pathname,
    query: queryParamsOf(url.search),
    headers: Object.fromEntries(signed.map((name) => [name, header(name)!])),
    payload: args.rawBody,
  });
  const { signature } = computeSignature(credential.secretAccessKey, date!, canonicalRequest);
  if (!timingSafeEqual(Buffer.from(signature), Buffer.from(auth.signature))) {
    return { failure: iamFailure('verify aksk signature fail') };
  }
  if (credential.securityToken !== undefined) {
    if (!signed.includes('x-security-token') || header('x-security-token') !== credential.securityToken) {
      return { failure: iamFailure('verify aksk signature fail, the security token is missing, unsigned or invalid') };
    }
  }
  return { credential };
}
