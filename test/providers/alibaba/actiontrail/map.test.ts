import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { actionTrailEventTime, mapActionTrailEvent, type ActionTrailEvent } from '../../../../shared/providers/alibaba/actiontrail/map';

const documented = JSON.parse(readFileSync(new URL('../../../fixtures/alibaba-actiontrail/lookup-events-documented.json', import.meta.url), 'utf8')) as {
  Events: ActionTrailEvent[];
};
const map = (event: ActionTrailEvent) => mapActionTrailEvent(event, { occurrence: 0 });

describe('mapActionTrailEvent over the documented events', () => {
  const cases = [
    {
      name: 'LookupEvents by an assumed role (masked source IP kept as text)',
      event: documented.Events[0]!,
      expected: {
        '@timestamp': '2021-01-01T00:00:00.000Z',
        event: { id: '3462D6AF-4434-4690-8CAD-****', kind: 'event', category: ['api'], type: ['access'], action: 'LookupEvents', outcome: 'success', provider: 'actiontrail.cn-hangzhou.aliyuncs.com' },
        cloud: { provider: 'alibabacloud', account: { id: '159498693826****' }, region: 'cn-hangzhou', service: { name: 'Actiontrail' } },
        user: { id: '34359792600393****:u1', name: 'custom-role-for-actiontrail:u1' },
        source: undefined,
        alibaba: { identity_type: 'assumed-role', access_key_id: 'STS.NUQNP4PiGyckMsNiGELCs****', mfa: false, source_ip_text: '192.168.XX.XX', event_type: 'ApiCall', api_version: '2020-07-06' },
      },
    },
    {
      name: 'root console sign-in without MFA',
      event: documented.Events[1]!,
      expected: {
        '@timestamp': '2021-01-01T00:00:00.000Z',
        event: { id: '2546c4b7-6b56-403e-97d3-500d8d29****', kind: 'event', category: ['api', 'iam', 'authentication'], type: ['start'], action: 'ConsoleSignin', outcome: 'success', provider: 'http://account.aliyun.com/login/login_aliyun.htm' },
        cloud: { provider: 'alibabacloud', account: { id: '151266687691****' }, region: 'cn-hangzhou', service: { name: 'AasCustomer' } },
        user: { id: '151266687691****', name: 'root' },
        source: undefined,
        alibaba: { identity_type: 'root-account', mfa: false, login_account: 'Alice', is_global: true, event_type: 'ConsoleSignin' },
      },
    },
    {
      name: 'a RAM user updating a trail in the console, MFA authenticated',
      event: documented.Events[2]!,
      expected: {
        '@timestamp': '2016-01-06T03:29:15.000Z',
        event: { id: 'b4e23d3c-9ba7-441e-ad25-04dd2d0aeb0f', kind: 'event', category: ['api'], type: ['change'], action: 'UpdateTrail', outcome: 'success', provider: 'actiontrail.cn-hangzhou.aliyuncs.com' },
        cloud: { provider: 'alibabacloud', account: { id: '43274' }, region: undefined, service: { name: 'Actiontrail' } },
        user: { id: '288153348682784898', name: 'Bob' },
        source: { ip: '42.120.74.96' },
        alibaba: { identity_type: 'ram-user', mfa: true, audited_request_id: '3E2B90FE-0B7B-40FB-A9CE-5C80A3F1342F' },
      },
    },
    {
      name: 'a RAM user updating a trail with the CLI (its AccessKey id kept)',
      event: documented.Events[3]!,
      expected: {
        '@timestamp': '2016-01-06T03:29:15.000Z',
        event: { id: 'aee5874f-1478-47df-932f-0ffd1851fc5f', kind: 'event', category: ['api'], type: ['change'], action: 'UpdateTrail', outcome: 'success', provider: 'actiontrail.cn-hangzhou.aliyuncs.com' },
        cloud: { provider: 'alibabacloud', account: { id: '43274' }, region: undefined, service: { name: 'Actiontrail' } },
        user: { id: '274180646548292385', name: 'Alice' },
        source: { ip: '42.120.74.96' },
        alibaba: { identity_type: 'ram-user', access_key_id: 'f6IzzFZMmzNwEI4d', mfa: undefined },
      },
    },
  ];

  it.each(cases)('$name', ({ event, expected }) => {
    const document = map(event) as Record<string, any>;
    expect(document['@timestamp']).toBe(expected['@timestamp']);
    expect(document.event).toEqual(expected.event);
    expect(document.cloud).toEqual(JSON.parse(JSON.stringify(expected.cloud)));
    expect(document.user).toEqual(expected.user);
    expect(document.source).toEqual(expected.source);
    expect(document.cloudtap.alibaba).toMatchObject(JSON.parse(JSON.stringify(expected.alibaba)));
    if ('mfa' in expected.alibaba && expected.alibaba.mfa === undefined) expect(document.cloudtap.alibaba.mfa).toBeUndefined();
  });

  it('keeps requestParameters searchable as an object', () => {
    expect((map(documented.Events[2]!) as any).cloudtap.alibaba.request_parameters).toMatchObject({ Name: 'default', StartLogging: 'false' });
  });
});

