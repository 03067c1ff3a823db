import { describe, expect, it } from 'vitest';
import { benchApis } from '../../bench/apis';
import { definitions } from '../../shared/providers/registry';
import { splunkSourcetypes } from '../../shared/providers/siem';

describe('splunkSourcetypes', () => {
  const sourcetypeOf = splunkSourcetypes(definitions);

  it.each([
    ['tencent-cloudaudit', 'tencentcloud:cloudaudit'],
    ['tencent-ssl', 'tencentcloud:ssl'],
    ['ucloud-operations', 'ucloud:operations'],
    ['huawei-dbss', 'huaweicloud:dbss'],
    ['acme-audit', 'cloudtap:acme-audit'],
  ])('%s -> %s', (type, sourcetype) => expect(sourcetypeOf(type)).toBe(sourcetype));

  it('has a sourcetype for every API in the registry, each its own', () => {
    for (const api of benchApis) expect(sourcetypeOf(api.type)).not.toMatch(/^cloudtap:/);
    expect(new Set(definitions.map((definition) => sourcetypeOf(definition.type))).size).toBe(definitions.length);
  });
});
