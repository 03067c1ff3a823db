import { createHmac } from 'node:crypto';
import { sha256Hex } from '../../lib/hashing';

/**
 * Tencent Cloud API 3.0 request signing (TC3-HMAC-SHA256), written from
 * Tencent's "Signature v3" document. Pure functions: the caller supplies the
 * timestamp, so tests can pin it and the simulator can verify with the same code.
 */

export const TC3_ALGORITHM = 'TC3-HMAC-SHA256';
/** The Content-Type every JSON request is sent and signed with. */
export const TC3_CONTENT_TYPE = 'application/json; charset=utf-8';
/** The headers every request signs. */
export const TC3_SIGNED_HEADERS = 'content-type;host';

export interface Tc3SignInput {
  secretId: string;
  secretKey: string;
  /** The product, e.g. `cloudaudit`: the first label of its domain. */
  service: string;
  /** The Host header exactly as sent (with `:port` when not the scheme's default). */
  host: string;
  /** The exact request body. */
  payload: string;
  /** Unix seconds; also sent as X-TC-Timestamp. */
  timestamp: number;
  /** Defaults to TC3_CONTENT_TYPE. */
  contentType?: string;
}

export interface Tc3Signature {
  authorization: string;
  signature: string;
  /** `{date}/{service}/tc3_request` */
  credentialScope: string;
  /** UTC date of the timestamp, YYYY-MM-DD. */
  date: string;
  signedHeaders: string;
  canonicalRequest: string;
  stringToSign: string;
}

const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** The credential-scope date: the UTC (not local, not Beijing) date of the timestamp. */
export function tc3Date(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString().slice(0, 10);
}

export interface CanonicalRequestInput {
  method: string;
  /** Always `/` for API 3.0. */
  path?: string;
  /** Empty for POST. */
  query?: string;
  /** Header name -> value, for exactly the signed headers. */
  headers: Record<string, string>;
  payload: string | Buffer;
}

/** CanonicalRequest: headers lower-cased, trimmed and sorted by name; payload hashed. */
export function buildCanonicalRequest(input: CanonicalRequestInput): { canonicalRequest: string; signedHeaders: string } {
  const entries = Object.entries(input.headers)
    .map(([name, value]) => [name.trim().toLowerCase(), value.trim().toLowerCase()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const canonicalHeaders = entries.map(([name, value]) => `${name}:${value}\n`).join('');
  const signedHeaders = entries.map(([name]) => name).join(';');
  const canonicalRequest = [
    input.method.toUpperCase(),
    input.path ?? '/',
    input.query ?? '',
    canonicalHeaders,
    signedHeaders,
    sha256Hex(input.payload),
  ].join('\n');
  return { canonicalRequest, signedHeaders };
}

/** Signature over a canonical request: the derived-key chain TC3+key -> date -> service -> tc3_request. */
export function computeTc3Signature(args: {
  secretKey: string;
  service: string;
  timestamp: number;
  canonicalRequest: string;
}): { signature: string; stringToSign: string; credentialScope: string; date: string } {
  const date = tc3Date(args.timestamp);
  const credentialScope = `${date}/${args.service}/tc3_request`;
  const stringToSign = [TC3_ALGORITHM, String(args.timestamp), credentialScope, sha256Hex(args.canonicalRequest)].join('\n');
  const secretDate = hmac(`TC3${args.secretKey}`, date);
  const secretService = hmac(secretDate, args.service);
  const secretSigning = hmac(secretService, 'tc3_request');
  const signature = createHmac('sha256', secretSigning).update(stringToSign, 'utf8').digest('hex');
  return { signature, stringToSign, credentialScope, date };
}

/** Sign a POST of a JSON payload to `https://{host}/`. */
export function signTc3Request(input: Tc3SignInput): Tc3Signature {
  if (!Number.isSafeInteger(input.timestamp) || input.timestamp < 0) throw new TypeError('timestamp must be unix seconds');
  const { canonicalRequest, signedHeaders } = buildCanonicalRequest({
    method: 'POST',
    headers: { 'content-type': input.contentType ?? TC3_CONTENT_TYPE, host: input.host },
    payload: input.payload,
  });
  const { signature, stringToSign, credentialScope, date } = computeTc3Signature({
    secretKey: input.secretKey,
    service: input.service,
    timestamp: input.timestamp,
    canonicalRequest,
  });
  const authorization = `${TC3_ALGORITHM} Credential=${input.secretId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { authorization, signature, credentialScope, date, signedHeaders, canonicalRequest, stringToSign };
}

export interface Tc3HeadersInput extends Omit<Tc3SignInput, 'contentType'> {
  action: string;
  version: string;
  region?: string;
  /** STS session token, sent as X-TC-Token. */
  token?: string;
  /** `en-US` or `zh-CN`; the API's default language when absent. */
  language?: string;
}

/** Every header of a signed API 3.0 request. */
export function buildTc3Headers(input: Tc3HeadersInput): Record<string, string> {
  const { authorization } = signTc3Request(input);
  const headers: Record<string, string> = {
    Authorization: authorization,
    'Content-Type': TC3_CONTENT_TYPE,
    Host: input.host,
    'X-TC-Action': input.action,
    'X-TC-Version': input.version,
    'X-TC-Timestamp': String(input.timestamp),
  };
  if (input.region) headers['X-TC-Region'] = input.region;
  if (input.token) headers['X-TC-Token'] = input.token;
  if (input.language) headers['X-TC-Language'] = input.language;
  return headers;
}

export interface ParsedTc3Authorization {
  secretId: string;
  date: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const AUTHORIZATION =
  /^TC3-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{4}-\d{2}-\d{2})\/([^/,\s]+)\/tc3_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/** Parse an Authorization header (used by the simulator to verify requests). */
export function parseTc3Authorization(header: string): ParsedTc3Authorization | undefined {
  const match = AUTHORIZATION.exec(header.trim());
  if (!match) return undefined;
  const [, secretId, date, service, signedHeaders, signature] = match as unknown as string[];
  return { secretId: secretId!, date: date!, service: service!, signedHeaders: signedHeaders!.split(';'), signature: signature! };
}
