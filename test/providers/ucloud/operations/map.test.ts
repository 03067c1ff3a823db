import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contentEventId } from '../../../../shared/core/event-id';
import {
  mapUCloudOperationRecord,
  operationEventTime,
  type UCloudOperationRecord,
} from '../../../../shared/providers/ucloud/operations/map';
import { generateOperationEvents } from '../../../../simulators/ucloud/operations/events';

const seed = JSON.parse(readFileSync(new URL('../../../fixtures/ucloud-operations/get-user-operation-events-seed.json', import.meta.url), 'utf8'));
const seedRecord: UCloudOperationRecord = seed.Events[0];
const context = { occurrence: 0 };

function record(overrides: Partial<UCloudOperationRecord> = {}): UCloudOperationRecord {
  return {
    Api: 'TerminateUHostInstance',
    IsSuccess: true,
    OperateTime: 1763683200,
    Region: 'cn-bj2',
    RelatedResource: [{ ResourceId: 'uhost-abc12345', ResourceName: 'web-01' }],
    UserEmail: 'carol@example.com',
    UserName: 'ops-carol',
    ...overrides,
  };
}

describe('mapUCloudOperationRecord', () => {
  it('maps the documented example payload', () => {
    const doc = mapUCloudOperationRecord(seedRecord, context, { projectId: 'DybfOwNo' });
    expect(doc).toEqual({
      '@timestamp': '1970-01-01T00:00:02.000Z',
      event: {
        id: contentEventId('ucloud-operations', seedRecord, 0),
        kind: 'event',
        category: ['api'],
        type: ['change'],
        action: 'kNELMpfb',
        outcome: 'success',
        provider: 'ulog',
      },
      cloud: { provider: 'ucloud', region: 'sLtsxECu', project: { id: 'DybfOwNo' } },
      user: { name: 'MMmTomWP', email: 'oZHZSIVq' },
      related: { user: ['MMmTomWP', 'oZHZSIVq'] },
      cloudtap: {
        resource: { name: 'yVfCJcnu', ids: ['HcWkaBoa'], names: ['yVfCJcnu'] },
        ucloud: { related_resources: [{ id: 'HcWkaBoa', name: 'yVfCJcnu' }] },
      },
    });
  });

  it.each([
    {
      name: 'terminating a host is a deletion of a uhost resource',
      input: record(),
      expected: {
        event: { category: ['api'], type: ['deletion'], action: 'TerminateUHostInstance', outcome: 'success' },
        cloudtap: { resource: { type: 'uhost', name: 'web-01', ids: ['uhost-abc12345'], names: ['web-01'] } },
      },
    },
    {
      name: 'a failed call is a failure',
      input: record({ Api: 'StopUHostInstance', IsSuccess: false }),
      expected: { event: { type: ['change'], outcome: 'failure' } },
    },
    {
      name: 'no IsSuccess is an unknown outcome',
      input: record({ IsSuccess: undefined }),
      expected: { event: { outcome: 'unknown' } },
    },
    {
      name: 'creating an access key is an IAM creation, without a region',
      input: record({ Api: 'CreateAccessKey', Region: '', RelatedResource: [{ ResourceId: 'abcd1234-ef56-7890', ResourceName: 'api key' }] }),
      expected: { event: { category: ['api', 'iam'], type: ['creation'] }, cloud: { provider: 'ucloud' } },
    },
    {
      name: 'UAccount project and member changes are IAM',
      input: record({ Api: 'RemoveMemberFromProject', RelatedResource: [] }),
      expected: { event: { category: ['api', 'iam'], type: ['deletion'] } },
    },
    {
      name: 'an IAM action missing from the list is still IAM',
      input: record({ Api: 'RotateAccessKeyV2' }),
      expected: { event: { category: ['api', 'iam'] } },
    },
    {
      name: 'binding an EIP to a host keeps both resources, paired, with no common type',
      input: record({
        Api: 'BindEIP',
        RelatedResource: [
          { ResourceId: 'eip-xyz', ResourceName: '' },
          { ResourceId: 'uhost-abc', ResourceName: 'web-01' },
        ],
      }),
      expected: {
        event: { type: ['creation'] },
        cloudtap: {
          resource: { name: 'web-01', ids: ['eip-xyz', 'uhost-abc'], names: ['web-01'] },
          ucloud: { related_resources: [{ id: 'eip-xyz' }, { id: 'uhost-abc', name: 'web-01' }] },
        },
      },
    },
    {
      name: 'a console login is an authentication start',
      input: record({ Api: 'Login', RelatedResource: null }),
      expected: { event: { category: ['api', 'authentication'], type: ['start'] } },
    },
    {
      name: 'a string OperateTime of digits is accepted',
      input: record({ OperateTime: '1763683200' }),
      expected: { '@timestamp': '2025-11-21T00:00:00.000Z' },
    },
  ])('$name', ({ input, expected }) => {
    const doc = mapUCloudOperationRecord(input, context);
    expect(doc).toMatchObject(expected);
    expect(doc.event.id).toMatch(/^[0-9a-f]{32}$/);
    expect(doc.cloud?.project).toBeUndefined();
  });

  it('leaves out empty fields rather than writing empty values', () => {
    const doc = mapUCloudOperationRecord({ Api: 'ReleaseEIP', OperateTime: 1763683200, RelatedResource: [] }, context);
    expect(doc.user).toBeUndefined();
    expect(doc.related).toBeUndefined();
    expect(doc.cloud).toEqual({ provider: 'ucloud' });
    expect(doc.cloudtap?.resource).toBeUndefined();
    expect(doc.cloudtap?.ucloud).toBeUndefined();
  });

  it('gives identical records distinct, deterministic ids by occurrence', () => {
    const a = mapUCloudOperationRecord(record(), context);
    const b = mapUCloudOperationRecord(record(), { ...context, occurrence: 1 });
    expect(a.event.id).not.toBe(b.event.id);
    expect(mapUCloudOperationRecord(structuredClone(record()), context).event.id).toBe(a.event.id);
    expect(mapUCloudOperationRecord(record({ UserName: 'dev-bob' }), context).event.id).not.toBe(a.event.id);
  });

  it.each([
    ['no OperateTime', { Api: 'X' }],
    ['a non-numeric OperateTime', { Api: 'X', OperateTime: 'yesterday' }],
    ['RelatedResource that is not a list', { Api: 'X', OperateTime: 1, RelatedResource: { ResourceId: 'x' } }],
  ])('throws on %s (the core then ships the record raw)', (_name, input) => {
    expect(() => mapUCloudOperationRecord(input as UCloudOperationRecord, context)).toThrow();
  });

  it('maps every generated record to a valid document', () => {
    const events = generateOperationEvents({ count: 500, from: 1763600000, to: 1763683200, seed: 9 });
    for (const { record: raw } of events) {
      const doc = mapUCloudOperationRecord(raw, context);
      expect(doc['@timestamp']).toBe(new Date(operationEventTime(raw) * 1000).toISOString());
      expect(doc.event.action).toBe(raw.Api);
      expect(doc.event.outcome).toBe(raw.IsSuccess ? 'success' : 'failure');
      expect((doc.cloudtap?.resource as { ids?: string[] } | undefined)?.ids).toEqual(raw.RelatedResource.map((resource) => resource.ResourceId));
      expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
    }
    const categories = new Set(events.map((e) => [mapUCloudOperationRecord(e.record, context).event.category].flat().join(',')));
    expect(categories).toEqual(new Set(['api', 'api,iam']));
  });
});
