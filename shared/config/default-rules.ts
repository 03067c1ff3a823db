import { validateRules, type Rule } from '../detection/rule-schema';
// Imported, not read from disk: esbuild inlines them into each Lambda bundle.
import crossProvider from '../detection/rules/cross-provider.json';
import { definitions } from '../providers/registry';

/**
 * The pack by file, for the tests (docs/alerts.md lists them): each registered API's rules
 * under its type, and the rules that span APIs (one rule id over several
 * providers, or over all of them) under `cross-provider`.
 */
export const defaultRuleFiles: Readonly<Record<string, readonly unknown[]>> = {
  ...Object.fromEntries(definitions.map((definition) => [definition.type, definition.rules])),
  'cross-provider': crossProvider,
};

/**
 * The default rule pack, validated when the module loads: a broken rule fails
 * the cold start (and the tests) with its id and field rather than going quiet.
 */
export const defaultRules: readonly Rule[] = validateRules(Object.values(defaultRuleFiles).flat());
