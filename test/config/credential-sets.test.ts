import { describe, expect, it } from 'vitest';
import { definitions } from '../../shared/providers/registry';
import { parse, problems, tencentProd } from './support';

/** Every registered vendor, in registry order: the list an unknown vendor's error ends with. */
const KNOWN_VENDORS = [...new Set(definitions.map((definition) => definition.vendor))].join(', ');

const audit = { id: 'audit-gz', type: 'tencent-cloudaudit', region: 'ap-guangzhou' };
const credentials = { 'tencent-prod': tencentProd, 'ucloud-main': { vendor: 'ucloud' } };
const TENCENT_FIELDS = ['secretId', 'secretKey', 'token'];
const DEFAULT_TENCENT_ENV = { secretId: 'TENCENTCLOUD_SECRET_ID', secretKey: 'TENCENTCLOUD_SECRET_KEY', token: 'TENCENTCLOUD_SESSION_TOKEN' };

describe('credential sets', () => {
  it('signs an instance naming a set with that set, its variables from the set or else the field defaults', () => {
    const config = parse({ credentials, sources: [{ ...audit, credentials: 'tencent-prod' }] });
    expect(config.sources[0]).toMatchObject({
      id: 'audit-gz',
      credentialSet: 'tencent-prod',
      credentialEnv: { secretId: 'PROD_TENCENT_SECRET_ID', secretKey: 'PROD_TENCENT_SECRET_KEY', token: 'TENCENTCLOUD_SESSION_TOKEN' },
    });
  });

  it('lists the declared sets, referenced or not, then the per-instance ones in instance order', () => {
    const config = parse({
      credentials,
      sources: [
        { ...audit, credentials: 'tencent-prod' },
        { id: 'certs', type: 'tencent-ssl', credentials: { env: { secretId: 'CERTS_ID' } } },
        { id: 'ops', type: 'ucloud-operations' },
      ],
    });
    expect(config.credentialSets).toEqual([
      {
        name: 'tencent-prod',
        vendor: 'tencent',
        env: { secretId: 'PROD_TENCENT_SECRET_ID', secretKey: 'PROD_TENCENT_SECRET_KEY', token: 'TENCENTCLOUD_SESSION_TOKEN' },
        fields: TENCENT_FIELDS,
        perInstance: false,
      },
      { name: 'ucloud-main', vendor: 'ucloud', env: { publicKey: 'UCLOUD_PUBLIC_KEY', privateKey: 'UCLOUD_PRIVATE_KEY' }, fields: ['publicKey', 'privateKey'], perInstance: false },
      { name: 'certs', vendor: 'tencent', env: { ...DEFAULT_TENCENT_ENV, secretId: 'CERTS_ID' }, fields: TENCENT_FIELDS, perInstance: true },
      { name: 'ops', vendor: 'ucloud', env: { publicKey: 'UCLOUD_PUBLIC_KEY', privateKey: 'UCLOUD_PRIVATE_KEY' }, fields: ['publicKey', 'privateKey'], perInstance: true },
    ]);
    expect(config.sources.map((source) => source.credentialSet)).toEqual(['tencent-prod', 'certs', 'ops']);
  });

  it("keeps the old forms as they were: own credentials or none make a set named after the instance", () => {
    const config = parse({ sources: [audit, { ...audit, id: 'audit-sh', region: 'ap-shanghai', credentials: { env: { secretId: 'SH_ID' } } }] });
    expect(config.sources.map(({ id, credentialSet, credentialEnv }) => ({ id, credentialSet, credentialEnv }))).toEqual([
      { id: 'audit-gz', credentialSet: 'audit-gz', credentialEnv: DEFAULT_TENCENT_ENV },
      { id: 'audit-sh', credentialSet: 'audit-sh', credentialEnv: { ...DEFAULT_TENCENT_ENV, secretId: 'SH_ID' } },
    ]);
    expect(config.credentialSets.map(({ name, perInstance }) => ({ name, perInstance }))).toEqual([
      { name: 'audit-gz', perInstance: true },
      { name: 'audit-sh', perInstance: true },
    ]);
  });

  it("gives a set every credential field of its vendor, over all the vendor's APIs", () => {
    const [set] = parse({ credentials: { 'huawei-prod': { vendor: 'huawei', env: { password: 'HW_PASSWORD' } } }, sources: [audit] }).credentialSets;
    expect(set).toEqual({
      name: 'huawei-prod',
      vendor: 'huawei',
      env: {
        accessKeyId: 'HUAWEICLOUD_SDK_AK',
        secretAccessKey: 'HUAWEICLOUD_SDK_SK',
        securityToken: 'HUAWEICLOUD_SDK_SECURITY_TOKEN',
        domainName: 'HUAWEICLOUD_DOMAIN_NAME',
        userName: 'HUAWEICLOUD_USER_NAME',
        password: 'HW_PASSWORD',
      },
      fields: ['accessKeyId', 'secretAccessKey', 'securityToken', 'domainName', 'userName', 'password'],
      perInstance: false,
    });
  });

  it.each([
    {
      name: 'a misspelt set name',
      data: { credentials, sources: [{ ...audit, credentials: 'tencent-prd' }] },
      expected: ['sources[0] (audit-gz).credentials: unknown credential set "tencent-prd"; did you mean "tencent-prod"? declared sets: tencent-prod, ucloud-main'],
    },
    {
      name: 'a set when none is declared',
      data: { sources: [{ ...audit, credentials: 'tencent-prod' }] },
      expected: ['sources[0] (audit-gz).credentials: unknown credential set "tencent-prod"; no set is declared under credentials'],
    },
    {
      name: "a set of another vendor",
      data: { credentials, sources: [{ ...audit, credentials: 'ucloud-main' }] },
      expected: ['sources[0] (audit-gz).credentials: set "ucloud-main" holds ucloud credentials; tencent-cloudaudit needs tencent credentials'],
    },
    {
      name: 'an unknown set in a list',
      data: { credentials, sources: [{ ...audit, credentials: ['tencent-prod', 'tencent-dev'] }] },
      expected: ['sources[0] (audit-gz).credentials[1]: unknown credential set "tencent-dev"; declared sets: tencent-prod, ucloud-main'],
    },
    { name: 'an empty list', data: { credentials, sources: [{ ...audit, credentials: [] }] }, expected: ['sources[0].credentials: expected at least one credential set name'] },
    {
      name: 'credentials of the wrong type',
      data: { credentials, sources: [{ ...audit, credentials: 42 }] },
      expected: ['sources[0].credentials: expected a credential set name, a list of names, or { env: { field: VARIABLE } }'],
    },
    {
      name: 'an unknown vendor',
      data: { credentials: { 'tencent-prod': { vendor: 'tencnet' } }, sources: [audit] },
      expected: [`credentials.tencent-prod.vendor: unknown vendor "tencnet"; did you mean "tencent"? known vendors: ${KNOWN_VENDORS}`],
    },
    {
      name: 'a set without a vendor',
      data: { credentials: { 'tencent-prod': { env: {} } }, sources: [audit] },
      expected: ['credentials.tencent-prod.vendor: expected the vendor whose key the set holds: the first part of its source types, e.g. acme for acme-audit'],
    },
    {
      name: "a misspelt field of the vendor's",
      data: { credentials: { 'tencent-prod': { vendor: 'tencent', env: { secretid: 'ID' } } }, sources: [audit] },
      expected: ['credentials.tencent-prod.env.secretid: tencent credentials take secretId, secretKey, token; did you mean "secretId"?'],
    },
    {
      name: 'a field of another vendor',
      data: { credentials: { 'ucloud-main': { vendor: 'ucloud', env: { secretKey: 'KEY' } } }, sources: [audit] },
      expected: ['credentials.ucloud-main.env.secretKey: ucloud credentials take publicKey, privateKey'],
    },
    {
      name: 'a misspelt key of a set',
      data: { credentials: { 'tencent-prod': { vendor: 'tencent', evn: {} } }, sources: [audit] },
      expected: ['credentials.tencent-prod.evn: unknown key; did you mean "env"?'],
    },
    {
      name: 'a set name that cannot name a secret',
      data: { credentials: { Prod_Key: { vendor: 'tencent' } }, sources: [audit] },
      expected: ['credentials.Prod_Key: a set name takes 2-48 lowercase letters, digits or hyphens, starting and ending with a letter or digit (it names a secret and the instances it expands)'],
    },
    { name: 'a list of sets', data: { credentials: [tencentProd], sources: [audit] }, expected: ['credentials: expected a map of credential set names, each { vendor, env }'] },
    {
      // The refused set is reported where it is declared, not again as unknown where it is used.
      name: 'a reference to a refused set',
      data: { credentials: { 'tencent-prod': { vendor: 'tencnet' } }, sources: [{ ...audit, credentials: 'tencent-prod' }] },
      expected: [`credentials.tencent-prod.vendor: unknown vendor "tencnet"; did you mean "tencent"? known vendors: ${KNOWN_VENDORS}`],
    },
    {
      name: 'an instance of its own credentials named like a declared set',
      data: { credentials: { 'audit-gz': tencentProd }, sources: [audit] },
      expected: ['sources[0] (audit-gz).id: "audit-gz" also names a set under credentials, and an instance with credentials of its own is a set named after it; rename one'],
    },
  ])('refuses $name, naming its path', ({ data, expected }) => {
    expect(problems(data)).toEqual(expected);
  });
});
