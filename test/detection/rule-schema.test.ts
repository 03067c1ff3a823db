import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { compileRules } from '../../shared/detection/compile';
import { createDetector } from '../../shared/detection/engine';
import { RuleError, ruleSchema, validateRules, type RuleInput } from '../../shared/detection/rule-schema';

const base: RuleInput = {
  id: 'tencent-stop-logging',
  name: 'Logging stopped',
  description: 'A tracking set stopped.',
  severity: 'high',
  risk_score: 73,
  when: { all: [{ field: 'event.action', equals: 'StopLogging' }, { field: 'event.outcome', equals: 'success' }] },
};

/** The one message validating `rule` gives. */
function problems(...rules: unknown[]): string[] {
  try {
    validateRules(rules);
  } catch (error) {
    expect(error).toBeInstanceOf(RuleError);
    return (error as RuleError).issues;
  }
  throw new Error('the rules validated');
}

describe('rule format', () => {
  it('applies the defaults: enabled, no tags, a 1h dedup window by rule only', () => {
    const [rule] = validateRules([base]);
    expect(rule).toMatchObject({ enabled: true, tags: [], dedup: { window: '1h', by: [] } });
    expect(rule!.threshold).toBeUndefined();
  });

  it('round-trips through JSON unchanged, as the stack bundles custom rules', () => {
    const [rule] = validateRules([{ ...base, threshold: { count: 10, window: '5m', by: ['user.id'] }, examples: { positive: [{}] } }]);
    expect(ruleSchema.parse(JSON.parse(JSON.stringify(rule)))).toEqual(rule);
  });

  it('reads the same rule from YAML as from JSON', () => {
    const yaml = `
id: tencent-stop-logging
name: Logging stopped
description: A tracking set stopped.
severity: high
risk_score: 73
when:
  all:
    - { field: event.action, equals: StopLogging }
    - { field: event.outcome, equals: success }
`;
    expect(validateRules([parseYaml(yaml)])).toEqual(validateRules([base]));
  });

  const leaf = (extra: object) => ({ ...base, when: { all: [{ field: 'event.outcome', equals: 'success' }, extra] } });
  it.each([
    ['a regex that does not compile', leaf({ field: 'event.action', regex: '(Stop' }), 'rule tencent-stop-logging: when.all[1].regex: invalid regular expression /(Stop/: Unterminated group'],
    ['an unknown operator', leaf({ field: 'event.action', equal: 'x' }), 'rule tencent-stop-logging: when.all[1].equal: unknown key "equal"'],
    ['two operators in one leaf', leaf({ field: 'event.action', equals: 'a', contains: 'b' }), 'rule tencent-stop-logging: when.all[1]: expected one operator, found equals, contains'],
    ['a leaf without a field', leaf({ equals: 'a' }), 'rule tencent-stop-logging: when.all[1].field: expected a dotted field path'],
    ['a field path with an empty segment', leaf({ field: 'event..action', exists: true }), 'rule tencent-stop-logging: when.all[1].field: expected a dotted field path'],
    ['an empty any', leaf({ any: [] }), 'rule tencent-stop-logging: when.all[1].any: expected a non-empty list of conditions'],
    ['a combinator with company', leaf({ not: { field: 'a', exists: true }, field: 'b' }), 'rule tencent-stop-logging: when.all[1]: a combinator stands alone'],
    ['a stateful regex flag', leaf({ field: 'message', regex: 'x', flags: 'g' }), 'rule tencent-stop-logging: when.all[1].flags: expected regex flags'],
    ['ignoreCase on a regex', leaf({ field: 'message', regex: 'x', ignoreCase: true }), 'rule tencent-stop-logging: when.all[1].ignoreCase: ignoreCase applies to equals'],
    ['a range bound that is not a number', leaf({ field: 'n', gte: '10' }), 'rule tencent-stop-logging: when.all[1].gte: expected a number'],
    ['an empty in list', leaf({ field: 'event.action', in: [] }), 'rule tencent-stop-logging: when.all[1].in: expected a non-empty list'],
    ['a when that is not a condition', { ...base, when: 'event.action = StopLogging' }, 'rule tencent-stop-logging: when: expected a condition'],
    ['an unknown severity', { ...base, severity: 'severe' }, 'rule tencent-stop-logging: severity: Invalid option'],
    ['a risk score above 100', { ...base, risk_score: 101 }, 'rule tencent-stop-logging: risk_score:'],
    ['an id that is not kebab-case', { ...base, id: 'Stop_Logging' }, 'rule Stop_Logging: id: expected a kebab-case id'],
    ['no id at all', { ...base, id: undefined }, 'rule #0: id:'],
    ['a misspelt key', { ...base, sevrity: 'high' }, 'rule tencent-stop-logging: (rule): Unrecognized key: "sevrity"'],
    ['a dedup window that is not a duration', { ...base, dedup: { window: '1 hour' } }, 'rule tencent-stop-logging: dedup.window: expected a duration'],
    ['a dedup field that is not a path', { ...base, dedup: { by: ['user.'] } }, 'rule tencent-stop-logging: dedup.by[0]: expected a dotted field path'],
    ['a threshold of one', { ...base, threshold: { count: 1, window: '5m' } }, 'rule tencent-stop-logging: threshold.count:'],
    ['an unknown ATT&CK tag', { ...base, tags: ['attack.defence-evasion'] }, 'rule tencent-stop-logging: tags[0]: an attack.* tag is a technique'],
  ])('rejects %s, naming the rule and the field', (_name, rule, message) => {
    const issues = problems(rule);
    expect(issues.some((issue) => issue.startsWith(message)), issues.join('\n')).toBe(true);
  });

  it('reports every problem of every rule at once, and duplicate ids', () => {
    const issues = problems(base, { ...base, severity: 'severe' }, { ...base, id: 'other', when: { field: 'x', regex: '[' } });
    expect(issues).toEqual([
      'rule tencent-stop-logging: id: duplicate of rule #0',
      expect.stringMatching(/^rule tencent-stop-logging: severity: /),
      expect.stringMatching(/^rule other: when\.regex: invalid regular expression \/\[\/: /),
    ]);
  });

  it('fails createDetector and compileRules with the same messages', () => {
    const bad = { ...base, when: { all: [{ field: 'event.outcome', equals: 'success' }, { field: 'event.action', regex: '(' }] } };
    expect(() => createDetector({ rules: [bad] })).toThrow(/rule tencent-stop-logging: when\.all\[1\]\.regex: invalid regular expression/);
    expect(() => compileRules([bad])).toThrow(RuleError);
  });

  it('accepts ATT&CK techniques, sub-techniques and tactics, and free tags', () => {
    expect(() => validateRules([{ ...base, tags: ['attack.t1562', 'attack.t1562.008', 'attack.defense-evasion', 'cloudaudit'] }])).not.toThrow();
  });
});
