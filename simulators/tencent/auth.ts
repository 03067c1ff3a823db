import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  buildCanonicalRequest,
  computeTc3Signature,
  parseTc3Authorization,
  tc3Date,
} from '../../shared/providers/tencent/tc3';

/** A key pair the simulator accepts; with `token`, requests must carry it as X-TC-Token. */
export interface SimulatorCredential {
  secretId: string;
  secretKey: string;
  token?: string;
}

export interface AuthFailure {
  code: string;
  message: string;
}

/** Tencent rejects a timestamp more than five minutes away from its clock. */
const MAX_SKEW_SECONDS = 300;

const SIGNATURE_FAILURE: AuthFailure = {
  code: 'AuthFailure.SignatureFailure',
  message: 'The provided credentials could not be validated. Please check your signature is correct.',
};

/**
 * Verify a TC3-HMAC-SHA256 request as the API gateway does, recomputing the
 * signature from the headers and body actually received (not from what the
 * client meant to send). Returns undefined when the request is authentic.
 */
export function verifyTc3Request(args: {
  headers: IncomingHttpHeaders;
  rawBody: string;
  service: string;
  credentials: SimulatorCredential[];
  nowSeconds: number;
}): AuthFailure | undefined {
  const { headers } = args;
  const header = (name: string): string | undefined => {
    const value = headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  const auth = parseTc3Authorization(header('authorization') ?? '');
  if (!auth) return SIGNATURE_FAILURE;
  const credential = args.credentials.find((candidate) => candidate.secretId === auth.secretId);
  if (!credential) {
    return {
      code: 'AuthFailure.SecretIdNotFound',
      message: 'The SecretId is not found, please ensure that your SecretId is correct.',
    };
  }
  const timestampText = header('x-tc-timestamp') ?? '';
  const timestamp = /^\d{1,12}$/.test(timestampText) ? Number(timestampText) : NaN;
  if (!Number.isSafeInteger(timestamp)) {
    return { code: 'MissingParameter', message: 'The request is missing a required parameter `Timestamp`.' };
  }
  if (Math.abs(args.nowSeconds - timestamp) > MAX_SKEW_SECONDS) {
    return {
      code: 'AuthFailure.SignatureExpire',
      message: `Signature expired. Timestamp ${timestamp} differs from the server time ${args.nowSeconds} by more than 5 minutes.`,
    };
  }
  const signed = auth.signedHeaders;
  if (
    auth.service !== args.service ||
    auth.date !== tc3Date(timestamp) ||
    !signed.includes('content-type') ||
    !signed.includes('host') ||
    signed.some((name) => header(name) === undefined)
  ) {
    return SIGNATURE_FAILURE;
  }
  const { canonicalRequest } = buildCanonicalRequest({
    method: 'POST',
    headers: Object.fromEntries(signed.map((name) => [name, header(name)!])),
    payload: args.rawBody,
  });
  const { signature } = computeTc3Signature({
    secretKey: credential.secretKey,
    service: args.service,
    timestamp,
    canonicalRequest,
  });
  if (!timingSafeEqual(Buffer.from(signature), Buffer.from(auth.signature))) return SIGNATURE_FAILURE;
  if (credential.token !== undefined && header('x-tc-token') !== credential.token) {
    return { code: 'AuthFailure.TokenFailure', message: 'The token is invalid or expired.' };
  }
  return undefined;
}
