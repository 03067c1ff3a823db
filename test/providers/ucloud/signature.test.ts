import { describe, expect, it } from 'vitest';
import {
  canonicalParamString,
  computeSignature,
  encodeValue,
  flattenParams,
  signParams,
} from '../../../shared/providers/ucloud/signature';

/** The example keys of UCloud's signature document ("use them to debug your code"). */
const DOC_PRIVATE_KEY = '46f09bb9fab4f12dfc160dae12273d5332b5debe';

const sign = (params: Record<string, unknown>, publicKey: string, privateKey = DOC_PRIVATE_KEY) =>
  signParams(params, { publicKey, privateKey }).Signature;

describe('published signature examples', () => {
  it('reproduces the signature document (docs.ucloud.cn/api/summary/signature): CreateUHostInstance', () => {
    const params = {
      Action: 'CreateUHostInstance',
      Region: 'cn-bj2',
      Zone: 'cn-bj2-04',
      ImageId: 'f43736e1-65a5-4bea-ad2e-8a46e18883c2',
      CPU: 2,
      Memory: 2048,
      DiskSpace: 10,
      LoginMode: 'Password',
      Password: 'VUNsb3VkLmNu',
      Name: 'Host01',
      ChargeType: 'Month',
      Quantity: 1,
    };
    const signed = signParams(params, { publicKey: 'ucloudsomeone@example.com1296235120854146120', privateKey: DOC_PRIVATE_KEY });
    // The document's "signed string" (without the private key appended): byte order puts CPU before ChargeType.
    expect(canonicalParamString(signed)).toBe(
      'ActionCreateUHostInstanceCPU2ChargeTypeMonthDiskSpace10ImageIdf43736e1-65a5-4bea-ad2e-8a46e18883c2LoginModePassword' +
        'Memory2048NameHost01PasswordVUNsb3VkLmNuPublicKeyucloudsomeone@example.com1296235120854146120Quantity1Regioncn-bj2Zonecn-bj2-04',
    );
    // Also the expected value of ucloud-sdk-go auth/credential_test.go and ucloud-sdk-python3 tests/test_unit/test_core/test_auth.py.
    expect(signed.Signature).toBe('4f9ef5df2abab2c6fccd1e9515cb7e2df8c6bb65');
  });

  it('reproduces the quick-start example (docs.ucloud.cn/api/summary/public): DescribeUHostInstance', () => {
    const params = { Action: 'DescribeUHostInstance', Region: 'cn-bj2', Limit: 10 };
    expect(sign(params, 'ucloudsomeone@example.com1296235120854146120')).toBe('cba5cf5ec4d4233d206b1b54951e3787350a642f');
    // The current signature document uses the key without the `ucloud` prefix and gives this value.
    // (Its English copy on ucloud-global.com kept the value above with the new key: a doc error.)
    expect(sign(params, 'someone@example.com1296235120854146120')).toBe('4201919d267504385deb93af19e0197870fed36b');
  });

  it("reproduces ucloud-sdk-python3's doctests (core/auth/_cfg.py)", () => {
    // verify_ac(private_key, params) signs exactly the given parameters...
    expect(computeSignature({ foo: 'bar' }, 'my_private_key')).toBe('634edc1bb957c0d65e5ab5494cf3b7784fbc87af');
    // ...and Credential.verify_ac adds PublicKey first ("PublicKey" sorts before "foo").
    expect(sign({ foo: 'bar' }, 'my_public_key', 'my_private_key')).toBe('d4411ab30953fb0bbcb1e7313081f05e4e91a394');
  });

  it('ignores a Signature already present and keeps PublicKey from the keys', () => {
    const params = { Action: 'DescribeUHostInstance', Region: 'cn-bj2', Limit: 10, Signature: 'stale', PublicKey: 'other' };
    expect(sign(params, 'ucloudsomeone@example.com1296235120854146120')).toBe('cba5cf5ec4d4233d206b1b54951e3787350a642f');
  });
});

describe('flattenParams (ucloud-sdk-python3 tests/test_unit/test_core/test_encoder.py)', () => {
  it.each([
    [{ foo: 'bar' }, { foo: 'bar' }],
    [{ foo: 42 }, { foo: '42' }],
    [{ foo: 42.42 }, { foo: '42.42' }],
    [{ foo: 42.0 }, { foo: '42' }],
    [{ foo: true }, { foo: 'true' }],
    [{ foo: false }, { foo: 'false' }],
    [{ IP: ['127.0.0.1'] }, { 'IP.0': '127.0.0.1' }],
    [{ TemplateParams: ['中文'] }, { 'TemplateParams.0': '中文' }],
    [{ IP: ['foo', 'bar'] }, { 'IP.0': 'foo', 'IP.1': 'bar' }],
    [{ IP: [{ foo: 'bar' }] }, { 'IP.0.foo': 'bar' }],
  ])('%j -> %j', (input, expected) => {
    expect(flattenParams(input)).toEqual(expected);
  });

  it('flattens nested objects and arrays of objects like the Go, Java and JS SDKs', () => {
    expect(
      flattenParams({
        RelatedResource: [
          { ResourceId: 'uhost-1', ResourceName: 'web' },
          { ResourceId: 'eip-2', Tags: ['a', 'b'] },
        ],
        Composite: { Region: 'cn-bj2', Deep: { On: true } },
      }),
    ).toEqual({
      'RelatedResource.0.ResourceId': 'uhost-1',
      'RelatedResource.0.ResourceName': 'web',
      'RelatedResource.1.ResourceId': 'eip-2',
      'RelatedResource.1.Tags.0': 'a',
      'RelatedResource.1.Tags.1': 'b',
      'Composite.Region': 'cn-bj2',
      'Composite.Deep.On': 'true',
    });
  });

  it('leaves out null and undefined, keeps empty strings', () => {
    expect(flattenParams({ A: null, B: undefined, C: '', D: [null, 'x'] })).toEqual({ C: '', 'D.1': 'x' });
  });

  it('rejects values the API cannot take and names flattened twice', () => {
    expect(() => flattenParams({ When: new Date(0) })).toThrow(TypeError);
    expect(() => flattenParams({ Fn: () => 1 })).toThrow(TypeError);
    expect(() => flattenParams({ 'A.0': 'x', A: ['y'] })).toThrow(/given twice/);
    expect(() => flattenParams({ N: Number.NaN })).toThrow(/non-finite/);
  });

  it('signs the flattened names, so nested and pre-flattened parameters sign alike', () => {
    const keys = { publicKey: 'fakePublicKeyForTests', privateKey: 'fakePrivateKeyForTests' };
    expect(signParams({ IP: [{ foo: 'bar' }] }, keys).Signature).toBe(signParams({ 'IP.0.foo': 'bar' }, keys).Signature);
  });
});

describe('encodeValue', () => {
  it.each([
    [1_700_000_000, '1700000000'],
    [-3, '-3'],
    [0.5, '0.5'],
    [1e21, '1000000000000000000000'],
    [1.5e-7, '0.00000015'],
    [-2.5e22, '-25000000000000000000000'],
    [123456789012345680000, '123456789012345680000'],
    [12345678901234567890n, '12345678901234567890'],
  ])('%s -> %s (plain decimal, never scientific)', (value, expected) => {
    expect(encodeValue(value)).toBe(expected);
  });
});
