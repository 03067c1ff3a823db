import type { Log } from '../lib/logger';
import { silentLog } from '../lib/logger';
import type { EcsDocument } from '../ecs/document';
import { buildAlert, eventIdOf, type ThresholdMatch } from './alert';
import { compileRules, type CompiledRule, type CompiledRules } from './compile';
import { valuesAt } from './paths';
import type { Alert, Detector } from '../core/ports/detection';

export interface DetectorOptions {
  /** Rules as data (validated here; throws RuleError naming rule and field), or a pack compiled once by `compileRules`. */
  rules: readonly unknown[] | CompiledRules;
  /** Rule ids to leave out. */
  disabled?: readonly string[];
  log?: Log;
}

/** Threshold counters kept per rule before old windows are dropped. */
const MAX_COUNTERS = 100_000;
const DAY_MS = 86_400_000;

const isCompiled = (rules: DetectorOptions['rules']): rules is CompiledRules =>
  (rules as CompiledRules).kind === 'cloudtap.compiled-rules';

/**
 * A detector over a rule pack. Evaluation is pure per document except for
 * threshold rules, whose counts live as long as the detector: build one per
 * run (from rules compiled once per cold start, that costs nothing) so a
 * burst is counted within one run's documents. Alert documents and records
 * that could not be mapped are never evaluated.
 */
export function createDetector(options: DetectorOptions): Detector {
  const log = options.log ?? silentLog;
  const disabled = new Set(options.disabled ?? []);
  const all = isCompiled(options.rules)
    ? options.rules.rules.filter((rule) => !disabled.has(rule.info.id))
    : compileRules(options.rules, { disabled: options.disabled, log }).rules;

  // Rules by source type, worked out the first time each type is seen.
  const bySourceType = new Map<string | undefined, CompiledRule[]>();
  const rulesFor = (sourceType: string | undefined): CompiledRule[] => {
    let rules = bySourceType.get(sourceType);
    if (!rules) {
      rules = all.filter((rule) => !rule.sourceTypes || (sourceType !== undefined && rule.sourceTypes.has(sourceType)));
      bySourceType.set(sourceType, rules);
    }
    return rules;
  };

  const counters = new Map<CompiledRule, Map<string, number>>();
  let warnedTime = false;
  let newest = -Infinity;

  /** Count one matching event in its window and group; the match that reaches the count says so. */
  function countThreshold(rule: CompiledRule, document: EcsDocument): ThresholdMatch | undefined {
    const threshold = rule.threshold!;
    const time = Date.parse(document['@timestamp']);
    if (!Number.isFinite(time)) {
      if (!warnedTime) log.warn('threshold rule skipped a document without a valid @timestamp', { rule: rule.info.id, eventId: eventIdOf(document) });
      warnedTime = true;
      return undefined;
    }
    // Windows are aligned to the epoch, so the count does not depend on the order
    // pages arrive in (an API may page newest first, several windows at once).
    const windowMs = threshold.windowSeconds * 1000;
    const start = Math.floor(time / windowMs) * windowMs;
    const group = threshold.by.map((field) => valuesAt(document, field).join(','));
    const key = `${start}|${group.join('\u001f')}`;
    let counts = counters.get(rule);
    if (!counts) counters.set(rule, (counts = new Map()));
    const count = (counts.get(key) ?? 0) + 1;
    counts.set(key, count);
    newest = Math.max(newest, start);
    if (counts.size > MAX_COUNTERS) {
      prune(counts, newest - DAY_MS);
      // Still too many groups within a day: start over rather than grow without bound.
      if (counts.size > MAX_COUNTERS / 2) {
        log.warn('threshold rule tracks too many groups; counts restart', { rule: rule.info.id, groups: counts.size });
        counts.clear();
      }
    }
    if (count !== threshold.count) return undefined;
    return {
      count,
      windowStart: new Date(start).toISOString(),
      windowEnd: new Date(start + windowMs).toISOString(),
      group: Object.fromEntries(threshold.by.map((field, i) => [field.path, group[i]!])),
    };
  }

  return {
    ruleCount: all.length,
    evaluate(documents: readonly EcsDocument[]): Alert[] {
      const alerts: Alert[] = [];
      for (let d = 0; d < documents.length; d++) {
        const document = documents[d]!;
        const kind = document.event?.kind;
        if (kind === 'alert' || kind === 'pipeline_error') continue;
        const rules = rulesFor(document.cloudtap?.source_type);
        for (let r = 0; r < rules.length; r++) {
          const rule = rules[r]!;
          try {
            if (rule.datasets && !rule.datasets.has(document.event?.dataset as string)) continue;
            if (!rule.condition.test(document)) continue;
            const threshold = rule.threshold ? countThreshold(rule, document) : undefined;
            if (rule.threshold && !threshold) continue;
            const reasons: string[] = [];
            rule.condition.explain(document, reasons);
            alerts.push(buildAlert(rule, document, reasons, threshold));
          } catch (error) {
            // A rule must never hold back the logs: report it and go on.
            log.error('detection rule failed on a document', { rule: rule.info.id, eventId: eventIdOf(document), error: (error as Error).message });
          }
        }
      }
      return alerts;
    },
  };
}

/** Drop counters of windows that started before `before`. */
function prune(counts: Map<string, number>, before: number): void {
  for (const key of counts.keys()) if (Number(key.slice(0, key.indexOf('|'))) < before) counts.delete(key);
}
