import { describe, expect, it } from 'vitest';
import type { EcsDocument } from '../../shared/ecs/document';
import { encodeDocument } from '../../shared/sinks/encode';
import { hecEventOf } from '../../shared/sinks/encoders/splunk-hec';
import { SEVERITY_NUMBER } from '../../shared/detection/alert';
import { createDetector } from '../../shared/detection/engine';
import type { RuleInput } from '../../shared/detection/rule-schema';
import { stampEnvelope } from '../../shared/core/envelope';
import { mapCloudAuditRecord } from '../../shared/providers/tencent/cloudaudit/map';
import { definitions } from '../../shared/providers/registry';
import { splunkSourcetypes } from '../../shared/providers/siem';

const sourcetypeOf = splunkSourcetypes(definitions);

/** A real mapped CloudAudit document: alice creates an access key for another user. */
function createAccessKeyEvent(overrides: { userName?: string } = {}): EcsDocument {
  const inner = {
    userIdentity: {
      principalId: '100000000101',
      accountId: '100000000001',
      secretId: 'AKIDexampleKeyId',
      type: 'CAMUser',
      userName: overrides.userName ?? 'alice',
      sessionContext: JSON.stringify({ userIp: '203.0.113.24', uin: 100000000101, ownerUin: 100000000001, mfa: 0 }),
    },
    eventID: 'f3b1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    actionType: 'Write',
    errorCode: '0',
    apiErrorCode: '0',
    eventType: 'ApiCall',
    requestParameters: JSON.stringify({ TargetUin: 100000000104, Token: 'a-session-token-NOT-REAL', Action: 'CreateAccessKey' }),
    resources: JSON.stringify(['qcs::cam::uin/100000000001:uin/100000000104']),
  };
  const record = {
    EventId: 'f3b1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    EventName: 'CreateAccessKey',
    EventTime: 1763712843,
    ErrorCode: 0,
    Username: overrides.userName ?? 'alice',
    SourceIPAddress: '203.0.113.24',
    EventRegion: 'ap-guangzhou',
    EventSource: 'cam.tencentcloudapi.com',
    Resources: { ResourceType: 'cam', ResourceName: 'bob' },
    CloudAuditEvent: JSON.stringify(inner),
  };
  const provenance = { sourceId: 'audit-gz', ingested: '2026-11-21T08:20:00.000Z', requestId: 'req-1' };
  return stampEnvelope('tencent-cloudaudit', record, mapCloudAuditRecord(record, { occurrence: 0 }), provenance);
}

const keyRule = (severity: RuleInput['severity'] = 'high'): RuleInput => ({
  id: 'access-key-for-another-user',
  name: 'Access key created for another user',
  description: 'A CAM access key was created for a user other than the caller.',
  severity,
  risk_score: 73,
  tags: ['attack.persistence', 'attack.t1098.001', 'attack.t1078'],
  when: {
    all: [
      { field: 'event.action', equals: 'CreateAccessKey' },
      { field: 'cloudtap.tencent.request_parameters.TargetUin', exists: true },
      { not: { field: 'cloudtap.tencent.request_parameters.TargetUin', equalsField: 'user.id' } },
    ],
  },
  dedup: { window: '2h', by: ['user.id', 'cloudtap.tencent.request_parameters.TargetUin'] },
});

const alertFor = (rule: RuleInput, event = createAccessKeyEvent()) => {
  const alerts = createDetector({ rules: [rule] }).evaluate([event]);
  expect(alerts).toHaveLength(1);
  return alerts[0]!;
};

