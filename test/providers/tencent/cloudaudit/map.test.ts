import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapCloudAuditRecord, type CloudAuditRecord } from '../../../../shared/providers/tencent/cloudaudit/map';

const seed = JSON.parse(
  readFileSync(new URL('../../../fixtures/tencent-cloudaudit/describe-events-seed.json', import.meta.url), 'utf8'),
);
const seedRecord: CloudAuditRecord = seed.Response.Events[0];
const context = { occurrence: 0 };

/** A CloudAudit record built like the API's, with the inner JSON strings encoded as the API encodes them. */
function record(overrides: Partial<CloudAuditRecord>, inner: Record<string, unknown> = {}, session: Record<string, unknown> = {}) {
  const cloudAuditEvent = {
    userIdentity: {
      principalId: '200000000001',
      accountId: '100000000000',
      secretId: 'AKIDexampleKeyId',
      type: 'CAMUser',
      userName: 'alice',
      sessionContext: JSON.stringify({ userIp: '203.0.113.7', uin: 200000000001, ownerUin: 100000000000, mfa: 0, ...session }),
    },
    eventID: 'inner-id-1',
    actionType: 'Write',
    errorCode: '0',
    apiErrorCode: '0',
    requestParameters: JSON.stringify({ UserName: 'bob' }),
    resources: JSON.stringify(['qcs::cam::uin/100000000000:uin/300000000001']),
    eventType: 'ApiCall',
    ...inner,
  };
  return {
    EventName: 'CreateAccessKey',
    EventTime: 1763683200,
    ErrorCode: 0,
    Username: 'alice',
    SourceIPAddress: '203.0.113.7',
    EventRegion: 'ap-guangzhou',
    Resources: { ResourceType: 'cam', ResourceName: 'bob' },
    CloudAuditEvent: JSON.stringify(cloudAuditEvent),
    ...overrides,
  } satisfies CloudAuditRecord;
}

describe('mapCloudAuditRecord', () => {
  it('maps the documented example payload', () => {
    const doc = mapCloudAuditRecord(seedRecord, context);
    expect(doc).toMatchObject({
      '@timestamp': '2021-01-15T07:35:55.000Z',
      event: {
        id: 'c8c04477-eb9e-4703-84ae-f8758c6084ff',
        kind: 'event',
        category: ['api'],
        type: ['access'],
        action: 'LookUpEvents',
        outcome: 'success',
        provider: 'cloudaudit.ap-chongqing.api.tencentyun.com',
      },
      cloud: { provider: 'tencentcloud', account: { id: '100000000000' }, region: 'ap-guangzhou', service: { name: 'cloudaudit' } },
      user: { id: '100000000000', name: 'root' },
      source: { ip: '9.83.55.32' },
      user_agent: { original: 'SDK_NODEJS_0.2.1' },
      http: { request: { method: 'POST' } },
      related: { user: ['root', '100000000000'], ip: ['9.83.55.32', '163.177.68.30'] },
      cloudtap: {
        resource: { type: 'cloudaudit' },
        tencent: {
          identity_type: 'Root',
          event_type: 'ConsoleCall',
          action_type: 'Read',
          mfa: false,
          session_ip: '163.177.68.30',
          request_parameters: { Region: 'ap-guangzhou', Action: 'LookUpEvents', MaxResults: '20' },
        },
      },
    });
    expect(doc.error).toBeUndefined();
  });

  it.each([
    {
      name: 'a successful access key creation is an IAM creation',
      input: record({}),
      expected: { event: { category: ['api', 'iam'], type: ['creation'], outcome: 'success', action: 'CreateAccessKey' } },
    },
    {
      name: 'a denied call is a failure with the CAM error code',
      input: record({ EventName: 'AttachUserPolicy', ErrorCode: 403 }, {
        apiErrorCode: 'AuthFailure.UnauthorizedOperation',
        apiErrorMessage: 'not authorized',
      }),
      expected: {
        event: { category: ['api', 'iam'], type: ['creation', 'denied'], outcome: 'failure' },
        error: { code: 'AuthFailure.UnauthorizedOperation', message: 'not authorized' },
      },
    },
    {
      name: 'stopping audit logging is a change',
      input: record({ EventName: 'StopLogging', Resources: { ResourceType: 'cloudaudit', ResourceName: 'audit-1' } }, { sensitiveAction: 'true' }),
      expected: {
        event: { category: ['api'], type: ['change'] },
        cloudtap: { resource: { type: 'cloudaudit', name: 'audit-1' }, tencent: { sensitive_action: 'true' } },
      },
    },
    {
      name: 'a console login is an authentication event',
      input: record({ EventName: 'ConsoleLogin', Resources: { ResourceType: 'account', ResourceName: '' } }),
      expected: { event: { category: ['api', 'authentication'] } },
    },
    {
      name: 'an explicit EventId wins over the inner one',
      input: record({ EventId: 'outer-id-9' }),
      expected: { event: { id: 'outer-id-9' } },
    },
    {
      name: 'resource ids come from the nested resources list',
      input: record({}),
      expected: { cloudtap: { resource: { ids: ['qcs::cam::uin/100000000000:uin/300000000001'] } } },
    },
    {
      name: 'MFA sessions are marked',
      input: record({}, {}, { mfa: 1 }),
      expected: { cloudtap: { tencent: { mfa: true } } },
    },
  ])('$name', ({ input, expected }) => {
    expect(mapCloudAuditRecord(input, context)).toMatchObject(expected);
  });

  it('keeps a record whose nested JSON does not decode, flagged', () => {
    const doc = mapCloudAuditRecord(record({ CloudAuditEvent: '{"userIdentity": {trunc' }), context);
    expect(doc.tags).toEqual(['cloudtap_decode_error']);
    expect(doc.cloudtap?.decode_errors).toEqual(['CloudAuditEvent']);
    expect(doc.event.action).toBe('CreateAccessKey');
    expect(doc.user?.name).toBe('alice');
  });

  it('leaves out a source address that is not an IP rather than break the index mapping', () => {
    const doc = mapCloudAuditRecord(record({ SourceIPAddress: 'internal-call' }, { sourceIPAddress: '' }), context);
    expect(doc.source).toBeUndefined();
  });

  it.each([undefined, 'yesterday', 0, -5])('rejects event time %j', (time) => {
    expect(() => mapCloudAuditRecord(record({ EventTime: time as never }), context)).toThrow(/EventTime|unix seconds/);
  });

  it('gives records with no id a deterministic content id', () => {
    const a = record({ CloudAuditEvent: JSON.stringify({ actionType: 'Read' }) });
    const b = record({ CloudAuditEvent: JSON.stringify({ actionType: 'Read' }), EventTime: 1763683201 });
    const idA = mapCloudAuditRecord(a, context).event.id;
    expect(mapCloudAuditRecord(structuredClone(a), context).event.id).toBe(idA);
    expect(mapCloudAuditRecord(b, context).event.id).not.toBe(idA);
    expect(idA).toMatch(/^[0-9a-f]{32}$/);
  });
});
