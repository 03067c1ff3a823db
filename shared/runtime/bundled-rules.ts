import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import type { RulesConfig } from '../config/alerts';
import { ConfigError } from '../lib/errors';
import { formatPath } from '../detection/condition';
import { ruleSchema } from '../detection/rule-schema';

/**
 * The `rules` section travels inside the function's bundle rather than in its
 * environment (4 KB for all variables) or the schedule's input (8 KB): the
 * stack writes this file beside index.mjs at bundling time.
 */
export const BUNDLED_RULES_FILE = 'cloudtap-rules.json';

const bundledSchema = z.object({ disabled: z.array(z.string()), custom: z.array(ruleSchema) }).strict();

/** The file's content, or undefined when there is nothing to say (every default rule, no custom one). */
export function renderBundledRules(rules: RulesConfig): string | undefined {
  if (rules.disabled.length === 0 && rules.custom.length === 0) return undefined;
  return JSON.stringify({ disabled: rules.disabled, custom: rules.custom });
}

/**
 * Read the rules written beside the bundle. No file means the defaults: no
 * custom rule, none disabled. A file that does not parse stops the cold start,
 * since running without the configured rules would miss alerts silently.
 */
export function readBundledRules(url: URL = new URL('./cloudtap-rules.json', import.meta.url)): RulesConfig {
  let text: string;
  try {
    text = readFileSync(url, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { disabled: [], custom: [] };
    throw error;
  }
  const where = fileURLToPath(url);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ConfigError(where, ['not valid JSON']);
  }
  const parsed = bundledSchema.safeParse(data);
  if (!parsed.success) {
    throw new ConfigError(
      where,
      parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`),
    );
  }
  return parsed.data;
}
