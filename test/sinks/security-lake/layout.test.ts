import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PARTITION_JQ, customSourceName, partitionOf, partitionPath, sourceLocation } from '../../../shared/sinks/security-lake/layout';

/** Security Lake's custom-source layout, and the JQ Firehose partitions by agreeing with the local sink. */
const records = [
  { name: 'a Tencent-style event', record: { class_uid: 6003, time: Date.UTC(2026, 11, 7, 23, 59, 59, 999), cloud: { region: 'ap-guangzhou', account: { uid: '100012345678' } } } },
  { name: 'the first millisecond of a day', record: { class_uid: 3002, time: Date.UTC(2026, 0, 1), cloud: { region: 'cn-north-4', account: { uid: 'acct-1' } } } },
  { name: 'no region or account', record: { class_uid: 6003, time: Date.UTC(2025, 5, 30, 12), cloud: {} } },
];

describe('Security Lake layout', () => {
  it('registers one custom source per class under ext/, within the 20-character name limit', () => {
    expect(customSourceName('cloudtap', 6003)).toBe('cloudtap-6003');
    expect(sourceLocation('cloudtap', 3002)).toBe('ext/cloudtap-3002/');
    expect(customSourceName('a'.repeat(15), 6003)).toHaveLength(20);
  });

  it('partitions by the provider region, account and UTC event day', () => {
    expect(records.map(({ record }) => partitionPath(partitionOf(record)))).toEqual([
      'region=ap-guangzhou/accountId=100012345678/eventDay=20261207/',
      'region=cn-north-4/accountId=acct-1/eventDay=20260101/',
      'region=unknown/accountId=unknown/eventDay=20250630/',
    ]);
  });

  it('names no day for a time that is not a number', () => {
    expect(partitionOf({ class_uid: 6003, time: Number.NaN }).eventDay).toBe('unknown');
  });

  // Firehose runs JQ 1.6; this machine's jq is the same engine. The expressions must give what the local sink computes.
  const jq = (() => {
    try {
      return execFileSync('jq', ['--version'], { encoding: 'utf8' }).trim();
    } catch {
      return undefined;
    }
  })();
  it.runIf(jq)('the Firehose JQ gives the same partitions, by jq 1.6', () => {
    for (const { record } of records) {
      const byJq = Object.fromEntries(
        Object.entries(PARTITION_JQ).map(([key, expression]) => [key, JSON.parse(execFileSync('jq', ['-c', expression], { input: JSON.stringify(record), encoding: 'utf8' }))]),
      );
      expect(byJq).toEqual(partitionOf(record));
    }
  });
});