describe('mapActionTrailEvent on what the rules read', () => {
  const base: ActionTrailEvent = {
    eventId: 'E-1',
    eventTime: '2025-11-21T08:00:00Z',
    eventName: 'AuthorizeSecurityGroup',
    eventRW: 'Write',
    serviceName: 'Ecs',
    acsRegion: 'cn-hangzhou',
    sourceIpAddress: '203.0.113.7',
    userIdentity: { type: 'ram-user', principalId: '2000001', accountId: '1751234567890123', userName: 'alice' },
  };

  it.each([
    { name: 'classic SourceCidrIp', parameters: { SourceCidrIp: '0.0.0.0/0' }, cidrs: ['0.0.0.0/0'] },
    { name: 'Permissions list and IPv6', parameters: { 'Permissions.1.SourceCidrIp': '10.0.0.0/8', 'Permissions.2.Ipv6SourceCidrIp': '::/0' }, cidrs: ['10.0.0.0/8', '::/0'] },
    { name: 'no range', parameters: { IpProtocol: 'tcp' }, cidrs: undefined },
  ])('security-group source ranges: $name', ({ parameters, cidrs }) => {
    expect((map({ ...base, requestParameters: parameters }) as any).cloudtap.alibaba.source_cidrs).toEqual(cidrs);
  });

  it.each([
    { name: 'OSS header', parameters: { 'x-oss-acl': 'public-read' }, acl: ['public-read'] },
    { name: 'no ACL', parameters: { Bucket: 'logs' }, acl: undefined },
  ])('canned ACLs: $name', ({ parameters, acl }) => {
    expect((map({ ...base, eventName: 'PutBucketAcl', requestParameters: parameters }) as any).cloudtap.alibaba.acl).toEqual(acl);
  });

  it.each([
    { errorCode: 'Forbidden.RAM', errorMessage: 'User not authorized', outcome: 'failure', type: ['change', 'denied'] },
    { errorCode: 'InvalidParameter', errorMessage: 'bad', outcome: 'failure', type: ['change'] },
    { errorCode: '', errorMessage: '', outcome: 'success', type: ['change'] },
  ])('error code $errorCode -> $outcome, $type', ({ errorCode, errorMessage, outcome, type }) => {
    const document = map({ ...base, errorCode, errorMessage }) as any;
    expect(document.event.outcome).toBe(outcome);
    expect(document.event.type).toEqual(type);
    expect(document.error?.code).toBe(errorCode || undefined);
  });

  it('reads the event time as ISO 8601 UTC and refuses anything else', () => {
    expect(actionTrailEventTime(base)).toBe(1763712000);
    expect(actionTrailEventTime({ eventTime: '2025-11-21T08:00:00.123Z' })).toBe(1763712000);
    expect(() => actionTrailEventTime({ eventTime: '2026-11-21 08:00:00' })).toThrow(/eventTime "2026-11-21 08:00:00" is not an ISO 8601 UTC time/);
    expect(() => actionTrailEventTime({})).toThrow(/eventTime undefined/);
  });

  it('refuses a record that is not an object', () => {
    expect(() => map(null as unknown as ActionTrailEvent)).toThrow(/not an object/);
  });
});
