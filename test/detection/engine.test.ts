import { describe, expect, it } from 'vitest';
import type { EcsDocument } from '../../shared/ecs/document';
import { compileRules } from '../../shared/detection/compile';
import type { Condition } from '../../shared/detection/condition';
import { createDetector } from '../../shared/detection/engine';
import type { RuleInput } from '../../shared/detection/rule-schema';

const rule = (id: string, when: Condition, extra: Partial<RuleInput> = {}): RuleInput => ({
  id,
  name: `Rule ${id}`,
  description: `What ${id} catches.`,
  severity: 'medium',
  risk_score: 47,
  when,
  ...extra,
});

/** A CloudAudit-like document, as the mapping produces it. */
const doc = (overrides: Record<string, unknown> = {}, id = 'ev-1'): EcsDocument =>
  ({
    '@timestamp': '2026-11-21T08:14:03.000Z',
    ecs: { version: '9.4.0' },
    event: { id, kind: 'event', category: ['api', 'iam'], type: ['creation'], action: 'CreateAccessKey', outcome: 'success', dataset: 'cloudtap.tencent_cloudaudit', original: '{}' },
    user: { id: '100000000101', name: 'alice' },
    source: { ip: '203.0.113.24' },
    cloud: { provider: 'tencentcloud', account: { id: '100000000001' }, region: 'ap-guangzhou', service: { name: 'cam' } },
    related: { user: ['alice', '100000000101'], ip: ['203.0.113.24'] },
    cloudtap: {
      source_id: 'audit-gz',
      source_type: 'tencent-cloudaudit',
      resource: { type: 'cam', name: 'bob', ids: ['qcs::cam::uin/100000000001:uin/100000000104'] },
      tencent: { identity_type: 'CAMUser', request_parameters: { TargetUin: 100000000104, Status: '0', Token: 'session-token-value', Tags: [{ Key: 'env', Value: 'prod' }] } },
    },
    ...overrides,
  }) as unknown as EcsDocument;

const fires = (when: Condition, document: EcsDocument = doc()) => createDetector({ rules: [rule('r', when)] }).evaluate([document]).length === 1;

describe('conditions', () => {
  const rp = 'cloudtap.tencent.request_parameters';
  it.each<[string, Condition, boolean]>([
    ['equals a string', { field: 'event.action', equals: 'CreateAccessKey' }, true],
    ['equals is case-sensitive', { field: 'event.action', equals: 'createaccesskey' }, false],
    ['equals with ignoreCase', { field: 'event.action', equals: 'createaccesskey', ignoreCase: true }, true],
    ['equals a number against a numeric string', { field: `${rp}.Status`, equals: 0 }, true],
    ['equals a numeric string against a number', { field: `${rp}.TargetUin`, equals: '100000000104' }, true],
    ['equals on an array matches any element', { field: 'event.category', equals: 'iam' }, true],
    ['equals through an array of objects', { field: `${rp}.Tags.Value`, equals: 'prod' }, true],
    ['in', { field: 'event.action', in: ['DeleteUser', 'CreateAccessKey'] }, true],
    ['in misses', { field: 'event.action', in: ['DeleteUser'] }, false],
    ['in with ignoreCase', { field: 'event.action', in: ['deleteuser', 'CREATEACCESSKEY'], ignoreCase: true }, true],
    ['contains', { field: 'cloudtap.resource.ids', contains: 'uin/100000000104' }, true],
    ['contains with ignoreCase', { field: 'event.action', contains: 'accesskey', ignoreCase: true }, true],
    ['startsWith', { field: 'event.action', startsWith: 'Create' }, true],
    ['startsWith misses', { field: 'event.action', startsWith: 'Delete' }, false],
    ['regex', { field: 'event.action', regex: '^Create(AccessKey|User)$' }, true],
    ['regex flags', { field: 'event.action', regex: '^createaccesskey$', flags: 'i' }, true],
    ['exists', { field: 'source.ip', exists: true }, true],
    ['exists on a missing field', { field: 'user.email', exists: false }, true],
    ['exists false on a present field', { field: 'user.name', exists: false }, false],
    ['gt on a number', { field: `${rp}.TargetUin`, gt: 100000000100 }, true],
    ['a range on a numeric string', { field: `${rp}.Status`, gte: 0, lt: 1 }, true],
    ['a range on text never matches', { field: 'event.action', gte: 0 }, false],
    ['equalsField: the target is not the caller', { field: `${rp}.TargetUin`, equalsField: 'user.id' }, false],
    ['equalsField: the same values', { field: 'user.id', equalsField: 'related.user' }, true],
    ['all', { all: [{ field: 'event.action', equals: 'CreateAccessKey' }, { field: 'event.outcome', equals: 'success' }] }, true],
    ['all with one miss', { all: [{ field: 'event.action', equals: 'CreateAccessKey' }, { field: 'event.outcome', equals: 'failure' }] }, false],
    ['any', { any: [{ field: 'event.action', equals: 'X' }, { field: 'event.outcome', equals: 'success' }] }, true],
    ['not', { not: { field: 'event.outcome', equals: 'failure' } }, true],
    ['a missing path never equals', { field: 'cloudtap.huaweicloud.dbss.action', equals: 'Delete' }, false],
    ['a path through a scalar', { field: 'event.action.length', exists: true }, false],
  ])('%s', (_name, when, expected) => {
    expect(fires(when)).toBe(expected);
  });
});

