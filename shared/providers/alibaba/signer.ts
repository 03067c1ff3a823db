import { createHmac, randomBytes } from 'node:crypto';
import { sha256Hex } from '../../lib/hashing';

/**
 * Alibaba Cloud OpenAPI request signing, V3 (ACS3-HMAC-SHA256), written from
 * Alibaba's "V3 request structure and signature" document
 * (https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature).
 * Hand-written rather than taken from the official SDK: its signer comes with
 * the Tea/Darabonba runtime (@alicloud/openapi-client and its dependencies),
 * far heavier than these few pure functions, and the SDK is only a test oracle
 * here. The caller supplies date and nonce, so tests can pin them and the
 * simulator verifies with the same code.
 */

export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

/** The hex SHA-256 of an empty body: what an RPC call with its parameters in the query signs. */
export const EMPTY_PAYLOAD_HASH = sha256Hex('');

/**
 * RFC 3986 percent-encoding as the document prescribes: `A-Z a-z 0-9 - _ . ~`
 * kept, everything else (space as %20, `*` as %2A) encoded from UTF-8.
 */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * An RPC request's parameters as the flat map the query carries: a list
 * becomes `Name.1`, `Name.2`, ..., an object's fields `Name.Field` (so
 * `LookupAttribute: [{Key, Value}]` is `LookupAttribute.1.Key` / `.Value`).
 * Absent values are left out.
 */
export function flattenParams(params: Record<string, unknown>, prefix = '', into: Record<string, string> = {}): Record<string, string> {
  for (const [name, value] of Object.entries(params)) {
    const key = prefix ? `${prefix}.${name}` : name;
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      flattenParams(Object.fromEntries(value.map((item, index) => [String(index + 1), item])), key, into);
    } else if (typeof value === 'object') {
      flattenParams(value as Record<string, unknown>, key, into);
    } else {
      into[key] = String(value);
    }
  }
  return into;
}

/** `name=value` pairs sorted by name, each side percent-encoded, joined by `&`: the canonical query and the query sent. */
export function canonicalQueryString(query: Record<string, string>): string {
  return Object.keys(query)
    .sort()
    .map((name) => `${percentEncode(name)}=${percentEncode(query[name] ?? '')}`)
    .join('&');
}

/**
 * The signed headers: `host`, `content-type` and every `x-acs-*` header,
 * names lowercased and sorted, values trimmed, as `name:value\n` lines, and
 * their names joined by `;`.
 */
export function canonicalHeaders(headers: Record<string, string>): { canonical: string; signedHeaders: string } {
  const entries = Object.entries(headers)
    .map(([name, value]) => [name.toLowerCase(), value.trim()] as const)
    .filter(([name]) => name === 'host' || name === 'content-type' || name.startsWith('x-acs-'))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    canonical: entries.map(([name, value]) => `${name}:${value}\n`).join(''),
    signedHeaders: entries.map(([name]) => name).join(';'),
  };
}

export interface Acs3SignInput {
  method: string;
  /** The canonical URI: `/` for RPC-style APIs. */
  path: string;
  query: Record<string, string>;
  /** Every header sent (host included); those the algorithm signs are picked out. */
  headers: Record<string, string>;
  /** Hex SHA-256 of the exact body (x-acs-content-sha256). */
  payloadHash: string;
  accessKeySecret: string;
}

export interface Acs3Signature {
  canonicalRequest: string;
  stringToSign: string;
  signedHeaders: string;
  signature: string;
}

/** Steps 1 to 3 of the document: canonical request, string to sign, HMAC-SHA256 signature in lowercase hex. */
export function acs3Signature(input: Acs3SignInput): Acs3Signature {
  const { canonical, signedHeaders } = canonicalHeaders(input.headers);
  const canonicalRequest = [input.method.toUpperCase(), input.path, canonicalQueryString(input.query), canonical, signedHeaders, input.payloadHash].join('\n');
  const stringToSign = `${ACS3_ALGORITHM}\n${sha256Hex(canonicalRequest)}`;
  const signature = createHmac('sha256', input.accessKeySecret).update(stringToSign, 'utf8').digest('hex');
  return { canonicalRequest, stringToSign, signedHeaders, signature };
}

/** `x-acs-date`: ISO 8601 UTC to the second, `yyyy-MM-ddTHH:mm:ssZ`. */
export const acsDate = (epochMs: number): string => new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** A fresh `x-acs-signature-nonce`: the gateway refuses a nonce it has seen. */
export const newNonce = (): string => randomBytes(16).toString('hex');

export interface RpcRequestInput {
  /** The Host header exactly as sent (with `:port` when not the scheme's default). */
  host: string;
  action: string;
  version: string;
  query: Record<string, string>;
  accessKeyId: string;
  accessKeySecret: string;
  /** An STS token: sent and signed as `x-acs-security-token`. */
  securityToken?: string;
  /** Epoch ms. */
  now: number;
  nonce: string;
}

/** The headers of a signed RPC call (`POST /?query`, empty body), Authorization included. */
export function signRpcRequest(input: RpcRequestInput): Record<string, string> {
  const headers: Record<string, string> = {
    host: input.host,
    'x-acs-action': input.action,
    'x-acs-version': input.version,
    'x-acs-date': acsDate(input.now),
    'x-acs-signature-nonce': input.nonce,
    'x-acs-content-sha256': EMPTY_PAYLOAD_HASH,
  };
  if (input.securityToken) headers['x-acs-security-token'] = input.securityToken;
  const { signedHeaders, signature } = acs3Signature({
    method: 'POST',
    path: '/',
    query: input.query,
    headers,
    payloadHash: EMPTY_PAYLOAD_HASH,
    accessKeySecret: input.accessKeySecret,
  });
  headers.authorization = `${ACS3_ALGORITHM} Credential=${input.accessKeyId},SignedHeaders=${signedHeaders},Signature=${signature}`;
  return headers;
}

/** The parts of an `Authorization: ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..` header, or undefined. */
export function parseAcs3Authorization(value: string): { accessKeyId: string; signedHeaders: string[]; signature: string } | undefined {
  const match = /^ACS3-HMAC-SHA256 Credential=([^,\s]+),SignedHeaders=([a-z0-9;-]+),Signature=([0-9a-f]{64})$/.exec(value.trim());
  if (!match) return undefined;
  return { accessKeyId: match[1]!, signedHeaders: match[2]!.split(';'), signature: match[3]! };
}
