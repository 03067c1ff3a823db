import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load';
import { ConfigError } from '../../shared/lib/errors';
import { defaultRules } from '../../shared/config/default-rules';
import { registry } from '../../shared/providers/registry';

const sources = [{ id: 'audit-gz', type: 'tencent-cloudaudit', region: 'ap-guangzhou' }];
const [first, second] = defaultRules.map((rule) => rule.id) as [string, string];
/** A custom rule: a default one under a new id, so it is valid in whatever shape the pack uses. */
const custom = (changes: Record<string, unknown> = {}) => ({ ...structuredClone(defaultRules[0]!), id: 'acme-audit-tampering', ...changes });

/** The problems a configuration is refused with, as `cloudtap validate` prints them. */
function problems(data: Record<string, unknown>): string[] {
  try {
    parseConfig({ sources, ...data }, registry, 'test.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected the configuration to be refused');
}

describe('alerts', () => {
  it('defaults to no subscription, the default bus and no SIEM link', () => {
    expect(parseConfig({ sources }, registry).alerts).toEqual({ email: [], https: [], eventBusName: 'default' });
  });

  it('takes email and https subscriptions, a custom bus and a SIEM link template', () => {
    const alerts = {
      email: ['secops@example.com', 'soc+cloud@corp.example.org'],
      https: ['https://hooks.example.com/services/T0/B0/x', 'https://pager.example.net:8443/sns?team=cloud'],
      eventBusName: 'security/cloudtap',
      siemLink: 'https://kibana.example.com/app/discover#/?_a=(query:(query:%27event.id:%22{event.id}%22%27))',
    };
    expect(parseConfig({ sources, alerts }, registry).alerts).toEqual(alerts);
  });

  it('names a bad email address by its position', () => {
    expect(problems({ alerts: { email: ['secops@example.com', 'secops at example.com'] } })).toEqual([
      'alerts.email[1]: expected an email address such as secops@example.com',
    ]);
  });

  it('refuses http, non-URL and duplicate endpoints without echoing them (webhook URLs carry tokens)', () => {
    const issues = problems({
      alerts: { https: ['http://hooks.example.com/T0/B0/secret-token', 'hooks.example.com', 'https://a.example.com/h', 'https://a.example.com/h'] },
    });
    expect(issues).toEqual([
      'alerts.https[0]: expected an https URL: SNS would send alerts to an http endpoint in the clear',
      'alerts.https[1]: expected an https URL: SNS would send alerts to an http endpoint in the clear',
      'alerts.https[3]: duplicate of entry 2',
    ]);
    expect(issues.join('\n')).not.toContain('secret-token');
  });

  it('checks the bus name as EventBridge would', () => {
    expect(problems({ alerts: { eventBusName: 'my bus' } })).toEqual([
      'alerts.eventBusName: expected an EventBridge bus name: up to 256 letters, digits, . _ - or /',
    ]);
    expect(problems({ alerts: { eventBusName: 'aws.partner/x' } })).toEqual([
      'alerts.eventBusName: names starting with "aws." are reserved for partner event buses',
    ]);
  });

  it('wants the SIEM link to be an http(s) URL with {event.id} and no other placeholder', () => {
    expect(problems({ alerts: { siemLink: 'https://siem.example.com/search' } })).toEqual([
      'alerts.siemLink: expected a URL template containing {event.id}, e.g. https://siem.example.com/search?q=event.id%3D{event.id}',
    ]);
    expect(problems({ alerts: { siemLink: 'https://siem.example.com/?q={event.id}&t={@timestamp}' } })).toEqual([
      'alerts.siemLink: the only placeholder is {event.id}; write other braces as %7B and %7D',
    ]);
    expect(problems({ alerts: { siemLink: 'ftp://siem.example.com/{event.id}' } })).toEqual(['alerts.siemLink: expected an http or https URL']);
  });

  it('refuses unknown keys, so a typo is not a silently missing subscription', () => {
    expect(problems({ alerts: { emails: ['secops@example.com'] } })).toEqual(['alerts.emails: unknown key; did you mean "email"?']);
  });
});

describe('rules', () => {
  it('defaults to every default rule and no custom one', () => {
    expect(parseConfig({ sources }, registry).rules).toEqual({ disabled: [], custom: [] });
  });

  it('disables default rules by id and adds valid custom rules', () => {
    const rules = parseConfig({ sources, rules: { disabled: [first, second, first], custom: [custom()] } }, registry).rules;
    expect(rules.disabled).toEqual([first, second]);
    expect(rules.custom.map((rule) => rule.id)).toEqual(['acme-audit-tampering']);
    // A custom rule may be disabled too (to keep it in the file but off).
    expect(parseConfig({ sources, rules: { disabled: ['acme-audit-tampering'], custom: [custom()] } }, registry).rules.disabled).toEqual([
      'acme-audit-tampering',
    ]);
  });

  it('names unknown rule ids, suggesting the nearest one', () => {
    const typo = `${first.slice(0, -1)}${first.endsWith('x') ? 'y' : 'x'}`;
    expect(problems({ rules: { disabled: [second, 'no-such-rule', typo] } })).toEqual([
      'rules.disabled[1]: unknown rule id "no-such-rule"; docs/alerts.md lists the default rules',
      `rules.disabled[2]: unknown rule id "${typo}" (did you mean "${first}"?)`,
    ]);
  });

  it('names an invalid custom rule by id, with the field at fault, however deep', () => {
    const when = { all: [{ field: 'event.action', equals: 'StopLogging' }, { field: 'user.name', regex: '(' }] };
    const issues = problems({ rules: { custom: [custom(), custom({ id: 'acme-bad', severity: 'urgent', risk_score: 101, when })] } });
    expect(issues).toHaveLength(3);
    expect(issues[0]).toMatch(/^rules\.custom\[1\]\.severity: rule acme-bad: /);
    expect(issues[1]).toMatch(/^rules\.custom\[1\]\.risk_score: rule acme-bad: /);
    expect(issues[2]).toMatch(/^rules\.custom\[1\]\.when\.all\[1\]\.regex: rule acme-bad: /);
    // Without a usable id, by position.
    expect(problems({ rules: { custom: [custom({ id: undefined })] } })).toEqual([expect.stringMatching(/^rules\.custom\[0\]\.id: rule #0: /)]);
  });

  it('names an unknown key in a custom rule and in the rules section, suggesting the key meant', () => {
    const { severity, ...rest } = custom();
    expect(problems({ rules: { disable: [first], custom: [{ ...rest, severty: severity }] } })).toEqual([
      'rules.disable: unknown key; did you mean "disabled"?',
      'rules.custom[0].severity: rule acme-audit-tampering: Invalid option: expected one of "low"|"medium"|"high"|"critical"',
      'rules.custom[0].severty: rule acme-audit-tampering: unknown key; did you mean "severity"?',
    ]);
  });

  it('refuses a custom rule that reuses an id', () => {
    expect(problems({ rules: { custom: [custom({ id: first }), custom(), custom()] } })).toEqual([
      `rules.custom[0].id: rule ${first}: a default rule has this id; choose another (and list "${first}" under rules.disabled to replace it)`,
      'rules.custom[2].id: rule acme-audit-tampering: duplicate of rules.custom[1]',
    ]);
  });

  it('reports rule problems together with the rest of the file', () => {
    const issues = problems({ alerts: { email: ['nobody'] }, rules: { disabled: ['no-such-rule'] }, destination: { type: 'ftp' } });
    expect(issues.map((issue) => issue.split(':')[0])).toEqual(
      expect.arrayContaining(['alerts.email[0]', 'rules.disabled[0]', 'destination.type']),
    );
  });
});