describe('the detector', () => {
  const stop = rule('stop', { field: 'event.action', equals: 'CreateAccessKey' });

  it('does not fire disabled rules (enabled: false, disabled ids, or a compiled pack with disabled ids)', () => {
    expect(createDetector({ rules: [{ ...stop, enabled: false }] }).evaluate([doc()])).toEqual([]);
    expect(createDetector({ rules: [stop], disabled: ['stop'] }).evaluate([doc()])).toEqual([]);
    const compiled = compileRules([stop, rule('other', { field: 'event.outcome', equals: 'success' })]);
    const detector = createDetector({ rules: compiled, disabled: ['stop'] });
    expect(detector.ruleCount).toBe(1);
    expect(detector.evaluate([doc()]).map((alert) => alert.rule.id)).toEqual(['other']);
  });

  it('compiles for given source types only the rules that can match them', () => {
    const compiled = compileRules(
      [
        { ...stop, id: 'audit-only', source_types: ['tencent-cloudaudit'] },
        { ...stop, id: 'ssl-only', source_types: ['tencent-ssl'] },
        { ...stop, id: 'audit-or-ucloud', source_types: ['ucloud-operations', 'tencent-cloudaudit'] },
        { ...stop, id: 'any-source' },
      ],
      { sourceTypes: ['tencent-cloudaudit'] },
    );
    expect(compiled.rules.map((entry) => entry.rule.id)).toEqual(['audit-only', 'audit-or-ucloud', 'any-source']);
  });

  it('warns about disabled ids that match no rule', () => {
    const warnings: unknown[] = [];
    const log = { debug() {}, info() {}, error() {}, warn: (message: string, extra?: object) => warnings.push({ message, ...extra }) };
    createDetector({ rules: [stop], disabled: ['stpo'], log });
    expect(warnings).toEqual([{ message: 'disabled rule ids match no rule', ids: ['stpo'] }]);
  });

  it('scopes rules by source type and dataset', () => {
    const detector = createDetector({
      rules: [
        { ...stop, id: 'audit-only', source_types: ['tencent-cloudaudit'] },
        { ...stop, id: 'ssl-only', source_types: ['tencent-ssl'] },
        { ...stop, id: 'dataset', dataset: 'cloudtap.tencent_cloudaudit' },
        { ...stop, id: 'other-dataset', dataset: ['cloudtap.huawei_dbss'] },
      ],
    });
    expect(detector.evaluate([doc()]).map((alert) => alert.rule.id)).toEqual(['audit-only', 'dataset']);
  });

  it('never evaluates alert documents or records that could not be mapped', () => {
    const detector = createDetector({ rules: [stop] });
    const [alert] = detector.evaluate([doc()]);
    const unmapped = doc({ event: { ...doc().event, kind: 'pipeline_error' } });
    expect(detector.evaluate([alert!.document, unmapped])).toEqual([]);
  });

  it('gives the same alert ids and documents on a re-run, and different ids for different events', () => {
    const pack = [stop, rule('ok', { field: 'event.outcome', equals: 'success' })];
    const first = createDetector({ rules: pack }).evaluate([doc(), doc({}, 'ev-2')]);
    const again = createDetector({ rules: pack }).evaluate([doc(), doc({}, 'ev-2')]);
    expect(again).toEqual(first);
    expect(new Set(first.map((alert) => alert.id)).size).toBe(4);
    expect(first.every((alert) => /^[0-9a-f]{32}$/.test(alert.id) && alert.document.event.id === alert.id)).toBe(true);
  });
});

