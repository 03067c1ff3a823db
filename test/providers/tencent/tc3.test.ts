import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  buildTc3Headers,
  parseTc3Authorization,
  signTc3Request,
  tc3Date,
} from '../../../shared/providers/tencent/tc3';
import { sha256Hex } from '../../../shared/lib/hashing';

/**
 * Tencent's published example ("Signature v3", CVM DescribeInstances in
 * ap-guangzhou at 1551113065). The document's keys are placeholders; two
 * editions of it exist, one with `...EXAMPLE` keys and one with `*******` ones,
 * each with its own published signature.
 */
const EXAMPLE = {
  service: 'cvm',
  host: 'cvm.tencentcloudapi.com',
  timestamp: 1551113065,
  payload: '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}',
  hashedPayload: '35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064',
  canonicalRequest: [
    'POST',
    '/',
    '',
    'content-type:application/json; charset=utf-8',
    'host:cvm.tencentcloudapi.com',
    '',
    'content-type;host',
    '35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064',
  ].join('\n'),
  stringToSign: [
    'TC3-HMAC-SHA256',
    '1551113065',
    '2019-02-25/cvm/tc3_request',
    '5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031',
  ].join('\n'),
};

const EDITIONS = [
  {
    secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
    secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
    authorization:
      'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
  },
  {
    secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******',
    secretKey: 'Gu5t9xGARNpq86cd98joQYCN3*******',
    authorization:
      'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c',
  },
];

describe('TC3-HMAC-SHA256, against Tencent\'s published example', () => {
  it.each(EDITIONS)('reproduces every intermediate value and the Authorization ($secretId)', (edition) => {
    const signed = signTc3Request({ ...EXAMPLE, secretId: edition.secretId, secretKey: edition.secretKey });
    expect(sha256Hex(EXAMPLE.payload)).toBe(EXAMPLE.hashedPayload);
    expect(signed.canonicalRequest).toBe(EXAMPLE.canonicalRequest);
    expect(signed.stringToSign).toBe(EXAMPLE.stringToSign);
    expect(signed.authorization).toBe(edition.authorization);
  });

  it('uses the UTC date of the timestamp (2019-02-26 00:44 in Beijing is still 2019-02-25)', () => {
    expect(tc3Date(1551113065)).toBe('2019-02-25');
    expect(tc3Date(1551139199)).toBe('2019-02-25');
    expect(tc3Date(1551139200)).toBe('2019-02-26');
  });

  it('builds the full header set, with region, token and language only when given', () => {
    const base = { ...EXAMPLE, secretId: EDITIONS[0]!.secretId, secretKey: EDITIONS[0]!.secretKey, action: 'DescribeInstances', version: '2017-03-12' };
    expect(buildTc3Headers({ ...base, region: 'ap-guangzhou' })).toEqual({
      Authorization: EDITIONS[0]!.authorization,
      'Content-Type': 'application/json; charset=utf-8',
      Host: 'cvm.tencentcloudapi.com',
      'X-TC-Action': 'DescribeInstances',
      'X-TC-Version': '2017-03-12',
      'X-TC-Timestamp': '1551113065',
      'X-TC-Region': 'ap-guangzhou',
    });
    const withToken = buildTc3Headers({ ...base, token: 'fakeSessionTokenForTests', language: 'en-US' });
    expect(withToken['X-TC-Token']).toBe('fakeSessionTokenForTests');
    expect(withToken['X-TC-Language']).toBe('en-US');
    expect(withToken).not.toHaveProperty('X-TC-Region');
  });

  it('parses its own Authorization header', () => {
    expect(parseTc3Authorization(EDITIONS[0]!.authorization)).toEqual({
      secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
      date: '2019-02-25',
      service: 'cvm',
      signedHeaders: ['content-type', 'host'],
      signature: '72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
    });
    expect(parseTc3Authorization('HMAC-SHA256 whatever')).toBeUndefined();
  });
});

describe('TC3-HMAC-SHA256, against the official Node SDK signer as an oracle', () => {
  interface Sign3Args {
    method?: string;
    url: string;
    payload: Buffer;
    timestamp: number;
    service: string;
    secretId: string;
    secretKey: string;
    multipart: boolean;
    boundary: string;
    headers: Record<string, string>;
  }
  const require = createRequire(import.meta.url);
  const Sign = (require('tencentcloud-sdk-nodejs-common/tencentcloud/common/sign') as { default: { sign3(args: Sign3Args): string } })
    .default;

  // Seeded so a failure reproduces.
  let seed = 20240611;
  const random = () => ((seed = (Math.imul(seed, 48271) >>> 0) % 2147483647) / 2147483647);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const text = (alphabet: string, min: number, max: number) =>
    Array.from({ length: min + Math.floor(random() * (max - min + 1)) }, () => pick([...alphabet])).join('');
  const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

  it('agrees on 300 random requests', () => {
    for (let i = 0; i < 300; i++) {
      const service = pick(['cloudaudit', 'ssl', 'cvm', 'cam', 'sts', 'vpc']);
      // The SDK signs the hostname only, so hosts here carry no port.
      const host = pick([`${service}.tencentcloudapi.com`, `${service}.intl.tencentcloudapi.com`, `${service}.ap-guangzhou.tencentcloudapi.com`]);
      const params: Record<string, unknown> = {
        StartTime: Math.floor(random() * 2e9),
        Text: text(`${ALNUM} "\\/:{}[],.中文é\u2028`, 0, 40),
        Nested: [{ Key: text(ALNUM, 1, 8), Values: [text(ALNUM, 0, 5)] }],
      };
      const payload = random() < 0.1 ? '' : JSON.stringify(params);
      const input = {
        secretId: `AKIDfake${text(ALNUM, 8, 28)}`,
        secretKey: text(`${ALNUM}+/=`, 16, 40),
        service,
        host,
        payload,
        timestamp: Math.floor(random() * 4e9),
      };
      const expected = Sign.sign3({
        url: `https://${host}/`,
        payload: Buffer.from(payload, 'utf8'),
        timestamp: input.timestamp,
        service,
        secretId: input.secretId,
        secretKey: input.secretKey,
        multipart: false,
        boundary: '',
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
      });
      expect(signTc3Request(input).authorization, JSON.stringify(input)).toBe(expected);
    }
  });
});
