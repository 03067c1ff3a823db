import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pin } from '../../scripts/ocsf-pin';

/**
 * scripts/ocsf-pin.ts over a small schema tree laid out like ocsf/ocsf-schema
 * (test/ocsf/fixtures/mini-schema): each resolution rule the pinned file relies on.
 */
const schema = pin(fileURLToPath(new URL('./fixtures/mini-schema', import.meta.url)));
const [apiActivity, authentication] = schema.classes;

describe('ocsf-pin', () => {
  it('numbers classes category_uid * 1000 + uid, naming the category', () => {
    expect(schema.version).toBe('9.9.9');
    expect(schema.classes.map(({ uid, name, caption, category_uid, category_name }) => ({ uid, name, caption, category_uid, category_name }))).toEqual([
      { uid: 6003, name: 'api_activity', caption: 'API Activity', category_uid: 6, category_name: 'Application Activity' },
      { uid: 3002, name: 'authentication', caption: 'Authentication', category_uid: 3, category_name: 'Identity & Access Management' },
    ]);
  });

  it('merges the extends chain and $include files, the class winning field by field, enums value by value', () => {
    expect(apiActivity!.attributes).toEqual({
      activity_id: { type: 'integer_t', requirement: 'required', enum: { 0: 'Unknown', 1: 'Create', 99: 'Other' } },
      actor: { type: 'actor', requirement: 'required' },
      api: { type: 'api', requirement: 'required' },
      class_uid: { type: 'integer_t', requirement: 'required' },
      cloud: { type: 'cloud', requirement: 'required' },
      time: { type: 'timestamp_t', requirement: 'required' },
      unmapped: { type: 'object', requirement: 'optional' },
    });
  });

  it('keeps the cloud profile, drops the host profile but for attributes the class frees of it, and keeps class constraints', () => {
    expect(Object.keys(authentication!.attributes)).toEqual(['activity_id', 'actor', 'api', 'class_uid', 'cloud', 'time', 'unmapped', 'user']);
    expect(authentication!.attributes.actor).toEqual({ type: 'actor', requirement: 'optional' });
    expect(authentication!.constraints).toEqual({ at_least_one: ['user', 'actor'] });
  });

  it('pins only the objects the classes reach, dictionary types reduced, patterns and ranges kept', () => {
    expect(Object.keys(schema.objects)).toEqual(['actor', 'api', 'cloud', 'process', 'user']);
    expect(schema.objects.user).toEqual({
      caption: 'User',
      attributes: { labels: { type: 'string_t', requirement: 'optional', array: true }, name: { type: 'string_t', requirement: 'recommended' } },
      constraints: { at_least_one: ['name'] },
    });
    expect(schema.objects.cloud!.attributes.ip).toEqual({ type: 'string_t', requirement: 'optional', format: 'ip_t' });
    expect(schema.objects.process!.attributes).toEqual({
      name: { type: 'string_t', requirement: 'optional' },
      parent_process: { type: 'process', requirement: 'optional' },
      port: { type: 'integer_t', requirement: 'optional', range: [0, 65535] },
    });
    expect(schema.formats).toEqual({ ip_t: '^[0-9.]+$' });
  });
});
