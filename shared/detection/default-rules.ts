import { validateRules, type Rule } from './rule-schema';
// Imported, not read from disk: esbuild inlines them into each Lambda bundle.
import crossProvider from './rules/cross-provider.json';
import huaweiDbss from './rules/huawei-dbss.json';
import tencentCloudAudit from './rules/tencent-cloudaudit.json';
import tencentSsl from './rules/tencent-ssl.json';
import ucloudOperations from './rules/ucloud-operations.json';

/** The pack by file (one per API, plus rules that span providers), for the tests (docs/alerts.md lists them). */
export const defaultRuleFiles: Readonly<Record<string, readonly unknown[]>> = {
  'tencent-cloudaudit': tencentCloudAudit,
  'tencent-ssl': tencentSsl,
  'ucloud-operations': ucloudOperations,
  'huawei-dbss': huaweiDbss,
  'cross-provider': crossProvider,
};

/**
 * The default rule pack, validated when the module loads: a broken rule fails
 * the cold start (and the tests) with its id and field rather than going quiet.
 */
export const defaultRules: readonly Rule[] = validateRules(Object.values(defaultRuleFiles).flat());
