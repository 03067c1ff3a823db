import { describe, expect, it } from 'vitest';
import { validateOcsf, type OcsfRecord } from '../../shared/ocsf/index';

/** A valid API Activity record written out by hand from the OCSF 1.1.0 class (schema.ocsf.io/1.1.0/classes/api_activity). */
const valid = (): OcsfRecord => ({
  class_uid: 6003,
  category_uid: 6,
  activity_id: 1,
  type_uid: 600301,
  severity_id: 1,
  time: 1763683200000,
  metadata: { version: '1.1.0', product: { name: 'cloudtap', vendor_name: 'example' } },
  cloud: { provider: 'example', region: 'region-1', account: { uid: '123456789012' } } as OcsfRecord['cloud'],
  actor: { user: { name: 'alice' } },
  api: { operation: 'CreateKey' },
  src_endpoint: { ip: '203.0.113.7' },
});

describe('validateOcsf', () => {
  it('accepts a record with every required attribute', () => {
    expect(validateOcsf(valid())).toEqual([]);
  });

  it.each([
    { name: 'a required attribute missing', change: (r: any) => delete r.api, problems: ['api: required attribute missing'] },
    { name: 'a required nested attribute missing', change: (r: any) => delete r.metadata.product.vendor_name, problems: ['metadata.product.vendor_name: required attribute missing'] },
    { name: 'a string where a long belongs', change: (r: any) => (r.time = '2025-11-21T00:00:00Z'), problems: ['time: expected an integer, got "2025-11-21T00:00:00Z"'] },
    { name: 'a number where a string belongs', change: (r: any) => (r.api.operation = 7), problems: ['api.operation: expected a string, got number'] },
    { name: 'an object where an array belongs', change: (r: any) => (r.resources = { uid: 'x' }), problems: ['resources: expected an array'] },
    { name: 'a value outside the enum', change: (r: any) => (r.severity_id = 7), problems: ['severity_id: 7 is not one of 0, 1, 2, 3, 4, 5, 6, 99'] },
    { name: 'an activity of another class', change: (r: any) => ((r.activity_id = 5), (r.type_uid = 600305)), problems: ['activity_id: 5 is not one of 0, 1, 2, 3, 4, 99'] },
    { name: 'a type_uid that is not class_uid * 100 + activity_id', change: (r: any) => (r.type_uid = 600302), problems: ['type_uid: 600302, expected 600301 (class_uid * 100 + activity_id)'] },
    { name: 'the category of another class', change: (r: any) => (r.category_uid = 3), problems: ['category_uid: 3, class 6003 belongs to category 6'] },
    { name: 'an attribute the class lacks', change: (r: any) => (r.user = { name: 'alice' }), problems: ['user: not an attribute of the pinned schema here'] },
    { name: 'an object with none of its at_least_one', change: (r: any) => (r.actor = {}), problems: ['actor: needs at least one of process, user, invoked_by, session'] },
    { name: 'an address that is not an ip_t', change: (r: any) => (r.src_endpoint.ip = 'gateway-1'), problems: ['src_endpoint.ip: "gateway-1" is not a valid ip_t'] },
    { name: 'a port outside port_t', change: (r: any) => (r.src_endpoint.port = 70000), problems: ['src_endpoint.port: 70000 is outside 0..65535'] },
    { name: 'a self-nested object cut from the pinned trees', change: (r: any) => (r.actor.process = { uid: 'p-1', parent_process: { uid: 'p-0' } }), problems: ['actor.process.parent_process: not an attribute of the pinned schema here'] },
  ])('reports $name', ({ change, problems }) => {
    const record = valid();
    change(record);
    expect(validateOcsf(record)).toEqual(problems);
  });

  it('checks Authentication by its own class: user required, service or dst_endpoint', () => {
    const record: OcsfRecord = { ...valid(), class_uid: 3002, category_uid: 3, type_uid: 300201 };
    expect(validateOcsf(record)).toEqual(['user: required attribute missing', 'record: needs at least one of service, dst_endpoint']);
    expect(validateOcsf({ ...record, user: { name: 'alice' }, service: { name: 'console' } })).toEqual([]);
  });

  it('refuses a class it does not know', () => {
    expect(validateOcsf({ ...valid(), class_uid: 4001 as never })).toEqual(['class_uid: 4001 is not one of 6003, 3002']);
  });
});
