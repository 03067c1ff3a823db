import { describe, expect, it } from 'vitest';
import { OCSF_CLASSES, OCSF_VERSION, toOcsf, validateOcsf } from '../../shared/ocsf/index';
import type { EcsDocument } from '../../shared/ecs/document';
import { documentedExample, mapRecords } from '../detection/corpus';

/** The ECS document of a source type's documented example, optionally with raw fields changed first. */
function documentOf(type: string, changes: Record<string, unknown> = {}): EcsDocument {
  const [document] = mapRecords(type, [{ ...(documentedExample(type) as object), ...changes }]);
  return document!;
}

describe('the pinned classes', () => {
  it('are API Activity and Authentication of OCSF 1.1.0, the version Security Lake checks custom sources against', () => {
    expect(OCSF_VERSION).toBe('1.1.0');
    expect(OCSF_CLASSES).toEqual([
      { uid: 6003, name: 'API Activity', slug: 'api_activity' },
      { uid: 3002, name: 'Authentication', slug: 'authentication' },
    ]);
  });
});

describe('toOcsf over the documented examples', () => {
  it.each([
    {
      type: 'tencent-cloudaudit',
      changes: {},
      expected: {
        class_uid: 6003,
        class_name: 'API Activity',
        category_uid: 6,
        activity_id: 2,
        activity_name: 'Read',
        type_uid: 600302,
        status_id: 1,
        status: 'Success',
        severity_id: 1,
        time: Date.UTC(2021, 0, 15, 7, 35, 55),
        actor: { user: { uid: '100000000000', name: 'root' } },
        api: { operation: 'LookUpEvents', service: { name: 'cloudaudit' } },
        src_endpoint: { ip: '9.83.55.32' },
        http_request: { http_method: 'POST', user_agent: 'SDK_NODEJS_0.2.1' },
        cloud: { provider: 'tencentcloud', region: 'ap-guangzhou', account: { uid: '100000000000' } },
        metadata: {
          version: '1.1.0',
          profiles: ['cloud'],
          product: { name: 'cloudtap', vendor_name: 'tencentcloud', feature: { name: 'tencent-cloudaudit' } },
          uid: 'c8c04477-eb9e-4703-84ae-f8758c6084ff',
          log_name: 'cloudtap.tencent_cloudaudit',
        },
      },
    },
    {
      type: 'tencent-ssl',
      changes: {},
      expected: {
        class_uid: 6003,
        activity_id: 4,
        activity_name: 'Delete',
        type_uid: 600304,
        status_id: 1,
        actor: { user: { uid: '100017155920' } },
        api: { operation: 'delete', service: { name: 'ssl' } },
        resources: [{ uid: 'JiDVp1SG', type: 'ssl-certificate' }],
        cloud: { provider: 'tencentcloud', account: { uid: '100017155920' } },
        message: 'User [uin: 100017155920] deletes certificate [id: JiDVp1SG]',
      },
    },
    {
      type: 'ucloud-operations',
      changes: { Api: 'ReleaseEIP', IsSuccess: false },
      expected: {
        class_uid: 6003,
        activity_id: 4,
        type_uid: 600304,
        status_id: 2,
        status: 'Failure',
        actor: { user: { name: 'MMmTomWP' } },
        api: { operation: 'ReleaseEIP' },
        resources: [{ uid: 'HcWkaBoa', name: 'yVfCJcnu' }],
        cloud: { provider: 'ucloud', region: 'sLtsxECu' },
      },
    },
    {
      type: 'huawei-dbss',
      changes: {},
      expected: {
        class_uid: 6003,
        activity_id: 3,
        activity_name: 'Update',
        type_uid: 600303,
        status_id: 1,
        actor: { user: { name: 'hby-test' } },
        api: { operation: 'update-database-list', service: { name: 'dbss' } },
        resources: [{ name: 'db01', type: 'dbss-audit-object' }],
        cloud: { provider: 'huaweicloud', region: 'cn-north-4', project_uid: '0123456789abcdef0123456789abcdef' },
      },
    },
    {
      type: 'tencent-cloudaudit',
      changes: { EventName: 'ConsoleLogin' },
      expected: {
        class_uid: 3002,
        class_name: 'Authentication',
        category_uid: 3,
        activity_id: 1,
        activity_name: 'Logon',
        type_uid: 300201,
        status_id: 1,
        user: { uid: '100000000000', name: 'root' },
        service: { name: 'cloudaudit' },
        src_endpoint: { ip: '9.83.55.32' },
        cloud: { provider: 'tencentcloud', account: { uid: '100000000000' } },
      },
    },
    {
      type: 'ucloud-operations',
      changes: { Api: 'Logout' },
      expected: { class_uid: 3002, activity_id: 2, activity_name: 'Logoff', type_uid: 300202, user: { name: 'MMmTomWP' }, service: { name: 'ulog' } },
    },
  ])('$type $changes', ({ type, changes, expected }) => {
    expect(toOcsf(documentOf(type, changes))).toMatchObject(expected);
  });
});

