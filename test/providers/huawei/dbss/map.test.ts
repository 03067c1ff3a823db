import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dbssAction, dbssEventTime, mapDbssRecord, slug, type DbssOperateLog } from '../../../../shared/providers/huawei/dbss/map';
import { dbssRecordTime, generateDbssEvents } from '../../../../simulators/huawei/dbss/events';
import { INSTANCE_ID, PROJECT_ID } from '../support';

const seed = JSON.parse(readFileSync(new URL('../../../fixtures/huawei-dbss/operation-log-seed.json', import.meta.url), 'utf8'));
const seedRecords: DbssOperateLog[] = seed.operate_log;
const context = { occurrence: 0 };
const scope = { region: 'cn-north-4', projectId: PROJECT_ID, instanceId: INSTANCE_ID };
const map = (record: DbssOperateLog) => mapDbssRecord(record, context, scope);

const record = (overrides: Partial<DbssOperateLog> = {}): DbssOperateLog => ({ ...seedRecords[2]!, ...overrides });

describe('mapDbssRecord', () => {
  it('maps the documented example payload', () => {
    const doc = map(seedRecords[0]!);
    expect(doc).toEqual({
      '@timestamp': '2021-04-22T06:40:52.000Z',
      message: 'This API is used to disable the audit agent.',
      event: {
        id: '1LJP-HgBCwCqSg3BVuAp',
        kind: 'event',
        category: ['database', 'configuration'],
        type: ['change'],
        action: 'update-database-list',
        outcome: 'success',
        provider: 'dbss',
      },
      cloud: { provider: 'huaweicloud', region: 'cn-north-4', project: { id: PROJECT_ID }, instance: { id: INSTANCE_ID }, service: { name: 'dbss' } },
      user: { name: 'hby-test' },
      related: { user: ['hby-test'] },
      cloudtap: {
        // The stray space of "db01 " is trimmed.
        resource: { type: 'dbss-audit-object', name: 'db01' },
        huaweicloud: { dbss: { action: 'Update', function: 'Database list.', result: 'success' } },
      },
    });
  });

  it.each(seedRecords.map((r, i) => [i, r] as const))('leaves the envelope of seed record %i to the core', (_i, raw) => {
    const doc = map(raw);
    expect(doc).not.toHaveProperty('ecs');
    expect(Object.keys(doc.event).filter((key) => ['dataset', 'module', 'created', 'ingested', 'original'].includes(key))).toEqual([]);
    expect(Object.keys(doc.cloudtap ?? {}).filter((key) => ['source_id', 'source_type', 'request_id'].includes(key))).toEqual([]);
  });

  it.each([
    { name: 'a creation', input: record(), expected: { event: { type: ['creation'], action: 'create-databases', outcome: 'success' } } },
    { name: 'a deletion that failed', input: record({ action: 'Delete', result: 'fail' }), expected: { event: { type: ['deletion'], action: 'delete-databases', outcome: 'failure' } } },
    { name: 'a download is an access', input: record({ action: 'DOWNLOAD', function: 'Reports' }), expected: { event: { type: ['access'], action: 'download-reports' } } },
    { name: 'a switch (operate) is a change', input: record({ action: 'operate', function: 'SQL injection rules' }), expected: { event: { type: ['change'], action: 'operate-sql-injection-rules' } } },
    { name: 'a localized feature keeps its letters', input: record({ action: 'Update', function: '数据库列表' }), expected: { event: { action: 'update-数据库列表' } } },
    { name: 'no feature: just the verb', input: record({ function: ' ' }), expected: { event: { action: 'create' } } },
    { name: 'an unknown result', input: record({ result: 'pending' }), expected: { event: { outcome: 'unknown' }, cloudtap: { huaweicloud: { dbss: { result: 'pending' } } } } },
    { name: 'epoch milliseconds as time', input: record({ time: 1619073652000 }), expected: { '@timestamp': '2021-04-22T06:40:52.000Z' } },
    { name: 'epoch seconds as a string', input: record({ time: '1619073652' }), expected: { '@timestamp': '2021-04-22T06:40:52.000Z' } },
  ])('$name', ({ input, expected }) => {
    expect(map(input)).toMatchObject(expected);
  });

  it('leaves out what the record does not have', () => {
    const doc = map({ id: 'x1', time: '2021-04-22 06:40:52' });
    expect(doc.user).toBeUndefined();
    expect(doc.related).toBeUndefined();
    expect(doc.message).toBeUndefined();
    expect(doc.event.action).toBe('unknown');
    expect(doc.event.outcome).toBe('unknown');
    expect(doc.cloudtap?.resource).toEqual({ type: 'dbss-audit-object' });
  });

  it.each([undefined, 'yesterday', '2021-02-30 00:00:00', '2021-04-22 24:00:00', 0, -5])('rejects time %j', (time) => {
    expect(() => map(record({ time: time as never }))).toThrow(/time/);
  });

  it('rejects a record that is not an object', () => {
    expect(() => mapDbssRecord(null as never, context, scope)).toThrow(/not an object/);
  });

  it('gives a record without id a deterministic content id, distinct per occurrence', () => {
    const { id: _id, ...noId } = record();
    const a = mapDbssRecord(noId, context, scope).event.id;
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(mapDbssRecord(structuredClone(noId), context, scope).event.id).toBe(a);
    expect(mapDbssRecord(noId, { ...context, occurrence: 1 }, scope).event.id).not.toBe(a);
  });

  it('maps every generated record, with the time the simulator dates it', () => {
    for (const { record: raw } of generateDbssEvents({ count: 300, from: 1_700_000_000, to: 1_700_086_400, seed: 5 })) {
      const doc = map(raw);
      expect(dbssEventTime(raw)).toBe(dbssRecordTime(raw));
      expect(doc['@timestamp']).toBe(new Date(dbssRecordTime(raw) * 1000).toISOString());
      expect(doc.event.id).toBe(raw.id);
      expect(doc.event.action).toMatch(/^(create|update|delete|download|operate)-[a-z-]+$/);
      expect(doc.cloudtap?.resource).toEqual({ type: 'dbss-audit-object', name: raw.name.trim() });
      expect(doc.event.outcome).toBe(raw.result === 'success' ? 'success' : 'failure');
    }
  });

  it('slugs feature names', () => {
    expect(slug('Database list.')).toBe('database-list');
    expect(slug('  SQL  injection/rules ')).toBe('sql-injection-rules');
    expect(dbssAction({ action: ' Update ', function: 'Risk rules' })).toBe('update-risk-rules');
  });
});
