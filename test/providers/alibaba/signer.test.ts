import { describe, expect, it } from 'vitest';
import * as openApiUtil from '@alicloud/openapi-util';
import { mulberry32 } from '../../../simulators/common/random';
import {
  acs3Signature,
  acsDate,
  canonicalQueryString,
  EMPTY_PAYLOAD_HASH,
  flattenParams,
  parseAcs3Authorization,
  percentEncode,
  signRpcRequest,
} from '../../../shared/providers/alibaba/signer';

/** Alibaba's own signer (@alicloud/openapi-util, a devDependency): the oracle, never bundled. */
type OracleRequest = { pathname: string; method: string; query: Record<string, string>; headers: Record<string, string> };
const oracle = ((openApiUtil as any).default?.default ?? (openApiUtil as any).default) as {
  getAuthorization(request: OracleRequest, algorithm: string, payloadHash: string, accessKeyId: string, accessKeySecret: string): string;
};

describe('ACS3-HMAC-SHA256', () => {
  // The worked example of "V3 request structure and signature" (help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature):
  // RunInstances, POST /, two query parameters, an empty body.
  const example = {
    method: 'POST',
    path: '/',
    query: { ImageId: 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd', RegionId: 'cn-shanghai' },
    headers: {
      host: 'ecs.cn-shanghai.aliyuncs.com',
      'x-acs-action': 'RunInstances',
      'x-acs-version': '2014-05-26',
      'x-acs-date': '2023-10-26T10:22:32Z',
      'x-acs-signature-nonce': '3156853299f313e23d1673dc12e1703d',
      'x-acs-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    },
    payloadHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    accessKeySecret: 'YourAccessKeySecret',
  };

  it('reproduces the published example: canonical request, its hash and the signature', () => {
    const signed = acs3Signature(example);
    expect(signed.canonicalRequest).toBe(
      [
        'POST',
        '/',
        'ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai',
        'host:ecs.cn-shanghai.aliyuncs.com',
        'x-acs-action:RunInstances',
        'x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        'x-acs-date:2023-10-26T10:22:32Z',
        'x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d',
        'x-acs-version:2014-05-26',
        '',
        'host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version',
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      ].join('\n'),
    );
    expect(signed.stringToSign).toBe('ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259');
    expect(signed.signature).toBe('06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0');
  });

  it('builds the published Authorization header for an RPC call', () => {
    const headers = signRpcRequest({
      host: 'ecs.cn-shanghai.aliyuncs.com',
      action: 'RunInstances',
      version: '2014-05-26',
      query: example.query,
      accessKeyId: 'YourAccessKeyId',
      accessKeySecret: 'YourAccessKeySecret',
      now: Date.UTC(2023, 9, 26, 10, 22, 32),
      nonce: '3156853299f313e23d1673dc12e1703d',
    });
    expect(headers.authorization).toBe(
      'ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0',
    );
    expect(parseAcs3Authorization(headers.authorization!)).toEqual({
      accessKeyId: 'YourAccessKeyId',
      signedHeaders: ['host', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-version'],
      signature: '06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0',
    });
  });

  it('encodes as RFC 3986 says: unreserved kept, space %20, star %2A, UTF-8 bytes', () => {
    expect(percentEncode("AZaz09-_.~ *!'()/+=&中")).toBe('AZaz09-_.~%20%2A%21%27%28%29%2F%2B%3D%26%E4%B8%AD');
    expect(canonicalQueryString({ b: 'x y', a: '1', 'LookupAttribute.1.Key': 'EventName' })).toBe('LookupAttribute.1.Key=EventName&a=1&b=x%20y');
  });

  it('flattens lists and objects the way RPC queries carry them', () => {
    expect(flattenParams({ MaxResults: 50, LookupAttribute: [{ Key: 'EventName', Value: 'DeleteTrail' }, { Key: 'EventRW', Value: 'Write' }], NextToken: undefined })).toEqual({
      MaxResults: '50',
      'LookupAttribute.1.Key': 'EventName',
      'LookupAttribute.1.Value': 'DeleteTrail',
      'LookupAttribute.2.Key': 'EventRW',
      'LookupAttribute.2.Value': 'Write',
    });
  });

  it('dates to the second in UTC', () => {
    expect(acsDate(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe('2026-01-02T03:04:05Z');
  });

  it('agrees with the official signer on 300 random requests', () => {
    const random = mulberry32(20200706);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const alphabet = ['a', 'Z', '0', '-', '_', '.', '~', ' ', '*', '+', '/', '=', '&', '%', ':', '中', 'é', '!', "'", '(', ')', '😀'];
    const text = (max: number) => Array.from({ length: 1 + Math.floor(random() * max) }, () => pick(alphabet)).join('');
    for (let i = 0; i < 300; i++) {
      const query: Record<string, string> = {};
      const names = 1 + Math.floor(random() * 6);
      for (let n = 0; n < names; n++) query[pick(['StartTime', 'EndTime', 'NextToken', 'LookupAttribute.1.Key', 'LookupAttribute.1.Value', 'MaxResults', 'X-Name'])] = text(24);
      const headers: Record<string, string> = {
        host: pick(['actiontrail.cn-hangzhou.aliyuncs.com', '127.0.0.1:8080']),
        'x-acs-action': 'LookupEvents',
        'x-acs-version': '2020-07-06',
        'x-acs-date': acsDate(Date.UTC(2026, 0, 1) + Math.floor(random() * 1e10)),
        'x-acs-signature-nonce': text(32),
        'x-acs-content-sha256': EMPTY_PAYLOAD_HASH,
      };
      if (random() < 0.5) headers['x-acs-security-token'] = ` ${text(40)} `;
      const secret = text(30);
      const accessKeyId = `LTAI${i}`;
      const ours = acs3Signature({ method: 'POST', path: '/', query, headers, payloadHash: EMPTY_PAYLOAD_HASH, accessKeySecret: secret });
      const theirs = oracle.getAuthorization({ pathname: '/', method: 'POST', query, headers }, 'ACS3-HMAC-SHA256', EMPTY_PAYLOAD_HASH, accessKeyId, secret);
      expect(`ACS3-HMAC-SHA256 Credential=${accessKeyId},SignedHeaders=${ours.signedHeaders},Signature=${ours.signature}`, JSON.stringify({ query, headers })).toBe(theirs);
    }
  });
});
