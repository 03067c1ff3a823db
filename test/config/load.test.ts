import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfig } from '../../shared/config/load';
import { ConfigError } from '../../shared/lib/errors';
import { definitions, registry } from '../../shared/providers/registry';
import { simulatedApis } from '../../simulators/catalog';
import { systemClock } from '../../shared/lib/clock';
import { silentLog } from '../../shared/lib/logger';

/** The time configurations are checked at, so an absolute start's retention check does not move with the calendar. */
const NOW = Date.parse('2026-06-01T00:00:00Z');
const cloudaudit = { id: 'audit-gz', type: 'tencent-cloudaudit', region: 'ap-guangzhou' };
const dbssOptions = { projectId: '0a1b2c3d4e5f60718293a4b5c6d7e8f9', instanceId: '8f2c9a61d4b7e05312fa6c8b9d0e7a41in01' };
const UNENCRYPTED =
  'expected an https URL: plain http would carry credentials and audit logs unencrypted (http is accepted only for localhost, 127.0.0.0/8 or [::1], e.g. a simulator)';
const START_HINT = 'expected a lookback such as 7d or an ISO 8601 time such as 2026-01-01T00:00:00Z';

function problems(data: unknown): string[] {
  try {
    parseConfig(data, registry, 'test.yaml', NOW);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected the configuration to be refused');
}

const source = (changes: Record<string, unknown>) => ({ sources: [{ ...cloudaudit, ...changes }] });

describe('parseConfig', () => {
  it('fills the provider defaults and the default destination', () => {
    const config = parseConfig({ sources: [cloudaudit] }, registry, 'test.yaml', NOW);
    expect(config.sources).toEqual([
      {
        id: 'audit-gz',
        type: 'tencent-cloudaudit',
        region: 'ap-guangzhou',
        schedule: 'rate(5 minutes)',
        lagSeconds: 600,
        start: { lookbackSeconds: 86_400 },
        endpoint: undefined,
        credentialSet: 'audit-gz',
        credentialEnv: { secretId: 'TENCENTCLOUD_SECRET_ID', secretKey: 'TENCENTCLOUD_SECRET_KEY', token: 'TENCENTCLOUD_SESSION_TOKEN' },
        enabled: true,
        options: { lookupAttributes: [], returnLocation: false },
      },
    ]);
    expect(config.destination).toMatchObject({ type: 's3', prefix: 'cloudtap/', bufferSeconds: 300 });
    expect(config.local).toEqual({ stateDir: '.cloudtap/state', output: '.cloudtap/events.ndjson', sink: { type: 'file' } });
  });

  it('takes an absolute start, a custom schedule, lag and credential variables', () => {
    const [resolved] = parseConfig(
      source({ start: '2026-04-01T00:00:00Z', schedule: 'cron(0/10 * ? * MON-FRI *)', lag: '30m', credentials: { env: { secretId: 'MY_ID' } } }),
      registry,
      'test.yaml',
      NOW,
    ).sources;
    expect(resolved).toMatchObject({ start: { at: 1_775_001_600 }, schedule: 'cron(0/10 * ? * MON-FRI *)', lagSeconds: 1800 });
    expect(resolved!.credentialEnv.secretId).toBe('MY_ID');
  });

  it.each([
    { name: 'a lookback', start: '7d', expected: { lookbackSeconds: 604_800 } },
    { name: 'a lookback of the whole retention', start: '90d', expected: { lookbackSeconds: 7_776_000 } },
    { name: 'a date', start: '2026-05-01', expected: { at: 1_777_593_600 } },
    { name: 'a time with an offset', start: '2026-05-01T08:00:00+08:00', expected: { at: 1_777_593_600 } },
    { name: 'a time at the retention edge', start: '2026-03-03T00:00:00Z', expected: { at: 1_772_496_000 } },
  ])('takes a start of $name', ({ start, expected }) => {
    expect(parseConfig(source({ start }), registry, 'test.yaml', NOW).sources[0]!.start).toEqual(expected);
  });

  it.each([
    'http://127.0.0.1:9000',
    'http://localhost:9000',
    'http://[::1]:9000',
    'https://cloudaudit.intl.tencentcloudapi.com',
  ])('takes the endpoint %s (https, or plain http to a simulator on this machine)', (endpoint) => {
    expect(parseConfig(source({ endpoint }), registry, 'test.yaml', NOW).sources[0]!.endpoint).toBe(endpoint);
  });

  it.each([
    // Sources: shape.
    { name: 'no sources', data: { sources: [] }, expected: ['sources: configure at least one source'] },
    { name: 'a bad id', data: source({ id: 'Audit_GZ' }), expected: [/^sources\[0\]\.id: expected 2-48 lowercase/] },
    { name: 'a bad lag', data: source({ lag: 'soon' }), expected: ['sources[0].lag: expected a duration such as 30s, 10m, 6h or 7d'] },
    { name: 'a bad endpoint', data: source({ endpoint: 'not a url' }), expected: ['sources[0].endpoint: expected a URL such as https://api.example.com'] },
    { name: 'an endpoint over plain http', data: source({ endpoint: 'http://cloudaudit.tencentcloudapi.com' }), expected: [`sources[0].endpoint: ${UNENCRYPTED}`] },
    { name: 'an endpoint over plain http to a private address', data: source({ endpoint: 'http://10.1.2.3:8080' }), expected: [`sources[0].endpoint: ${UNENCRYPTED}`] },
    // Schedules, by EventBridge's rules.
    { name: 'a plural rate of one', data: source({ schedule: 'rate(1 minutes)' }), expected: ['sources[0].schedule: EventBridge wants the singular unit for 1: "rate(1 minute)"'] },
    {
      name: 'a Unix cron with seconds',
      data: source({ schedule: 'cron(0/10 * * * * *)' }),
      expected: [
        'sources[0].schedule: cron day-of-month and day-of-week are both set (day-of-month "*", day-of-week "*"); EventBridge needs "?" in one of them, e.g. "cron(0/10 * * * ? *)"',
      ],
    },
    { name: 'a cron minute of 99', data: source({ schedule: 'cron(99 * * * ? *)' }), expected: ['sources[0].schedule: cron minutes field "99": 99 is outside 0-59'] },
    { name: 'not a schedule', data: source({ schedule: 'hourly' }), expected: [/^sources\[0\]\.schedule: expected an EventBridge schedule such as "rate\(1 hour\)"/] },
    // Starts: strict ISO 8601, within the API's retention.
    { name: 'a start of "12" (Date.parse reads December 2001)', data: source({ start: '12' }), expected: [`sources[0].start: ${START_HINT}`] },
    { name: 'a start in words', data: source({ start: 'last tuesday' }), expected: [`sources[0].start: ${START_HINT}`] },
    { name: 'a start in US notation', data: source({ start: '05/01/2026' }), expected: [`sources[0].start: ${START_HINT}`] },
    {
      name: 'a start without its zone',
      data: source({ start: '2026-05-01T08:00:00' }),
      expected: [`sources[0].start: ${START_HINT}; a time needs its zone, e.g. 2026-05-01T08:00:00Z or 2026-05-01T08:00:00+08:00`],
    },
    { name: 'a start on a day that does not exist', data: source({ start: '2026-02-30' }), expected: [`sources[0].start: ${START_HINT}`] },
    { name: 'a lookback beyond retention', data: source({ start: '400d' }), expected: ['sources[0] (audit-gz).start: 400d is beyond what tencent-cloudaudit keeps (90d)'] },
    { name: 'a lookback a day beyond retention', data: source({ start: '91d' }), expected: ['sources[0] (audit-gz).start: 91d is beyond what tencent-cloudaudit keeps (90d)'] },
    {
      name: 'an absolute start older than retention',
      data: source({ start: '2026-01-01T00:00:00Z' }),
      expected: [
        'sources[0] (audit-gz).start: 2026-01-01T00:00:00Z is beyond what tencent-cloudaudit keeps (90d): nothing before 2026-03-03T00:00:00Z can be pulled; start only sets the first run, so a later time or a lookback such as 90d will do',
      ],
    },
    // What the definition asks.
    { name: 'a missing region', data: { sources: [{ id: 'a1', type: 'tencent-cloudaudit' }] }, expected: ['sources[0] (a1).region: required for tencent-cloudaudit'] },
    {
      name: 'an unknown option',
      data: source({ options: { maxResults: 100 } }),
      expected: ['sources[0] (audit-gz).options.maxResults: unknown key; expected one of lookupAttributes, returnLocation'],
    },
    { name: 'a misspelt option', data: source({ options: { returnLocaton: true } }), expected: ['sources[0] (audit-gz).options.returnLocaton: unknown key; did you mean "returnLocation"?'] },
    {
      name: 'an unknown credential field',
      data: source({ credentials: { env: { password: 'PW' } } }),
      expected: ['sources[0] (audit-gz).credentials.env.password: tencent-cloudaudit takes secretId, secretKey, token'],
    },
    {
      name: 'a misspelt credential field',
      data: source({ credentials: { env: { secretid: 'MY_ID' } } }),
      expected: ['sources[0] (audit-gz).credentials.env.secretid: tencent-cloudaudit takes secretId, secretKey, token; did you mean "secretId"?'],
    },
    {
      name: 'an IAM endpoint over plain http (it receives the password)',
      data: { sources: [{ id: 'dbss-bj4', type: 'huawei-dbss', region: 'cn-north-4', options: { ...dbssOptions, authMode: 'token', iamEndpoint: 'http://iam.example.com' } }] },
      expected: [`sources[0] (dbss-bj4).options.iamEndpoint: ${UNENCRYPTED}`],
    },
    { name: 'an unknown type', data: { sources: [{ id: 'x1', type: 'aws-cloudtrail' }] }, expected: [/^sources\[0\] \(x1\)\.type: unknown source type "aws-cloudtrail"; known types: .*tencent-cloudaudit/] },
    {
      name: 'a misspelt type',
      data: { sources: [{ id: 'x1', type: 'tencent-cloudadit' }] },
      expected: [/^sources\[0\] \(x1\)\.type: unknown source type "tencent-cloudadit"; did you mean "tencent-cloudaudit"\? known types: /],
    },
    { name: 'a duplicate id', data: { sources: [cloudaudit, cloudaudit] }, expected: ['sources[1] (audit-gz).id: duplicate source id "audit-gz"'] },
    // Unknown keys, at every level, with the key meant.
    { name: 'a misspelt section', data: { ...source({}), destinaton: { type: 's3' } }, expected: ['destinaton: unknown key; did you mean "destination"?'] },
    { name: 'a misspelt source key', data: source({ shedule: 'rate(5 minutes)' }), expected: ['sources[0].shedule: unknown key; did you mean "schedule"?'] },
    { name: 'an unknown source key', data: source({ interval: '5m' }), expected: ['sources[0].interval: unknown key; expected one of id, type, region, regions, schedule, lag, start, endpoint, credentials, enabled, options'] },
    { name: 'a misspelt credentials key', data: source({ credentials: { envs: {} } }), expected: ['sources[0].credentials.envs: unknown key; did you mean "env"?'] },
    { name: 'a misspelt local key', data: { ...source({}), local: { statedir: '.state' } }, expected: ['local.statedir: unknown key; did you mean "stateDir"?'] },
    { name: 'a misspelt local sink key', data: { ...source({}), local: { sink: { type: 'elasticsearch', node: 'https://es.example.com', namespce: 'lab' } } }, expected: ['local.sink.namespce: unknown key; did you mean "namespace"?'] },
    {
      name: 'a misspelt key of the destination type chosen',
      data: { ...source({}), destination: { type: 'splunk', hecEndpoint: 'https://hec.example.com', indx: 'audit' } },
      expected: ['destination.indx: unknown key; did you mean "index"?'],
    },
    {
      name: 'a key of another destination type',
      data: { ...source({}), destination: { type: 'elastic', endpointUrl: 'https://es.example.com', index: 'audit' } },
      expected: ['destination.index: unknown key; expected one of type, endpointUrl, namespace, retrySeconds, backup, backupPrefix'],
    },
    { name: 'a misspelt alerts key', data: { ...source({}), alerts: { emial: ['secops@example.com'] } }, expected: ['alerts.emial: unknown key; did you mean "email"?'] },
    { name: 'a misspelt rules key', data: { ...source({}), rules: { disable: [] } }, expected: ['rules.disable: unknown key; did you mean "disabled"?'] },
    { name: 'a misspelt monitoring key', data: { ...source({}), monitoring: { dashbord: false } }, expected: ['monitoring.dashbord: unknown key; did you mean "dashboard"?'] },
    { name: 'a misspelt deployment key', data: { ...source({}), deployment: { concurency: 20 } }, expected: ['deployment.concurency: unknown key; did you mean "concurrency"?'] },
    { name: 'two unknown keys in one object', data: source({ regoin: 'ap-guangzhou', region: undefined, lagg: '5m' }), expected: [
      'sources[0].regoin: unknown key; did you mean "region"?',
      'sources[0].lagg: unknown key; did you mean "lag"?',
      'sources[0] (audit-gz).region: required for tencent-cloudaudit',
    ] },
    // Not a configuration at all.
    { name: 'an empty file', data: null, expected: ['the configuration is empty; it needs at least a `sources` list'] },
    { name: 'a list', data: [cloudaudit], expected: ['(top level): Invalid input: expected object, received array'] },
  ])('names the problem with its path: $name', ({ data, expected }) => {
    const found = problems(data);
    expect(found).toHaveLength(expected.length);
    expected.forEach((pattern, index) => (typeof pattern === 'string' ? expect(found[index]).toBe(pattern) : expect(found[index]).toMatch(pattern)));
  });

  it('reports every mistake of a file in one pass: shape, unknown keys, unknown types, definition checks and duplicates together', () => {
    expect(
      problems({
        sources: [
          // Shape mistakes beside what the definition refuses, in the same entry.
          { id: 'audit', type: 'tencent-cloudaudit', shedule: 'rate(5 minutes)', lag: '5 minutes', start: '400d', options: { returnLocaton: true } },
          { id: 'audit', type: 'tencent-cloudaudit', region: 'ap-guangzhou', schedule: 'cron(99 * * * ? *)', credentials: { env: { secretid: 'ID' } } },
          { id: 'trail', type: 'aws-cloudtrail', endpoint: 'http://trail.example.com' },
          { id: 'ssl', type: 'tencent-ssl', start: '12' },
        ],
        destinaton: { type: 's3' },
        local: { sink: { type: 'splunk-hec', url: 'http://splunk.example.com:8088' } },
        monitoring: { maxLagMinutes: 5 },
      }),
    ).toEqual([
      'sources[0].lag: expected a duration such as 30s, 10m, 6h or 7d',
      'sources[0].shedule: unknown key; did you mean "schedule"?',
      'sources[0] (audit).region: required for tencent-cloudaudit',
      'sources[0] (audit).options.returnLocaton: unknown key; did you mean "returnLocation"?',
      'sources[0] (audit).start: 400d is beyond what tencent-cloudaudit keeps (90d)',
      'sources[1] (audit).id: duplicate source id "audit"',
      'sources[1].schedule: cron minutes field "99": 99 is outside 0-59',
      'sources[1] (audit).credentials.env.secretid: tencent-cloudaudit takes secretId, secretKey, token; did you mean "secretId"?',
      `sources[2].endpoint: ${UNENCRYPTED}`,
      `sources[2] (trail).type: unknown source type "aws-cloudtrail"; known types: ${definitions.map((definition) => definition.type).join(', ')}`,
      `sources[3].start: ${START_HINT}`,
      `local.sink.url: ${UNENCRYPTED}`,
      expect.stringMatching(/^monitoring\.maxLagMinutes: at least 10: /),
      'destinaton: unknown key; did you mean "destination"?',
    ]);
  });

  it.each([
    { type: 'tencent-cloudaudit', entry: { region: 'ap-guangzhou' }, days: 90 },
    { type: 'tencent-ssl', entry: {}, days: 90 },
    { type: 'ucloud-operations', entry: {}, days: 365 },
    { type: 'huawei-dbss', entry: { region: 'cn-north-4', options: dbssOptions }, days: 180 },
  ])('refuses a start beyond what $type keeps ($days days), and takes one at its edge', ({ type, entry, days }) => {
    const entryWith = (start: string) => ({ sources: [{ id: 'src', type, ...entry, start }] });
    expect(problems(entryWith(`${days + 1}d`))).toEqual([`sources[0] (src).start: ${days + 1}d is beyond what ${type} keeps (${days}d)`]);
    expect(parseConfig(entryWith(`${days}d`), registry, 'test.yaml', NOW).sources[0]!.start).toEqual({ lookbackSeconds: days * 86_400 });
  });

  it("refuses a start before what every registered source type's own source serves (the definition and the source agree)", () => {
    for (const api of simulatedApis) {
      const definition = registry.get(api.type)!;
      const [instance] = parseConfig({ sources: [{ id: 'src', type: api.type, ...api.instanceInput }] }, registry, 'test.yaml', NOW).sources;
      const created = definition.create({ instance: instance!, credentials: api.credentials, clock: systemClock, log: silentLog });
      expect(definition.retentionSeconds, api.type).toBe(created.retentionSeconds);
    }
  });

  it('checks an absolute start against the time it is given, not the machine clock', () => {
    const data = source({ start: '2026-05-01T00:00:00Z' });
    expect(parseConfig(data, registry, 'test.yaml', NOW).sources[0]!.start).toEqual({ at: 1_777_593_600 });
    expect(() => parseConfig(data, registry, 'test.yaml', Date.parse('2026-08-01T00:00:00Z'))).toThrow(/start: 2026-05-01T00:00:00Z is beyond what tencent-cloudaudit keeps \(90d\)/);
  });
});

describe('loadConfigFile', () => {
  it('reads YAML and JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cloudtap-config-'));
    await writeFile(join(dir, 'a.yaml'), 'sources:\n  - id: audit-gz\n    type: tencent-cloudaudit\n    region: ap-guangzhou\n');
    await writeFile(join(dir, 'a.json'), JSON.stringify({ sources: [cloudaudit] }));
    expect((await loadConfigFile(join(dir, 'a.yaml'), registry)).sources[0]!.id).toBe('audit-gz');
    expect((await loadConfigFile(join(dir, 'a.json'), registry)).sources[0]!.id).toBe('audit-gz');
  });

  it('names the file when it is missing, not YAML or empty', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cloudtap-config-'));
    await writeFile(join(dir, 'broken.yaml'), 'sources: [\n  - id: "unterminated\n');
    await writeFile(join(dir, 'empty.yaml'), '# nothing yet\n');
    await expect(loadConfigFile(join(dir, 'missing.yaml'), registry)).rejects.toThrow(/missing\.yaml:\n  - cannot read the file/);
    await expect(loadConfigFile(join(dir, 'broken.yaml'), registry)).rejects.toThrow(/broken\.yaml:\n  - not valid YAML or JSON/);
    await expect(loadConfigFile(join(dir, 'empty.yaml'), registry)).rejects.toThrow(/empty\.yaml:\n  - the configuration is empty/);
  });

  it('lists every problem on its own line, each starting with its path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cloudtap-config-'));
    const path = join(dir, 'cloudtap.yaml');
    await writeFile(
      path,
      [
        'sources:',
        '  - { id: audit, type: tencent-cloudaudit, shedule: rate(5 minutes), start: "12" }',
        '  - { id: certs, type: tencent-ssl, schedule: cron(0/10 * * * * *), endpoint: "http://ssl.example.com" }',
        'destinaton: { type: splunk }',
        'local: { sink: { type: elasticsearch, node: "http://es.example.com:9200" } }',
      ].join('\n'),
    );
    const error = await loadConfigFile(path, registry, NOW).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    const [head, ...lines] = (error as ConfigError).message.split('\n');
    expect(head).toBe(`invalid configuration in ${path}:`);
    expect(lines.map((line) => /^ {2}- ([^ :]+(?: \([a-z0-9-]+\))?[^ :]*): /.exec(line)?.[1])).toEqual([
      'sources[0].start',
      'sources[0].shedule',
      'sources[0] (audit).region',
      'sources[1].schedule',
      'sources[1].endpoint',
      'local.sink.node',
      'destinaton',
    ]);
  });

  it('accepts the example configuration shipped in the repository', async () => {
    const config = await loadConfigFile(new URL('../../cloudtap.example.yaml', import.meta.url).pathname, registry);
    expect(config.sources.map((resolved) => resolved.type)).toContain('tencent-cloudaudit');
  });
});
