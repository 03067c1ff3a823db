import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultRules } from '../../../../shared/config/default-rules';
import { compileRules } from '../../../../shared/detection/compile';
import { createDetector } from '../../../../shared/detection/engine';
import { mapRecords } from '../../../detection/corpus';

const fired = (records: unknown[]) =>
  createDetector({ rules: compileRules(defaultRules) })
    .evaluate(mapRecords('alibaba-actiontrail', records))
    .map((alert) => alert.rule.id);

const documented = JSON.parse(readFileSync(new URL('../../../fixtures/alibaba-actiontrail/lookup-events-documented.json', import.meta.url), 'utf8')).Events as Record<string, any>[];

describe('the default rules on ActionTrail events mapped by the real mapping', () => {
  it('the documented events: the root sign-in without MFA and the two trail updates fire, the role reading events does not', () => {
    expect(fired(documented).sort()).toEqual(['alibaba-actiontrail-trail-modified', 'alibaba-actiontrail-trail-modified', 'alibaba-root-console-signin']);
  });

  const signIn = (i: number, errorCode: string) => ({
    ...documented[1],
    eventId: `signin-${i}`,
    eventTime: new Date(Date.UTC(2026, 10, 21, 8, 0, 0) + i * 20_000).toISOString().replace('.000Z', 'Z'),
    userIdentity: { type: 'ram-user', principalId: '20567890100000001', accountId: '1751234567890123', userName: 'alice' },
    errorCode,
    errorMessage: errorCode ? 'The user name or password is incorrect.' : '',
  });

  it('ten failed sign-ins of one user within five minutes raise one alert; nine, or ten successes, do not', () => {
    expect(fired(Array.from({ length: 10 }, (_, i) => signIn(i, 'LoginFailed')))).toEqual(['alibaba-console-signin-failures']);
    expect(fired(Array.from({ length: 9 }, (_, i) => signIn(i, 'LoginFailed')))).toEqual([]);
    expect(fired(Array.from({ length: 10 }, (_, i) => signIn(i, '')))).toEqual([]);
  });
});
