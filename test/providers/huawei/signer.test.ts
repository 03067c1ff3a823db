import { describe, expect, it } from 'vitest';
import {
  buildCanonicalRequest,
  buildSignedHeaders,
  canonicalQueryString,
  canonicalUri,
  parseAuthorization,
  parseSdkDate,
  sdkDate,
  signRequest,
} from '../../../shared/providers/huawei/signer';
import { sha256Hex } from '../../../shared/lib/hashing';
import { loadHuaweiSdkSigner } from './support';

/**
 * Huawei's published example (API Request Signing Guide, "Constructing a
 * Standard Request" .. "Adding the Signature to the Request Header"): a VPC
 * list GET at 20191115T033655Z, AK QTWAOYTTINDUT2QVKYUC.
 */
const EXAMPLE = {
  accessKeyId: 'QTWAOYTTINDUT2QVKYUC',
  secretAccessKey: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc',
  method: 'GET',
  path: '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs',
  query: { limit: '2', marker: '13551d6b-755d-4757-b956-536f674975c0' },
  headers: { 'Content-Type': 'application/json', Host: 'service.region.example.com', 'X-Sdk-Date': '20191115T033655Z' },
  payload: '',
  canonicalRequest: [
    'GET',
    '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/',
    'limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
    'content-type:application/json\nhost:service.region.example.com\nx-sdk-date:20191115T033655Z\n',
    'content-type;host;x-sdk-date',
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  ].join('\n'),
  hashedCanonicalRequest: 'b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a',
  stringToSign: 'SDK-HMAC-SHA256\n20191115T033655Z\nb25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a',
  authorization:
    'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
};

describe("SDK-HMAC-SHA256, against Huawei's published example", () => {
  it('reproduces the canonical request, its hash, the string to sign and the Authorization', () => {
    const signed = signRequest(EXAMPLE);
    expect(signed.canonicalRequest).toBe(EXAMPLE.canonicalRequest);
    expect(sha256Hex(signed.canonicalRequest)).toBe(EXAMPLE.hashedCanonicalRequest);
    expect(signed.stringToSign).toBe(EXAMPLE.stringToSign);
    expect(signed.authorization).toBe(EXAMPLE.authorization);
  });

  it('signs what is sent: the same request built from a URL gives the same Authorization', () => {
    const headers = buildSignedHeaders({
      credentials: EXAMPLE,
      method: 'GET',
      url: new URL(`https://service.region.example.com${EXAMPLE.path}?marker=13551d6b-755d-4757-b956-536f674975c0&limit=2`),
      body: '',
      now: Date.UTC(2019, 10, 15, 3, 36, 55),
    });
    expect(headers).toEqual({ ...EXAMPLE.headers, Authorization: EXAMPLE.authorization });
  });

  it('formats and parses X-Sdk-Date as YYYYMMDDTHHMMSSZ in UTC', () => {
    expect(sdkDate(Date.UTC(2019, 10, 15, 3, 36, 55, 999))).toBe('20191115T033655Z');
    expect(parseSdkDate('20191115T033655Z')).toBe(Date.UTC(2019, 10, 15, 3, 36, 55));
    for (const bad of ['2019-11-15T03:36:55Z', '20191115T033655', '20191315T033655Z', '20190230T000000Z']) expect(parseSdkDate(bad), bad).toBeUndefined();
    expect(() => signRequest({ ...EXAMPLE, headers: { Host: 'h' } })).toThrow(/X-Sdk-Date/);
  });

  it('always ends the canonical URI with a slash and encodes each segment once', () => {
    expect(canonicalUri('')).toBe('/');
    expect(canonicalUri('/v1/p/audit/i/operation-log')).toBe('/v1/p/audit/i/operation-log/');
    expect(canonicalUri('/v1/p/')).toBe('/v1/p/');
    expect(canonicalUri('/v1/a b/c(d)*')).toBe('/v1/a%20b/c%28d%29%2A/');
    expect(canonicalUri('/v1/a%20b/%E4%B8%AD')).toBe('/v1/a%20b/%E4%B8%AD/');
  });

  it('sorts and encodes the query, keeping empty values and repeated names', () => {
    expect(canonicalQueryString({ b: '2', a: ['z', 'y'], 'k y': '', c: 'x/y~_.-' })).toBe('a=y&a=z&b=2&c=x%2Fy~_.-&k%20y=');
  });

  it('lower-cases, trims and sorts headers', () => {
    const { canonicalRequest, signedHeaders } = buildCanonicalRequest({
      method: 'post',
      path: '/',
      headers: { 'X-Sdk-Date': ' 20191115T033655Z ', host: 'h', 'X-Project-Id': 'p', 'Content-Type': 'application/json' },
      payload: '{}',
    });
    expect(signedHeaders).toBe('content-type;host;x-project-id;x-sdk-date');
    expect(canonicalRequest.split('\n').slice(0, 7)).toEqual(['POST', '/', '', 'content-type:application/json', 'host:h', 'x-project-id:p', 'x-sdk-date:20191115T033655Z']);
  });

  it('signs X-Project-Id and X-Security-Token when given, and parses its own Authorization', () => {
    const headers = buildSignedHeaders({
      credentials: { ...EXAMPLE, securityToken: 'fakeSecurityTokenForTests' },
      projectId: '0123456789abcdef0123456789abcdef',
      method: 'POST',
      url: new URL('https://dbss.cn-north-4.myhuaweicloud.com/v1/0123456789abcdef0123456789abcdef/audit/x/operation-log'),
      body: '{"page":"1"}',
      now: Date.UTC(2025, 0, 1),
    });
    expect(headers['X-Security-Token']).toBe('fakeSecurityTokenForTests');
    expect(headers['X-Project-Id']).toBe('0123456789abcdef0123456789abcdef');
    expect(parseAuthorization(headers.Authorization!)).toMatchObject({
      accessKeyId: EXAMPLE.accessKeyId,
      signedHeaders: ['content-type', 'host', 'x-project-id', 'x-sdk-date', 'x-security-token'],
    });
    expect(parseAuthorization('SDK-HMAC-SHA256 Access=a, SignedHeaders=host, Signature=zz')).toBeUndefined();
  });
});

