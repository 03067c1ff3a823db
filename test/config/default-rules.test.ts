import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileRules } from '../../shared/detection/compile';
import { defaultRuleFiles, defaultRules } from '../../shared/config/default-rules';
import { createDetector } from '../../shared/detection/engine';
import type { Rule } from '../../shared/detection/rule-schema';
import type { EcsDocument } from '../../shared/ecs/document';
import { API_TYPES, mapRecords, type ApiType } from '../detection/corpus';

const pack = compileRules(defaultRules);
const fired = (documents: EcsDocument[]) => createDetector({ rules: pack }).evaluate(documents).map((alert) => alert.rule.id);

/** A threshold rule's example stands for one event of a burst: it runs `count` times, with distinct ids, a second apart. */
function asRun(rule: Rule, example: Record<string, unknown>): EcsDocument[] {
  const copies = rule.threshold?.count ?? 1;
  const at = Date.parse(String(example['@timestamp']));
  return Array.from({ length: copies }, (_, i) => {
    const event = example.event as Record<string, unknown>;
    const time = copies > 1 ? new Date(Math.floor(at / 300_000) * 300_000 + i * 1000).toISOString() : example['@timestamp'];
    return { ...example, '@timestamp': time, event: { ...event, id: copies > 1 ? `${String(event.id)}-${i}` : event.id } } as unknown as EcsDocument;
  });
}

const fixture = (path: string) => JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8'));

describe('the default rule pack', () => {
  it('has at least 20 rules across every registered API, unique ids, each with positive and negative examples', () => {
    expect(defaultRules.length).toBeGreaterThanOrEqual(20);
    expect(new Set(defaultRules.map((rule) => rule.id)).size).toBe(defaultRules.length);
    const covered = new Set(defaultRules.flatMap((rule) => rule.source_types ?? API_TYPES));
    expect([...covered].sort()).toEqual([...API_TYPES].sort());
    for (const type of API_TYPES) expect(defaultRuleFiles[type]!.length, type).toBeGreaterThanOrEqual(4);
    for (const rule of defaultRules) {
      expect(rule.examples?.positive.length, rule.id).toBeGreaterThanOrEqual(1);
      expect(rule.examples?.negative.length, rule.id).toBeGreaterThanOrEqual(1);
      expect(rule.enabled, rule.id).toBe(true);
    }
  });

  const cases = defaultRules.flatMap((rule) => [
    ...rule.examples!.positive.map((example, i) => ({ rule, example, positive: true, name: `${rule.id} fires on positive #${i}` })),
    ...rule.examples!.negative.map((example, i) => ({ rule, example, positive: false, name: `${rule.id} stays silent on negative #${i}` })),
  ]);
  it.each(cases)('$name', ({ rule, example, positive }) => {
    const ids = fired(asRun(rule, example));
    expect(ids.filter((id) => id === rule.id)).toHaveLength(positive ? 1 : 0);
  });

  it('says why for every positive example, in terms of the document’s own fields', () => {
    for (const rule of defaultRules) {
      const alert = createDetector({ rules: compileRules([rule]) }).evaluate(asRun(rule, rule.examples!.positive[0]!))[0]!;
      expect(alert.message.text, rule.id).toMatch(/Why:\n {2}- \S/);
      expect(alert.document.rule?.id).toBe(rule.id);
    }
  });
});

