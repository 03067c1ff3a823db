import { describe, expect, it } from 'vitest';
import { parse, problems, tencentProd } from './support';

const credentials = { 'tencent-prod': tencentProd, 'tencent-dev': { vendor: 'tencent' } };
const audit = { id: 'audit', type: 'tencent-cloudaudit' };

describe('the compact form', () => {
  it('expands a list of sets and a list of regions into <id>-<set>-<region>, sets outer, regions inner', () => {
    const config = parse({ credentials, sources: [{ ...audit, credentials: ['tencent-prod', 'tencent-dev'], regions: ['ap-guangzhou', 'ap-shanghai'] }] });
    expect(config.sources.map(({ id, region, credentialSet }) => ({ id, region, credentialSet }))).toEqual([
      { id: 'audit-tencent-prod-ap-guangzhou', region: 'ap-guangzhou', credentialSet: 'tencent-prod' },
      { id: 'audit-tencent-prod-ap-shanghai', region: 'ap-shanghai', credentialSet: 'tencent-prod' },
      { id: 'audit-tencent-dev-ap-guangzhou', region: 'ap-guangzhou', credentialSet: 'tencent-dev' },
      { id: 'audit-tencent-dev-ap-shanghai', region: 'ap-shanghai', credentialSet: 'tencent-dev' },
    ]);
    expect(config.sources[0]!.credentialEnv.secretId).toBe('PROD_TENCENT_SECRET_ID');
    expect(config.sources[2]!.credentialEnv.secretId).toBe('TENCENTCLOUD_SECRET_ID');
  });

  it('expands by one list alone; a set name or a region (singular) does not expand', () => {
    const ids = (entry: object) => parse({ credentials, sources: [{ ...audit, ...entry }] }).sources.map((source) => source.id);
    expect(ids({ credentials: ['tencent-prod', 'tencent-dev'], region: 'ap-guangzhou' })).toEqual(['audit-tencent-prod', 'audit-tencent-dev']);
    expect(ids({ regions: ['ap-guangzhou', 'ap-shanghai'] })).toEqual(['audit-ap-guangzhou', 'audit-ap-shanghai']);
    expect(ids({ credentials: 'tencent-prod', region: 'ap-guangzhou' })).toEqual(['audit']);
    expect(ids({ credentials: ['tencent-prod'], regions: ['ap-guangzhou'] })).toEqual(['audit-tencent-prod-ap-guangzhou']);
  });

  it('gives each instance expanded over regions alone a per-instance set of its own, as a written entry would have', () => {
    const config = parse({ sources: [{ ...audit, regions: ['ap-guangzhou', 'ap-shanghai'] }] });
    expect(config.credentialSets.map(({ name, perInstance }) => ({ name, perInstance }))).toEqual([
      { name: 'audit-ap-guangzhou', perInstance: true },
      { name: 'audit-ap-shanghai', perInstance: true },
    ]);
  });

  it('keeps a 200-account configuration short: 2 entries, 100 sets, 200 instances with distinct ids and the right sets', () => {
    const accounts = Array.from({ length: 100 }, (_, index) => `acct-${String(index + 1).padStart(3, '0')}`);
    const config = parse({
      credentials: Object.fromEntries(accounts.map((name) => [name, { vendor: 'tencent' }])),
      defaults: { 'tencent-cloudaudit': { schedule: 'rate(10 minutes)' } },
      sources: [
        { id: 'audit', type: 'tencent-cloudaudit', credentials: accounts, region: 'ap-guangzhou' },
        { id: 'certs', type: 'tencent-ssl', credentials: accounts },
      ],
    });
    expect(config.sources).toHaveLength(200);
    expect(new Set(config.sources.map((source) => source.id)).size).toBe(200);
    expect(config.sources[0]).toMatchObject({ id: 'audit-acct-001', type: 'tencent-cloudaudit', credentialSet: 'acct-001', schedule: 'rate(10 minutes)' });
    expect(config.sources[199]).toMatchObject({ id: 'certs-acct-100', type: 'tencent-ssl', credentialSet: 'acct-100', schedule: 'rate(5 minutes)' });
    expect(config.sources.every((source) => source.id.endsWith(source.credentialSet))).toBe(true);
    // One set per account, none per instance.
    expect(config.credentialSets).toHaveLength(100);
    expect(config.credentialSets.every((set) => !set.perInstance)).toBe(true);
  });

  it.each([
    {
      name: 'region and regions together',
      sources: [{ ...audit, region: 'ap-guangzhou', regions: ['ap-shanghai'] }],
      expected: ['sources[0] (audit).regions: set region or regions, not both'],
    },
    { name: 'an empty regions list', sources: [{ ...audit, regions: [] }], expected: ['sources[0].regions: expected at least one region'] },
    { name: 'regions that are not a list', sources: [{ ...audit, regions: 'ap-guangzhou' }], expected: ['sources[0].regions: expected a list of regions, e.g. [ap-guangzhou, ap-shanghai]'] },
    {
      name: 'a region that cannot be part of an id',
      sources: [{ ...audit, regions: ['ap-guangzhou', 'AP_Shanghai'] }],
      expected: ['sources[0] (audit).regions[1]: "AP_Shanghai" becomes part of the instance ids; expected lowercase letters, digits and single hyphens, e.g. ap-guangzhou'],
    },
    {
      name: 'a region listed twice',
      sources: [{ ...audit, regions: ['ap-guangzhou', 'ap-guangzhou'] }],
      expected: ['sources[0] (audit).id: expanded id "audit-ap-guangzhou" comes out twice: a set or region is listed twice'],
    },
    {
      name: 'an expanded id another entry has too',
      sources: [
        { ...audit, credentials: ['tencent-prod'], regions: ['ap-guangzhou'] },
        { ...audit, id: 'audit-tencent-prod', regions: ['ap-guangzhou'] },
      ],
      expected: ['sources[1] (audit-tencent-prod).id: expanded id "audit-tencent-prod-ap-guangzhou" is already a source id of sources[0]'],
    },
    {
      name: 'a written id an earlier entry expanded to',
      sources: [
        { ...audit, regions: ['ap-guangzhou'] },
        { ...audit, id: 'audit-ap-guangzhou', region: 'ap-guangzhou' },
      ],
      expected: ['sources[1] (audit-ap-guangzhou).id: duplicate source id "audit-ap-guangzhou"'],
    },
    {
      name: 'an expanded id over 63 characters',
      sources: [{ ...audit, id: 'cloudaudit-of-the-payments-platform-team', credentials: ['tencent-prod'], regions: ['ap-southeast-1'] }],
      expected: [
        'sources[0] (cloudaudit-of-the-payments-platform-team).id: expanded id "cloudaudit-of-the-payments-platform-team-tencent-prod-ap-southeast-1" has 68 characters; at most 63',
      ],
    },
  ])('refuses $name, naming the entry, its id and the expanded id', ({ sources, expected }) => {
    expect(problems({ credentials, sources })).toEqual(expected);
  });

  it('reports every mistake of sets, defaults, expansion and sources in one pass', () => {
    expect(
      problems({
        credentials: { 'tencent-prod': tencentProd, 'ucloud-main': { vendor: 'ucloud', env: { publickey: 'PK' } } },
        defaults: { 'tencent-cloudaudit': { credentials: 'tencent-prod', shedule: 'rate(5 minutes)' }, 'tencent-sl': {} },
        sources: [
          { ...audit, region: 'ap-guangzhou', regions: ['ap-shanghai'] },
          { id: 'certs', type: 'tencent-ssl', credentials: ['tencent-prod', 'tencent-prd'] },
          { id: 'ops', type: 'ucloud-operations', credentials: 'tencent-prod', regions: ['cn-bj2'] },
          { ...audit, id: 'audit-ap-shanghai', region: 'ap-shanghai' },
        ],
        deployment: { reservedConcurrencyPerSource: 2 },
      }),
    ).toEqual([
      'sources[0] (audit).regions: set region or regions, not both',
      'sources[1] (certs).credentials[1]: unknown credential set "tencent-prd"; did you mean "tencent-prod"? declared sets: tencent-prod, ucloud-main',
      'sources[2] (ops).credentials: set "tencent-prod" holds tencent credentials; ucloud-operations needs ucloud credentials',
      'sources[3] (audit-ap-shanghai).id: duplicate source id "audit-ap-shanghai"',
      'credentials.ucloud-main.env.publickey: ucloud credentials take publicKey, privateKey; did you mean "publicKey"?',
      'defaults.tencent-cloudaudit.shedule: unknown key; did you mean "schedule"?',
      expect.stringMatching(/^defaults\.tencent-sl: unknown source type "tencent-sl"; did you mean "tencent-ssl"\? /),
      'deployment.reservedConcurrencyPerSource: replaced by deployment.concurrency (runs at once per source type); see docs/scale.md#upgrading',
    ]);
  });
});
