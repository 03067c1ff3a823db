import { describe, expect, it } from 'vitest';
import { registry } from '../../shared/providers/registry';
import { parse, problems, tencentProd } from './support';

const audit = { id: 'audit-gz', type: 'tencent-cloudaudit', region: 'ap-guangzhou' };
const dbssIds = { projectId: '0a1b2c3d4e5f60718293a4b5c6d7e8f9', instanceId: '8f2c9a61d4b7e05312fa6c8b9d0e7a41in01' };
const KNOWN_TYPES = [...registry.keys()].join(', ');
const DEFAULTS_KEYS = 'region, regions, schedule, lag, start, endpoint, credentials, options';

describe('defaults per source type', () => {
  it('puts the instance before defaults.<type>, and defaults.<type> before the definition', () => {
    const [instance] = parse({
      defaults: { 'tencent-cloudaudit': { schedule: 'rate(10 minutes)', lag: '15m', options: { returnLocation: true } } },
      sources: [{ ...audit, lag: '30m' }],
    }).sources;
    // schedule from defaults, lag from the instance, start from the definition (1d).
    expect(instance).toMatchObject({ schedule: 'rate(10 minutes)', lagSeconds: 1800, start: { lookbackSeconds: 86_400 } });
    expect(instance!.options).toEqual({ lookupAttributes: [], returnLocation: true });
  });

  it('merges options shallowly, the instance keys winning', () => {
    const data = {
      defaults: { 'huawei-dbss': { region: 'cn-north-4', options: { projectId: dbssIds.projectId, pageSize: 50, action: 'DELETE' } } },
      sources: [{ id: 'dbss-a', type: 'huawei-dbss', options: { instanceId: dbssIds.instanceId, pageSize: 20 } }],
    };
    expect(parse(data).sources[0]).toMatchObject({
      region: 'cn-north-4',
      options: { projectId: dbssIds.projectId, instanceId: dbssIds.instanceId, pageSize: 20, action: 'DELETE', authMode: 'aksk' },
    });
  });

  it('applies only to its own type', () => {
    const config = parse({ defaults: { 'tencent-ssl': { schedule: 'rate(1 hour)' } }, sources: [audit, { id: 'certs', type: 'tencent-ssl' }] });
    expect(config.sources.map((source) => source.schedule)).toEqual(['rate(5 minutes)', 'rate(1 hour)']);
  });

  it("gives a type's instances its credential set, unless an instance names its own credentials", () => {
    const config = parse({
      credentials: { 'tencent-prod': tencentProd },
      defaults: { 'tencent-cloudaudit': { credentials: 'tencent-prod' } },
      sources: [audit, { ...audit, id: 'audit-sh', region: 'ap-shanghai', credentials: { env: { secretId: 'SH_ID' } } }],
    });
    expect(config.sources.map((source) => source.credentialSet)).toEqual(['tencent-prod', 'audit-sh']);
    expect(config.credentialSets.map((set) => `${set.name}:${set.perInstance}`)).toEqual(['tencent-prod:false', 'audit-sh:true']);
  });

  it('counts region and regions as one field: an instance with either keeps its own', () => {
    const config = parse({
      defaults: { 'tencent-cloudaudit': { regions: ['ap-guangzhou', 'ap-shanghai'] } },
      sources: [{ id: 'audit', type: 'tencent-cloudaudit' }, { id: 'audit-bj', type: 'tencent-cloudaudit', region: 'ap-beijing' }],
    });
    expect(config.sources.map((source) => `${source.id}@${source.region}`)).toEqual([
      'audit-ap-guangzhou@ap-guangzhou',
      'audit-ap-shanghai@ap-shanghai',
      'audit-bj@ap-beijing',
    ]);
  });

  it('leaves a partial set of options to the instances: what they must set is not missing from the defaults', () => {
    const config = parse({ defaults: { 'huawei-dbss': { options: { authMode: 'token' } } }, sources: [{ id: 'dbss-a', type: 'huawei-dbss', region: 'cn-north-4', options: dbssIds }] });
    expect(config.sources[0]!.options).toMatchObject({ ...dbssIds, authMode: 'token' });
  });

  it.each([
    {
      name: 'a misspelt source type',
      defaults: { 'tencent-cloudadit': { schedule: 'rate(10 minutes)' } },
      expected: [`defaults.tencent-cloudadit: unknown source type "tencent-cloudadit"; did you mean "tencent-cloudaudit"? known types: ${KNOWN_TYPES}`],
    },
    { name: 'an id', defaults: { 'tencent-cloudaudit': { id: 'x1' } }, expected: [`defaults.tencent-cloudaudit.id: unknown key; expected one of ${DEFAULTS_KEYS}`] },
    { name: 'enabled', defaults: { 'tencent-cloudaudit': { enabled: false } }, expected: [`defaults.tencent-cloudaudit.enabled: unknown key; expected one of ${DEFAULTS_KEYS}`] },
    { name: 'a misspelt field', defaults: { 'tencent-cloudaudit': { shedule: 'rate(5 minutes)' } }, expected: ['defaults.tencent-cloudaudit.shedule: unknown key; did you mean "schedule"?'] },
    { name: 'a bad schedule', defaults: { 'tencent-cloudaudit': { schedule: 'rate(1 minutes)' } }, expected: ['defaults.tencent-cloudaudit.schedule: EventBridge wants the singular unit for 1: "rate(1 minute)"'] },
    {
      name: 'a misspelt option',
      defaults: { 'tencent-cloudaudit': { options: { returnLocaton: true } } },
      expected: ['defaults.tencent-cloudaudit.options.returnLocaton: unknown key; did you mean "returnLocation"?'],
    },
    { name: 'a start beyond retention', defaults: { 'tencent-cloudaudit': { start: '400d' } }, expected: ['defaults.tencent-cloudaudit.start: 400d is beyond what tencent-cloudaudit keeps (90d)'] },
    {
      name: 'an unknown credential set',
      defaults: { 'tencent-cloudaudit': { credentials: 'tencent-prd' } },
      expected: ['defaults.tencent-cloudaudit.credentials: unknown credential set "tencent-prd"; no set is declared under credentials'],
    },
    { name: 'region and regions', defaults: { 'tencent-cloudaudit': { region: 'ap-guangzhou', regions: ['ap-shanghai'] } }, expected: ['defaults.tencent-cloudaudit.regions: set region or regions, not both'] },
    { name: 'fields that are not a map', defaults: { 'tencent-cloudaudit': 'rate(5 minutes)' }, expected: ['defaults.tencent-cloudaudit: expected instance fields, e.g. { schedule: rate(10 minutes), credentials: <set> }'] },
    { name: 'a list', defaults: [{ schedule: 'rate(5 minutes)' }], expected: ['defaults: expected a map of source types to instance fields, e.g. <type>: { schedule: rate(10 minutes) }'] },
  ])('refuses $name, once, however many instances inherit it', ({ defaults, expected }) => {
    expect(problems({ defaults, sources: [audit, { ...audit, id: 'audit-sh', region: 'ap-shanghai' }] })).toEqual(expected);
  });
});