describe('the default rules on records mapped by the real mappings', () => {
  const map = (type: ApiType, records: unknown[]) => mapRecords(type, records);

  it('DBSS: the documented example (the audit agent disabled twice) fires twice, its database creation not at all', () => {
    const documents = map('huawei-dbss', fixture('huawei-dbss/operation-log-seed.json').operate_log);
    expect(fired(documents)).toEqual(['huawei-dbss-audit-agent-disabled', 'huawei-dbss-audit-agent-disabled']);
  });

  it('SSL: the documented example fires on the deletion and the revocation request, not on the CA’s steps', () => {
    const documents = map('tencent-ssl', fixture('tencent-ssl/describe-certificate-operate-logs-seed.json').Response.OperateLogs);
    expect(fired(documents).sort()).toEqual(['tencent-ssl-certificate-deleted', 'tencent-ssl-certificate-revoked']);
  });

  it('CloudAudit: the documented example (root reading logs) raises nothing', () => {
    expect(fired(map('tencent-cloudaudit', fixture('tencent-cloudaudit/describe-events-seed.json').Response.Events))).toEqual([]);
  });

  /** A CloudAudit record as the API sends it, nested JSON strings and all. */
  const auditRecord = (name: string, time: number, inner: Record<string, unknown>, user = { uin: 100000000101, name: 'alice', type: 'CAMUser' }) => ({
    EventId: `${name}-${time}`,
    EventName: name,
    EventTime: time,
    ErrorCode: inner.errorCode ?? '0',
    Username: user.name,
    SourceIPAddress: '198.51.100.9',
    EventRegion: 'ap-guangzhou',
    Resources: { ResourceType: inner.resourceType ?? 'cam', ResourceName: '' },
    AccountID: 100000000001,
    CloudAuditEvent: JSON.stringify({
      userIdentity: { principalId: String(user.uin), accountId: '100000000001', type: user.type, userName: user.name, sessionContext: JSON.stringify({ uin: user.uin, mfa: 0 }) },
      eventID: `${name}-${time}`,
      actionType: 'Write',
      errorCode: '0',
      apiErrorCode: '0',
      isRisk: '0',
      ...inner,
      requestParameters: JSON.stringify(inner.requestParameters ?? {}),
    }),
  });

  it('CloudAudit: an access key created for another user fires, one for oneself does not (TargetUin decoded from requestParameters)', () => {
    const documents = map('tencent-cloudaudit', [
      auditRecord('CreateAccessKey', 1763712000, { requestParameters: { TargetUin: 100000000104 } }),
      auditRecord('CreateAccessKey', 1763712001, { requestParameters: { TargetUin: 100000000101 } }),
      auditRecord('UpdateAccessKey', 1763712002, { requestParameters: { TargetUin: 100000000104, AccessKeyId: 'AKIDexample', Status: 'Active' } }),
    ]);
    expect(fired(documents)).toEqual(['tencent-cam-access-key-for-another-user', 'tencent-cam-access-key-for-another-user']);
  });

  it('CloudAudit: ten permission-denied calls by one user within five minutes raise one burst alert; nine do not', () => {
    const denied = (i: number, user = { uin: 100000000103, name: 'ci-deployer', type: 'CAMUser' }) =>
      auditRecord(
        'DescribeInstances',
        1763712000 + i * 20,
        { resourceType: 'cvm', actionType: 'Read', errorCode: '4102', apiErrorCode: 'UnauthorizedOperation', errorMessage: 'you are not authorized' },
        user,
      );
    const ten = map('tencent-cloudaudit', Array.from({ length: 12 }, (_, i) => denied(i)));
    expect(ten.every((document) => (document.event.type as string[]).includes('denied'))).toBe(true);
    expect(fired(ten)).toEqual(['permission-denied-burst']);
    expect(fired(map('tencent-cloudaudit', Array.from({ length: 9 }, (_, i) => denied(i))))).toEqual([]);
  });

  it('CloudAudit: root changes and sign-ins fire, root reads do not', () => {
    const root = { uin: 100000000001, name: 'root', type: 'Root' };
    const documents = map('tencent-cloudaudit', [
      auditRecord('RunInstances', 1763712000, { resourceType: 'cvm' }, root),
      auditRecord('DescribeInstances', 1763712001, { resourceType: 'cvm', actionType: 'Read' }, root),
    ]);
    expect(fired(documents)).toEqual(['tencent-cloudaudit-root-activity']);
  });

  it('UCloud: ten failed calls by one user within five minutes raise one burst alert', () => {
    const records = Array.from({ length: 10 }, (_, i) => ({
      Api: 'DescribeUHostInstance',
      IsSuccess: false,
      OperateTime: 1763712000 + i * 10,
      Region: 'cn-bj2',
      RelatedResource: [],
      UserEmail: 'ci-robot@example.com',
      UserName: 'ci-robot',
    }));
    expect(fired(map('ucloud-operations', records))).toEqual(['ucloud-failed-operations-burst']);
  });
});
