import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { sha256Hex } from '../../shared/lib/hashing';
import { acs3Signature, parseAcs3Authorization } from '../../shared/providers/alibaba/signer';

/** A key pair the simulator accepts; with `securityToken`, requests must carry it as x-acs-security-token. */
export interface SimulatorAccessKey {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export interface AuthFailure {
  status: number;
  code: string;
  message: string;
}

/** How far x-acs-date may be from the server clock: 15 minutes, assumed (docs/sources/alibaba-actiontrail.md). */
const MAX_SKEW_MS = 15 * 60_000;

const MISMATCH: AuthFailure = { status: 400, code: 'SignatureDoesNotMatch', message: 'Specified signature is not matched with our calculation.' };

/**
 * Verify an ACS3-HMAC-SHA256 request as the gateway does: the signature
 * recomputed from the method, path, query, headers and body actually received
 * (not from what the client meant to send), the date within the allowed skew,
 * the nonce never seen before, the STS token matching its key.
 */
export function verifyAcs3Request(args: {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  rawBody: string;
  credentials: readonly SimulatorAccessKey[];
  now: number;
  seenNonces: Set<string>;
}): AuthFailure | undefined {
  const header = (name: string): string | undefined => {
    const value = args.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  const auth = parseAcs3Authorization(header('authorization') ?? '');
  if (!auth) return { status: 400, code: 'IncompleteSignature', message: 'The request signature does not conform to Aliyun standards.' };
  const credential = args.credentials.find((candidate) => candidate.accessKeyId === auth.accessKeyId);
  if (!credential) return { status: 404, code: 'InvalidAccessKeyId.NotFound', message: 'Specified access key is not found.' };
  const date = header('x-acs-date') ?? '';
  const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(date) ? Date.parse(date) : NaN;
  if (!Number.isFinite(at)) return { status: 400, code: 'MissingParameter', message: 'The input parameter "x-acs-date" that is mandatory for processing this request is not supplied.' };
  if (Math.abs(args.now - at) > MAX_SKEW_MS) return { status: 400, code: 'InvalidTimeStamp.Expired', message: 'Specified time stamp or date value is expired.' };
  const signed = auth.signedHeaders;
  // Every x-acs-* header sent, host and content-type must be signed.
  const mustSign = Object.keys(args.headers).filter((name) => name.startsWith('x-acs-') || name === 'host' || name === 'content-type');
  if (!signed.includes('host') || mustSign.some((name) => !signed.includes(name)) || signed.some((name) => header(name) === undefined)) return MISMATCH;
  if (header('x-acs-content-sha256') !== sha256Hex(args.rawBody)) return MISMATCH;
  const query = Object.fromEntries(args.url.searchParams);
  const { signature } = acs3Signature({
    method: args.method,
    path: args.url.pathname,
    query,
    headers: Object.fromEntries(signed.map((name) => [name, header(name)!])),
    payloadHash: header('x-acs-content-sha256')!,
    accessKeySecret: credential.accessKeySecret,
  });
  if (!timingSafeEqual(Buffer.from(signature), Buffer.from(auth.signature))) return MISMATCH;
  const nonce = header('x-acs-signature-nonce');
  if (!nonce) return { status: 400, code: 'MissingParameter', message: 'The input parameter "x-acs-signature-nonce" that is mandatory for processing this request is not supplied.' };
  if (args.seenNonces.has(nonce)) return { status: 400, code: 'SignatureNonceUsed', message: 'Specified signature nonce was used already.' };
  args.seenNonces.add(nonce);
  if (credential.securityToken !== undefined && header('x-acs-security-token') !== credential.securityToken) {
    return { status: 400, code: 'InvalidSecurityToken.MismatchWithAccessKey', message: 'Specified SecurityToken mismatch with the AccessKey.' };
  }
  return undefined;
}
