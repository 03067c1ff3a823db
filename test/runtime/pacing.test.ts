/**
 * Local pacing: instances that share a rate-limit key share one in-process
 * pacer, so together they stay within what one key may send; grants are
 * counted on a fake clock, never by wall-clock timing.
 */
import { describe, expect, it } from 'vitest';
import type { SourceInstanceConfig } from '../../shared/providers/definition';
import { cloudAuditDefinition } from '../../shared/providers/tencent/cloudaudit/definition';
import { ucloudOperationsDefinition } from '../../shared/providers/ucloud/operations/definition';
import { PacerRegistry, rateLimitOf } from '../../shared/runtime/pacing';
import { FakeClock } from '../support/fake-clock';

function instance(id: string, type: string, credentialSet: string, extra: Partial<SourceInstanceConfig> = {}): SourceInstanceConfig {
  return {
    id,
    type,
    schedule: 'rate(5 minutes)',
    lagSeconds: 60,
    start: { lookbackSeconds: 3600 },
    credentialSet,
    credentialEnv: {},
    enabled: true,
    options: {},
    ...extra,
  };
}

describe('rateLimitOf', () => {
  it('keys an instance by type, credential set and the scope its definition names, at the documented rate', () => {
    const audit = instance('audit-gz', 'tencent-cloudaudit', 'tencent-prod', { region: 'ap-guangzhou', endpoint: 'cloudaudit.ap-guangzhou.tencentcloudapi.com' });
    expect(rateLimitOf(cloudAuditDefinition, audit)).toEqual({
      key: 'tencent-cloudaudit#tencent-prod#cloudaudit.ap-guangzhou.tencentcloudapi.com',
      requestsPerSecond: 20,
    });
  });
});

describe('PacerRegistry', () => {
  it('gives instances with equal keys one pacer and other keys their own', () => {
    const pacers = new PacerRegistry(new FakeClock());
    const endpoint = 'cloudaudit.ap-guangzhou.tencentcloudapi.com';
    const a = pacers.forInstance(cloudAuditDefinition, instance('a', 'tencent-cloudaudit', 'prod', { endpoint }));
    const b = pacers.forInstance(cloudAuditDefinition, instance('b', 'tencent-cloudaudit', 'prod', { endpoint, options: { lookupAttribute: 'x' } }));
    const otherSet = pacers.forInstance(cloudAuditDefinition, instance('c', 'tencent-cloudaudit', 'dev', { endpoint }));
    const otherHost = pacers.forInstance(cloudAuditDefinition, instance('d', 'tencent-cloudaudit', 'prod', { endpoint: 'cloudaudit.ap-shanghai.tencentcloudapi.com' }));
    expect(a).toBeDefined();
    expect(b).toBe(a);
    expect(otherSet).not.toBe(a);
    expect(otherHost).not.toBe(a);
    expect(otherHost).not.toBe(otherSet);
    expect(pacers.size).toBe(3);
  });

  it('holds ten instances behind one key to the documented rate together', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1), { autoAdvance: true });
    const pacers = new PacerRegistry(clock);
    // UCloud's GetOperationLogs: 5 requests per second per key.
    const shared = Array.from({ length: 10 }, (_, i) =>
      pacers.forInstance(ucloudOperationsDefinition, instance(`ops-${i}`, 'ucloud-operations', 'ucloud-prod', { options: { projectId: `org-${i}` } }))!,
    );
    const grants: number[] = [];
    await Promise.all(shared.flatMap((pacer) => Array.from({ length: 6 }, () => pacer.take().then(() => grants.push(clock.now())))));
    expect(grants).toHaveLength(60);
    const sorted = [...grants].sort((x, y) => x - y);
    for (let i = 0; i < sorted.length; i++) {
      const inSecond = sorted.filter((t) => t >= sorted[i]! && t < sorted[i]! + 1000).length;
      expect(inSecond).toBeLessThanOrEqual(5);
    }
  });
});