describe('threshold rules', () => {
  const burst = rule('denied-burst', { field: 'event.type', equals: 'denied' }, { threshold: { count: 5, window: '5m', by: ['user.name'] }, dedup: { by: ['user.name'] } });
  const denied = (user: string, at: string, n: number) =>
    doc({ '@timestamp': at, user: { name: user }, event: { ...doc().event, id: `${user}-${at}-${n}`, type: ['access', 'denied'], outcome: 'failure' } });
  const minute = (m: number, s = 0) => `2026-11-21T08:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.000Z`;

  it('fires once per window and group when the count is reached', () => {
    const documents = [
      ...Array.from({ length: 12 }, (_, i) => denied('alice', minute(1, i), i)), // 12 in 08:00-08:05: one alert
      ...Array.from({ length: 5 }, (_, i) => denied('bob', minute(2, i), i)), // exactly 5: one alert
      ...Array.from({ length: 4 }, (_, i) => denied('carol', minute(3, i), i)), // 4: none
      ...Array.from({ length: 6 }, (_, i) => denied('alice', minute(6, i), i)), // the next window: one more
      doc(), // not denied
    ];
    const alerts = createDetector({ rules: [burst] }).evaluate(documents);
    expect(alerts.map((alert) => [alert.event.user?.name, alert.document.cloudtap.alert])).toEqual([
      [
        'alice',
        expect.objectContaining({
          threshold: {
            count: 5,
            window_seconds: 300,
            window_start: '2026-11-21T08:00:00.000Z',
            window_end: '2026-11-21T08:05:00.000Z',
            group: { 'user.name': 'alice' },
          },
        }),
      ],
      ['bob', expect.objectContaining({ threshold: expect.objectContaining({ group: { 'user.name': 'bob' } }) })],
      ['alice', expect.objectContaining({ threshold: expect.objectContaining({ window_start: '2026-11-21T08:05:00.000Z' }) })],
    ]);
    expect(alerts[0]!.message.text).toContain('5 matching events between 2026-11-21T08:00:00.000Z and 2026-11-21T08:05:00.000Z for user.name=alice');
  });

  it('counts across pages and does not depend on their order (CloudAudit pages run newest first)', () => {
    const documents = Array.from({ length: 8 }, (_, i) => denied('alice', minute(1, i), i));
    const forward = createDetector({ rules: [burst] });
    const inPages = [...forward.evaluate(documents.slice(0, 3)), ...forward.evaluate(documents.slice(3))];
    const backward = createDetector({ rules: [burst] }).evaluate([...documents].reverse());
    expect(inPages).toHaveLength(1);
    expect(backward).toHaveLength(1);
    expect(backward[0]!.id).toBe(inPages[0]!.id);
  });

  it('restarts its counts with each detector: one per run', () => {
    const compiled = compileRules([burst]);
    const documents = Array.from({ length: 5 }, (_, i) => denied('alice', minute(1, i), i));
    expect(createDetector({ rules: compiled }).evaluate(documents.slice(0, 3))).toEqual([]);
    expect(createDetector({ rules: compiled }).evaluate(documents.slice(3))).toEqual([]);
  });
});