const sdk = loadHuaweiSdkSigner();

describe.skipIf(!sdk)('SDK-HMAC-SHA256, against @huaweicloud/huaweicloud-sdk-core as an oracle', () => {
  let seed = 20250101;
  const random = () => (seed = (Math.imul(seed, 48271) >>> 0) % 2147483647) / 2147483647;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const text = (alphabet: string, min: number, max: number) =>
    Array.from({ length: min + Math.floor(random() * (max - min + 1)) }, () => pick([...alphabet])).join('');
  // Path segments stay URL-safe: for other characters the Node SDK encodes an already-encoded path
  // a second time (the Go/Python signers and the gateway decode first), and cloudtap's ids are URL-safe.
  const SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~';

  it('agrees on 300 random signed requests, X-Project-Id and X-Security-Token included', async () => {
    for (let i = 0; i < 300; i++) {
      const region = pick(['cn-north-4', 'ap-southeast-1', 'la-south-2', 'eu-west-101']);
      const host = pick([`dbss.${region}.myhuaweicloud.com`, `iam.${region}.myhuaweicloud.com`, '127.0.0.1:8443']);
      const projectId = text('0123456789abcdef', 32, 32);
      const path = `/v1/${projectId}/${text(SAFE, 1, 12)}/${text(SAFE, 32, 64)}/${pick(['operation-log', 'operation-log/', 'alarm-log'])}`;
      const query: Record<string, string | string[]> = {};
      for (let q = Math.floor(random() * 3); q > 0; q--) query[text('abcdefgh_', 1, 6)] = random() < 0.3 ? [text(`${SAFE} /:é中`, 0, 6), text(SAFE, 1, 4)] : text(`${SAFE} /:é中&=`, 0, 10);
      const data = random() < 0.15 ? undefined : { time: { start_time: '2025-01-01 00:00:00', end_time: '2025-01-01 23:59:59' }, page: String(i), size: '100', user_name: text(`${SAFE} é中"\\`, 0, 12) };
      const ak = text('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 20, 20);
      const sk = text(`${SAFE}+/=`, 20, 40);
      const token = random() < 0.5 ? text(`${SAFE}+/=`, 40, 120) : undefined;
      const now = Date.UTC(2020, 0, 1) + Math.floor(random() * 2e11 / 1000) * 1000;

      let credentials = new sdk!.BasicCredentials().withAk(ak).withSk(sk).withProjectId(projectId);
      if (token) credentials = credentials.withSecurityToken(token);
      const expected = await credentials.processAuthRequest(undefined, {
        endpoint: `https://${host}`,
        url: path,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'X-Sdk-Date': sdkDate(now) },
        data,
        queryParams: query,
        pathParams: {},
      });
      const search = new URLSearchParams(Object.entries(query).flatMap(([k, v]): [string, string][] => (typeof v === 'string' ? [[k, v]] : v.map((x) => [k, x])))).toString();
      const ours = buildSignedHeaders({
        credentials: { accessKeyId: ak, secretAccessKey: sk, securityToken: token },
        projectId,
        method: 'POST',
        url: new URL(`https://${host}${path}${search ? `?${search}` : ''}`),
        // The SDK hashes (and sends) JSON.stringify(data); no body at all hashes as "".
        body: data === undefined ? '' : JSON.stringify(data),
        now,
      });
      expect(ours.Authorization, JSON.stringify({ host, path, query, data, token: !!token })).toBe(expected.headers.Authorization);
    }
  });
});
