import * as z from 'zod';
import { DURATION_HINT, parseDuration } from '../lib/duration';
import { checkCondition, formatPath, isFieldPath, type Condition } from './condition';

export type { Condition, Leaf, Scalar } from './condition';

/**
 * A detection rule as data (JSON or YAML, the same shape). The parsed rule is
 * still plain data, so it round-trips through JSON (the stack bundles custom
 * rules as a file) and re-parses unchanged.
 */

/** ATT&CK tactics as tags (`attack.defense-evasion`), Sigma's convention. */
export const ATTACK_TACTICS: Readonly<Record<string, { id: string; name: string }>> = {
  reconnaissance: { id: 'TA0043', name: 'Reconnaissance' },
  'resource-development': { id: 'TA0042', name: 'Resource Development' },
  'initial-access': { id: 'TA0001', name: 'Initial Access' },
  execution: { id: 'TA0002', name: 'Execution' },
  persistence: { id: 'TA0003', name: 'Persistence' },
  'privilege-escalation': { id: 'TA0004', name: 'Privilege Escalation' },
  'defense-evasion': { id: 'TA0005', name: 'Defense Evasion' },
  'credential-access': { id: 'TA0006', name: 'Credential Access' },
  discovery: { id: 'TA0007', name: 'Discovery' },
  'lateral-movement': { id: 'TA0008', name: 'Lateral Movement' },
  collection: { id: 'TA0009', name: 'Collection' },
  'command-and-control': { id: 'TA0011', name: 'Command and Control' },
  exfiltration: { id: 'TA0010', name: 'Exfiltration' },
  impact: { id: 'TA0040', name: 'Impact' },
};

/** `attack.t1562` or `attack.t1562.008`. */
export const TECHNIQUE_TAG = /^attack\.t(\d{4})(?:\.(\d{3}))?$/;

const duration = z.string().refine((text) => (parseDuration(text) ?? 0) > 0, { message: `expected ${DURATION_HINT}, more than zero` });

const fieldPath = z.string().refine(isFieldPath, { message: 'expected a dotted field path such as "user.name"' });

const tag = z
  .string()
  .min(1)
  .refine((value) => !value.startsWith('attack.') || TECHNIQUE_TAG.test(value) || value.slice(7) in ATTACK_TACTICS, {
    message: 'an attack.* tag is a technique (attack.t1562 or attack.t1562.008) or a tactic (attack.defense-evasion)',
  });

const condition = z.custom<Condition>().superRefine((value, ctx) => {
  for (const issue of checkCondition(value)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
});

/**
 * A partial ECS document, as a rule's example. Checked as an object only:
 * examples are most of the pack's bytes, every cold start validates the pack,
 * and the tests run each example through the rule anyway.
 */
const example = z.custom<Record<string, unknown>>((value) => value !== null && typeof value === 'object' && !Array.isArray(value), { message: 'expected an object (a partial document)' });

export const ruleSchema = z.strictObject({
  /** Unique; kebab-case: it names metrics, dedup keys and config entries. */
  id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: 'expected a kebab-case id such as "acme-audit-logging-stopped"' }),
  name: z.string().min(1),
  description: z.string().min(1),
  severity: z.enum(['low', 'medium', 'high', 'critical']),
  risk_score: z.number().min(0).max(100),
  tags: z.array(tag).default([]),
  enabled: z.boolean().default(true),
  /** Only documents of these `event.dataset`s (e.g. `cloudtap.acme_audit`). */
  dataset: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  /** Only documents of these `cloudtap.source_type`s (e.g. `acme-audit`). */
  source_types: z.array(z.string().min(1)).min(1).optional(),
  when: condition,
  /** Alerts of this rule with equal `by` values within `window` are one alert. */
  dedup: z
    .strictObject({ window: duration.default('1h'), by: z.array(fieldPath).default([]) })
    .prefault({}),
  /** A burst rule: alert once when `count` matching events fall in one `window` (by event time) per `by` group. */
  threshold: z
    .strictObject({ count: z.int().min(2).max(1_000_000), window: duration, by: z.array(fieldPath).default([]) })
    .optional(),
  /** Partial documents the rule must fire on (positive) and stay silent on (negative); the tests run them. */
  examples: z.strictObject({ positive: z.array(example).default([]), negative: z.array(example).default([]) }).optional(),
});

/** A validated rule, defaults applied. */
export type Rule = z.output<typeof ruleSchema>;
/** A rule as written (optional fields may be absent). */
export type RuleInput = z.input<typeof ruleSchema>;

/** Rules failed validation; each issue reads `rule <id>: <path>: <message>`. */
export class RuleError extends Error {
  override readonly name = 'RuleError';
  constructor(readonly issues: string[]) {
    super(`invalid detection rules:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
  }
}

/** How an issue names its rule: by id when it has a usable one, else by position. */
function ruleLabel(input: unknown, index: number): string {
  const id = (input as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id !== '' ? `rule ${id}` : `rule #${index}`;
}

/**
 * Validate rules (already-parsed ones pass through unchanged). Throws one
 * RuleError listing every problem, each naming the rule and the field:
 * `rule acme-stop-logging: when.all[1].regex: invalid regular expression …`.
 * Ids must be unique.
 */
export function validateRules(inputs: readonly unknown[]): Rule[] {
  const issues: string[] = [];
  const rules: Rule[] = [];
  const seen = new Map<string, number>();
  inputs.forEach((input, index) => {
    // Duplicates count even among invalid rules, so one pass reports everything.
    const id = (input as { id?: unknown } | null)?.id;
    if (typeof id === 'string') {
      const first = seen.get(id);
      if (first !== undefined) issues.push(`rule ${id}: id: duplicate of rule #${first}`);
      else seen.set(id, index);
    }
    const parsed = ruleSchema.safeParse(input);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) issues.push(`${ruleLabel(input, index)}: ${formatPath(issue.path)}: ${issue.message}`);
      return;
    }
    rules.push(parsed.data);
  });
  if (issues.length > 0) throw new RuleError(issues);
  return rules;
}
