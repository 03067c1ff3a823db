import { createHmac } from 'node:crypto';
import { sha256Hex } from '../../lib/hashing';

/**
 * Huawei Cloud AK/SK request signing (SDK-HMAC-SHA256), written from the API
 * Gateway "API Request Signing Guide". Pure functions: the caller supplies the
 * time, so tests pin it and the simulator verifies with the same code.
 */

export const SDK_HMAC_SHA256 = 'SDK-HMAC-SHA256';
/** What the official SDK sends (and signs) for JSON bodies. */
export const JSON_CONTENT_TYPE = 'application/json';


/** X-Sdk-Date: the UTC time as YYYYMMDDTHHMMSSZ. */
export function sdkDate(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Epoch ms of an X-Sdk-Date, or undefined when it is not one. */
export function parseSdkDate(text: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  const ms = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
  return sdkDate(ms) === text ? ms : undefined;
}

/** RFC 3986: everything but A-Z a-z 0-9 - _ . ~ is percent-encoded (UTF-8, upper-case hex). */
export function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * CanonicalURI: each path segment URI-encoded, always ending in "/" (the
 * request itself need not). Segments are decoded first, as the Go and Python
 * signers do, so an already-encoded path is not encoded twice.
 */
export function canonicalUri(path: string): string {
  const encoded = (path || '/').split('/').map((segment) => encodeRfc3986(decodeSegment(segment))).join('/');
  return encoded.endsWith('/') ? encoded : `${encoded}/`;
}

export type QueryParams = Record<string, string | readonly string[]>;

/** CanonicalQueryString: parameters sorted by name, names and values encoded, `name=` kept for empty values. */
export function canonicalQueryString(query: QueryParams = {}): string {
  return Object.keys(query)
    .sort()
    .flatMap((name) => {
      const value = query[name]!;
      const values = typeof value === 'string' ? [value] : [...value].sort();
      return values.map((v) => `${encodeRfc3986(name)}=${encodeRfc3986(v)}`);
    })
    .join('&');
}

/** Query parameters of a URL search string, for signing what is actually sent. */
export function queryParamsOf(search: string): QueryParams {
  const params: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(search)) (params[name] ??= []).push(value);
  return params;
}

export interface CanonicalRequestInput {
  method: string;
  /** The request path, e.g. /v1/{project}/audit/{instance}/operation-log. */
  path: string;
  query?: QueryParams;
  /** Exactly the headers to sign; `host` and `x-sdk-date` must be among them. */
  headers: Record<string, string>;
  /** The exact body bytes sent. */
  payload: string | Buffer;
}

/** CanonicalRequest: header names lower-cased and sorted, values trimmed; payload hashed. */
export function buildCanonicalRequest(input: CanonicalRequestInput): { canonicalRequest: string; signedHeaders: string } {
  const entries = Object.entries(input.headers)
    .map(([name, value]) => [name.trim().toLowerCase(), value.trim()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const signedHeaders = entries.map(([name]) => name).join(';');
  const canonicalRequest = [
    input.method.toUpperCase(),
    canonicalUri(input.path),
    canonicalQueryString(input.query),
    entries.map(([name, value]) => `${name}:${value}\n`).join(''),
    signedHeaders,
    sha256Hex(input.payload),
  ].join('\n');
  return { canonicalRequest, signedHeaders };
}

/** StringToSign and its HMAC-SHA256 with the SK (no derived-key chain, unlike TC3 or SigV4). */
export function computeSignature(secretAccessKey: string, date: string, canonicalRequest: string): { signature: string; stringToSign: string } {
  const stringToSign = [SDK_HMAC_SHA256, date, sha256Hex(canonicalRequest)].join('\n');
  return { signature: createHmac('sha256', secretAccessKey).update(stringToSign, 'utf8').digest('hex'), stringToSign };
}

export interface SignInput extends CanonicalRequestInput {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface Signed {
  authorization: string;
  signature: string;
  signedHeaders: string;
  canonicalRequest: string;
  stringToSign: string;
}

/** Sign a request whose headers already hold `X-Sdk-Date` and `Host`. */
export function signRequest(input: SignInput): Signed {
  const date = Object.entries(input.headers).find(([name]) => name.toLowerCase() === 'x-sdk-date')?.[1];
  if (date === undefined || parseSdkDate(date) === undefined) throw new TypeError('X-Sdk-Date must be set as YYYYMMDDTHHMMSSZ');
  const { canonicalRequest, signedHeaders } = buildCanonicalRequest(input);
  const { signature, stringToSign } = computeSignature(input.secretAccessKey, date, canonicalRequest);
  const authorization = `${SDK_HMAC_SHA256} Access=${input.accessKeyId}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { authorization, signature, signedHeaders, canonicalRequest, stringToSign };
}

export interface AkSkCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials: sent and signed as X-Security-Token. */
  securityToken?: string;
}

export interface SignedHeadersInput {
  credentials: AkSkCredentials;
  method: string;
  url: URL;
  body: string;
  /** Epoch ms, becomes X-Sdk-Date. */
  now: number;
  /** Sent and signed as X-Project-Id, as the official SDK does for project-scoped APIs. */
  projectId?: string;
  contentType?: string;
}

/**
 * Every header of an AK/SK request, all of them signed. `Host` is returned
 * for the record; fetch derives it from the URL (the same value).
 */
export function buildSignedHeaders(input: SignedHeadersInput): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': input.contentType ?? JSON_CONTENT_TYPE,
    Host: input.url.host,
    'X-Sdk-Date': sdkDate(input.now),
  };
  if (input.projectId) headers['X-Project-Id'] = input.projectId;
  if (input.credentials.securityToken) headers['X-Security-Token'] = input.credentials.securityToken;
  const { authorization } = signRequest({
    ...input.credentials,
    method: input.method,
    path: input.url.pathname,
    query: queryParamsOf(input.url.search),
    headers,
    payload: input.body,
  });
  return { ...headers, Authorization: authorization };
}

export interface ParsedAuthorization {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

const AUTHORIZATION = /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([a-z0-9;_-]+),\s*Signature=([0-9a-f]{64})$/;

/** Parse an Authorization header (the simulator's side of the check). */
export function parseAuthorization(header: string): ParsedAuthorization | undefined {
  const match = AUTHORIZATION.exec(header.trim());
  if (!match) return undefined;
  return { accessKeyId: match[1]!, signedHeaders: match[2]!.split(';'), signature: match[3]! };
}
