import * as z from 'zod';
import { SIEM_LINK_PLACEHOLDER } from '../alerts/message';
import { defaultRules } from './default-rules';
import { ruleSchema, type Rule } from '../detection/rule-schema';
import { check } from './issues';
import { closest } from './suggest';

/**
 * Where alerts go when deployed (`alerts`) and which rules raise them
 * (`rules`). Messages never echo a subscription URL: webhook URLs often carry
 * their token in the path.
 */

/** The account's default bus; any other name makes the stack create a custom bus. */
export const DEFAULT_BUS_NAME = 'default';

const email = z.email({ error: 'expected an email address such as secops@example.com' });

const httpsEndpoint = z.url({
  protocol: /^https$/,
  error: 'expected an https URL: SNS would send alerts to an http endpoint in the clear',
});

// EventBridge's own rule for custom bus names; `aws.` names belong to partner buses.
const busName = z
  .string()
  .regex(/^[A-Za-z0-9._\-/]{1,256}$/, { message: 'expected an EventBridge bus name: up to 256 letters, digits, . _ - or /' })
  .refine((name) => !name.startsWith('aws.'), { message: 'names starting with "aws." are reserved for partner event buses' });

const siemLink = z
  .string()
  .refine((template) => template.includes(SIEM_LINK_PLACEHOLDER), {
    message: `expected a URL template containing ${SIEM_LINK_PLACEHOLDER}, e.g. https://siem.example.com/search?q=event.id%3D${SIEM_LINK_PLACEHOLDER}`,
  })
  .refine((template) => !/\{(?!event\.id\})[^}]*\}/.test(template), {
    message: `the only placeholder is ${SIEM_LINK_PLACEHOLDER}; write other braces as %7B and %7D`,
  })
  .refine(
    (template) => {
      const sample = template.replaceAll(SIEM_LINK_PLACEHOLDER, 'id');
      return URL.canParse(sample) && /^https?:$/.test(new URL(sample).protocol);
    },
    { message: 'expected an http or https URL' },
  );

/** No duplicates: each would be a second subscription sending every alert twice. */
const unique = <T extends z.ZodType<string>>(item: T) =>
  z.array(item).superRefine((items, ctx) => {
    items.forEach((value, index) => {
      if (items.indexOf(value) !== index) ctx.addIssue({ code: 'custom', path: [index], message: `duplicate of entry ${items.indexOf(value)}` });
    });
  });

export const alertsSchema = z
  .object({
    /** SNS email subscriptions; each address confirms by the link SNS mails it. */
    email: unique(email).default([]),
    /** SNS https subscriptions (webhooks, paging tools); each endpoint must confirm the subscription. */
    https: unique(httpsEndpoint).default([]),
    /** `default` for the account's bus, or a name for a custom bus the stack creates. */
    eventBusName: busName.default(DEFAULT_BUS_NAME),
    /** A link to the event in the SIEM, put into every alert message. */
    siemLink: siemLink.optional(),
  })
  .strict();

export type AlertsConfig = z.output<typeof alertsSchema>;

/** The rules the pipeline runs: the default pack minus `disabled`, plus `custom`. */
export interface RulesConfig {
  disabled: string[];
  custom: Rule[];
}

export const rulesSchema = z
  .object({
    /** Ids of default (or custom) rules to turn off. */
    disabled: z.array(z.string().min(1)).default([]),
    /** Your own rules, in the same format as the default pack. */
    custom: z.array(z.unknown()).default([]),
  })
  .strict()
  .transform((input, ctx): RulesConfig => {
    const defaultIds = new Set(defaultRules.map((rule) => rule.id));
    const custom: Rule[] = [];
    const customIds = new Map<string, number>();
    // Ids of invalid rules count as known too, so disabling one is not reported twice.
    const writtenIds = new Set<string>();
    input.custom.forEach((data, index) => {
      const rawId = (data as { id?: unknown } | null)?.id;
      if (typeof rawId === 'string') writtenIds.add(rawId);
      // Rules are named as the rule engine names them: by id, else by position.
      const named = typeof rawId === 'string' && rawId !== '' ? `rule ${rawId}` : `rule #${index}`;
      const parsed = check(ruleSchema, data);
      if (!parsed.success) {
        for (const issue of parsed.issues) {
          ctx.addIssue({ code: 'custom', path: ['custom', index, ...issue.path], message: `${named}: ${issue.message}` });
        }
        return;
      }
      const { id } = parsed.data;
      if (defaultIds.has(id)) {
        const message = `${named}: a default rule has this id; choose another (and list "${id}" under rules.disabled to replace it)`;
        ctx.addIssue({ code: 'custom', path: ['custom', index, 'id'], message });
      } else if (customIds.has(id)) {
        ctx.addIssue({ code: 'custom', path: ['custom', index, 'id'], message: `${named}: duplicate of rules.custom[${customIds.get(id)}]` });
      } else {
        customIds.set(id, index);
        custom.push(parsed.data);
      }
    });
    const known = [...defaultIds, ...writtenIds];
    input.disabled.forEach((id, index) => {
      if (defaultIds.has(id) || writtenIds.has(id)) return;
      const near = closest(id, known);
      const hint = near ? ` (did you mean "${near}"?)` : '; docs/alerts.md lists the default rules';
      ctx.addIssue({ code: 'custom', path: ['disabled', index], message: `unknown rule id "${id}"${hint}` });
    });
    return { disabled: [...new Set(input.disabled)], custom };
  });
