import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfig } from '../../shared/config/load';
import { ConfigError } from '../../shared/lib/errors';
import { registry } from '../../shared/providers/registry';

const cloudaudit = { id: 'audit-gz', type: 'tencent-cloudaudit', region: 'ap-guangzhou' };

function problems(data: unknown): string[] {
  try {
    parseConfig(data, registry, 'test.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected the configuration to be refused');
}

describe('parseConfig', () => {
  it('fills the provider defaults and the default destination', () => {
    const config = parseConfig({ sources: [cloudaudit] }, registry);
    expect(config.sources).toEqual([
      {
        id: 'audit-gz',
        type: 'tencent-cloudaudit',
        region: 'ap-guangzhou',
        schedule: 'rate(5 minutes)',
        lagSeconds: 600,
        start: { lookbackSeconds: 86_400 },
        endpoint: undefined,
        credentialEnv: { secretId: 'TENCENTCLOUD_SECRET_ID', secretKey: 'TENCENTCLOUD_SECRET_KEY', token: 'TENCENTCLOUD_SESSION_TOKEN' },
        enabled: true,
        options: { lookupAttributes: [], returnLocation: false },
      },
    ]);
    expect(config.destination).toMatchObject({ type: 's3', prefix: 'cloudtap/', bufferSeconds: 300 });
    expect(config.local).toEqual({ stateDir: '.cloudtap/state', output: '.cloudtap/events.ndjson', sink: { type: 'file' } });
  });

  it('takes an absolute start, a custom schedule, lag and credential variables', () => {
    const [source] = parseConfig(
      {
        sources: [
          { ...cloudaudit, start: '2026-01-01T00:00:00Z', schedule: 'rate(1 hour)', lag: '30m', credentials: { env: { secretId: 'MY_ID' } } },
        ],
      },
      registry,
    ).sources;
    expect(source).toMatchObject({ start: { at: 1_767_225_600 }, schedule: 'rate(1 hour)', lagSeconds: 1800 });
    expect(source!.credentialEnv.secretId).toBe('MY_ID');
  });

  it.each([
    { name: 'no sources', data: { sources: [] }, expected: ['sources: configure at least one source'] },
    { name: 'an unknown type', data: { sources: [{ id: 'x1', type: 'aws-cloudtrail' }] }, expected: [/sources\[0\] \(x1\)\.type: unknown source type "aws-cloudtrail"; known types: .*tencent-cloudaudit/] },
    { name: 'a duplicate id', data: { sources: [cloudaudit, cloudaudit] }, expected: ['sources[1] (audit-gz).id: duplicate source id "audit-gz"'] },
    { name: 'a bad id', data: { sources: [{ ...cloudaudit, id: 'Audit_GZ' }] }, expected: [/^sources\[0\]\.id: expected 2-48 lowercase/] },
    { name: 'a bad lag', data: { sources: [{ ...cloudaudit, lag: 'soon' }] }, expected: ['sources[0].lag: expected a duration such as 30s, 10m, 6h or 7d'] },
    { name: 'a plural rate of one', data: { sources: [{ ...cloudaudit, schedule: 'rate(1 minutes)' }] }, expected: [/^sources\[0\]\.schedule: expected an EventBridge schedule/] },
    { name: 'a bad start', data: { sources: [{ ...cloudaudit, start: 'last tuesday' }] }, expected: [/^sources\[0\]\.start: expected a lookback/] },
    { name: 'a missing region', data: { sources: [{ id: 'a1', type: 'tencent-cloudaudit' }] }, expected: ['sources[0] (a1).region: required for tencent-cloudaudit'] },
    { name: 'an unknown option', data: { sources: [{ ...cloudaudit, options: { maxResults: 100 } }] }, expected: [/^sources\[0\] \(audit-gz\)\.options: Unrecognized key: "maxResults"/] },
    { name: 'an unknown credential field', data: { sources: [{ ...cloudaudit, credentials: { env: { password: 'PW' } } }] }, expected: [/credentials\.env\.password: tencent-cloudaudit takes secretId, secretKey, token/] },
    { name: 'a bad endpoint', data: { sources: [{ ...cloudaudit, endpoint: 'not a url' }] }, expected: [/^sources\[0\]\.endpoint: /] },
  ])('names the problem with its path: $name', ({ data, expected }) => {
    const found = problems(data);
    expect(found).toHaveLength(expected.length);
    expected.forEach((pattern, index) => (typeof pattern === 'string' ? expect(found[index]).toBe(pattern) : expect(found[index]).toMatch(pattern)));
  });

  it('reports every problem at once, shape errors and unknown types together', () => {
    expect(problems({ sources: [{ ...cloudaudit, lag: 'x' }, { id: 'x2', type: 'nope' }] })).toEqual([
      'sources[0].lag: expected a duration such as 30s, 10m, 6h or 7d',
      expect.stringMatching(/^sources\[1\]\.type: unknown source type "nope"/),
    ]);
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

  it('names the file when it is missing or not YAML', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cloudtap-config-'));
    await writeFile(join(dir, 'broken.yaml'), 'sources: [\n  - id: "unterminated\n');
    await expect(loadConfigFile(join(dir, 'missing.yaml'), registry)).rejects.toThrow(/missing\.yaml:\n  - cannot read the file/);
    await expect(loadConfigFile(join(dir, 'broken.yaml'), registry)).rejects.toThrow(/broken\.yaml:\n  - not valid YAML or JSON/);
  });

  it('accepts the example configuration shipped in the repository', async () => {
    const config = await loadConfigFile(new URL('../../cloudtap.example.yaml', import.meta.url).pathname, registry);
    expect(config.sources.map((source) => source.type)).toContain('tencent-cloudaudit');
  });
});