describe('the alert', () => {
  it('is an ECS alert document carrying the rule, the severity, ATT&CK and the event’s who/where/what', () => {
    const event = createAccessKeyEvent();
    const alert = alertFor(keyRule(), event);
    expect(alert).toMatchObject({
      event,
      dedupKey: 'access-key-for-another-user|user.id=100000000101|cloudtap.tencent.request_parameters.TargetUin=100000000104',
      dedupWindowSeconds: 7200,
    });
    expect(alert.rule).toEqual({
      id: 'access-key-for-another-user',
      name: 'Access key created for another user',
      description: keyRule().description,
      severity: 'high',
      riskScore: 73,
      tags: keyRule().tags,
    });
    expect(alert.document).toMatchObject({
      '@timestamp': event['@timestamp'],
      event: { id: alert.id, kind: 'alert', action: 'CreateAccessKey', outcome: 'success', severity: 73, risk_score: 73, dataset: 'cloudtap.alerts' },
      rule: { id: 'access-key-for-another-user', name: 'Access key created for another user', description: keyRule().description },
      threat: {
        framework: 'MITRE ATT&CK',
        tactic: { id: ['TA0003'], name: ['Persistence'] },
        technique: { id: ['T1098', 'T1078'], subtechnique: { id: ['T1098.001'] } },
      },
      user: { id: '100000000101', name: 'alice' },
      source: { ip: '203.0.113.24' },
      cloud: { provider: 'tencentcloud', account: { id: '100000000001' }, region: 'ap-guangzhou' },
      cloudtap: {
        source_id: 'audit-gz',
        source_type: 'tencent-cloudaudit',
        resource: { type: 'cam', name: 'bob', ids: ['qcs::cam::uin/100000000001:uin/100000000104'] },
        tencent: { identity_type: 'CAMUser' },
        alert: { dedup_key: alert.dedupKey, matched_event_id: 'f3b1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d', matched_event_dataset: 'cloudtap.tencent_cloudaudit' },
      },
    });
  });

  it.each([
    ['low', 21],
    ['medium', 47],
    ['high', 73],
    ['critical', 99],
  ] as const)('maps severity %s to ECS event.severity %d', (severity, number) => {
    expect(SEVERITY_NUMBER[severity]).toBe(number);
    expect(alertFor(keyRule(severity)).document.event.severity).toBe(number);
  });

  it('says what, who, from where, on what, when, which rule, why, and how to find the event', () => {
    const { message } = alertFor(keyRule());
    expect(message.subject).toBe('[cloudtap HIGH] Access key created for another user: CreateAccessKey by alice from 203.0.113.24');
    const text = message.text;
    for (const part of [
      'What:   CreateAccessKey (success)',
      'Who:    alice, id 100000000101',
      'From:   203.0.113.24',
      'On:     cam bob, qcs::cam::uin/100000000001:uin/100000000104',
      'Where:  tencentcloud, account 100000000001, ap-guangzhou, service cam',
      'When:   2025-11-21T08:14:03.000Z',
      'Rule:   access-key-for-another-user: A CAM access key was created for a user other than the caller.',
      '  - event.action = "CreateAccessKey"',
      '  - cloudtap.tencent.request_parameters.TargetUin = 100000000104 (is set)',
      '  - not cloudtap.tencent.request_parameters.TargetUin = field user.id',
      'ATT&CK: Persistence, T1098.001 https://attack.mitre.org/techniques/T1098/001/, T1078 https://attack.mitre.org/techniques/T1078/',
      'Find the event: event.id = f3b1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
      'Splunk:  index=* event.id="f3b1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"',
      'Elastic: event.id:"f3b1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"',
    ]) {
      expect(text).toContain(part);
    }
  });

  it('keeps subjects SNS can send: ASCII, one line, under 100 characters', () => {
    const long = { ...keyRule(), name: `Access key created for another user ${'x'.repeat(80)}` };
    const { subject } = alertFor(long, createAccessKeyEvent({ userName: '张伟' })).message;
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
  });

  it('never carries decoded request parameters or credential-like values', () => {
    const tokenRule: RuleInput = { ...keyRule(), id: 'token-present', when: { field: 'cloudtap.tencent.request_parameters.Token', exists: true } };
    const alert = alertFor(tokenRule);
    expect(alert.message.text).toContain('cloudtap.tencent.request_parameters.Token = [redacted] (is set)');
    const everything = JSON.stringify({ message: alert.message, document: alert.document });
    expect(everything).not.toContain('a-session-token-NOT-REAL');
    expect(alert.document.cloudtap.tencent).not.toHaveProperty('request_parameters');
  });

  it('shares no object with the event it travels beside, and encodes for every sink', () => {
    const event = createAccessKeyEvent();
    const alert = alertFor(keyRule(), event);
    (alert.document.user as { name: string }).name = 'changed';
    expect(event.user?.name).toBe('alice');
    expect(JSON.parse(encodeDocument(alert.document).toString())).toEqual(alert.document);
    expect(hecEventOf(alert.document, { sourcetypeOf })).toMatchObject({ sourcetype: 'tencentcloud:cloudaudit', source: 'cloudtap:audit-gz' });
  });
});