describe('toOcsf', () => {
  const document = documentOf('tencent-cloudaudit');

  it('keeps the raw record only when asked', () => {
    expect(toOcsf(document).raw_data).toBeUndefined();
    expect(toOcsf(document, { rawData: true }).raw_data).toBe(document.event.original);
  });

  it('puts fields with no OCSF home in unmapped, by their ECS path, as strings', () => {
    const unmapped = toOcsf(document).unmapped as Record<string, string>;
    expect(unmapped).toMatchObject({
      'cloudtap.tencent.identity_type': 'Root',
      'cloudtap.tencent.mfa': 'false',
      'related.ip': '["9.83.55.32","163.177.68.30"]',
    });
    // What has a home is not repeated, and the raw record is raw_data's.
    expect(Object.keys(unmapped)).not.toContain('user.name');
    expect(Object.keys(unmapped)).not.toContain('event.original');
  });

  it('leaves an address that is not an email out of email_addr, in unmapped', () => {
    const record = toOcsf(documentOf('ucloud-operations'));
    expect(record.actor).toEqual({ user: { name: 'MMmTomWP' } });
    expect(record.unmapped).toMatchObject({ 'user.email': 'oZHZSIVq' });
    expect(toOcsf(documentOf('ucloud-operations', { UserEmail: 'carol@example.com' })).actor).toEqual({
      user: { name: 'MMmTomWP', email_addr: 'carol@example.com' },
    });
  });

  it('delivers a document lacking a required attribute, saying what is missing, with the whole document in unmapped', () => {
    const { user: _, ...withoutUser } = document;
    const record = toOcsf({ ...withoutUser, source: undefined } as EcsDocument);
    expect(record.status_detail).toBe(
      'incomplete OCSF 1.1.0 API Activity record: actor: required attribute missing; src_endpoint: required attribute missing',
    );
    expect(record.status_id).toBe(1);
    expect(record.unmapped).toMatchObject({ 'event.action': 'LookUpEvents', 'cloud.account.id': '100000000000', 'cloudtap.tencent.event_type': 'ConsoleCall' });
    expect(validateOcsf(record)).toEqual(['actor: required attribute missing', 'src_endpoint: required attribute missing']);
  });

  it('takes the audited request id from ECS http.request.id', () => {
    const record = toOcsf({ ...document, http: { request: { method: 'POST', id: 'req-42' } } });
    expect(record.api).toEqual({ operation: 'LookUpEvents', service: { name: 'cloudaudit' }, request: { uid: 'req-42' } });
  });

  it.each([
    { source: { address: 'Internal' }, expected: { name: 'Internal' } },
    { source: { address: '192.168.XX.XX' }, expected: { name: '192.168.XX.XX' } },
    { source: { address: '203.0.113.9' }, expected: { ip: '203.0.113.9' } },
    { source: { ip: '203.0.113.9', domain: 'client.example.com', port: 50123 }, expected: { ip: '203.0.113.9', domain: 'client.example.com', port: 50123 } },
  ])('takes src_endpoint from ECS source $source', ({ source, expected }) => {
    const record = toOcsf({ ...document, source });
    expect(record.src_endpoint).toEqual(expected);
    expect(validateOcsf(record)).toEqual([]);
  });

  it('keeps in unmapped a value the class cannot take, rather than losing it', () => {
    const record = toOcsf({ ...document, source: { ip: '9.83.55.32', port: '443' } } as unknown as EcsDocument);
    expect(validateOcsf(record)).toEqual([]);
    expect(record.src_endpoint).toEqual({ ip: '9.83.55.32' });
    expect(record.unmapped).toMatchObject({ 'source.port': '443' });
  });

  it('delivers a record its source could not map, with the error and the raw record', () => {
    const [failed] = mapRecords('ucloud-operations', [{ Api: 'StartUHostInstance', OperateTime: 'yesterday' }]);
    expect(failed!.cloudtap.mapping_error).toBeDefined();
    const record = toOcsf(failed!, { rawData: true });
    expect(record).toMatchObject({ class_uid: 6003, activity_id: 99, status_id: 0, raw_data: '{"Api":"StartUHostInstance","OperateTime":"yesterday"}' });
    expect(record.status_detail).toMatch(/^incomplete OCSF 1\.1\.0 API Activity record: .*api: required attribute missing/);
    expect(record.unmapped).toMatchObject({ 'cloudtap.mapping_error': failed!.cloudtap.mapping_error, 'error.type': 'mapping_error' });
    expect(record.metadata).toMatchObject({ labels: ['cloudtap_mapping_error'] });
  });

  it('never throws, whatever the document', () => {
    const record = toOcsf({} as EcsDocument);
    expect(record.class_uid).toBe(6003);
    expect(record.status_detail).toMatch(/^incomplete OCSF 1\.1\.0 API Activity record: .*time: required attribute missing/);
  });
});
