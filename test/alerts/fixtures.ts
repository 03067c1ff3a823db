import { createHash } from 'node:crypto';
import { benchApis } from '../../bench/apis';
import { realisticPages } from '../../bench/cost';
import type { Log } from '../../shared/lib/logger';
import type { Alert, Severity } from '../../shared/core/ports/detection';
import type { EcsDocument } from '../../shared/ecs/document';

/** Realistic mapped documents of one API (simulator records through the real mapping). */
export function realisticDocuments(type: string, count: number): EcsDocument[] {
  const api = benchApis.find((a) => a.type === type);
  if (!api) throw new Error(`no bench API ${type}`);
  return realisticPages(api, count).flat();
}

/**
 * An alert shaped like the engine's (deterministic id from rule and event),
 * so the routing tests do not depend on the rule pack; one test also routes
 * the engine's own alerts.
 */
export function alertFor(
  event: EcsDocument,
  options: { ruleId?: string; severity?: Severity; dedupKey?: string; windowSeconds?: number } = {},
): Alert {
  const ruleId = options.ruleId ?? 'test-sensitive-action';
  const severity = options.severity ?? 'high';
  const id = createHash('sha256').update(`${ruleId}\n${event.event.id}`).digest('hex').slice(0, 32);
  const rule = { id: ruleId, name: 'Sensitive action', description: 'A sensitive action was performed.', severity, riskScore: 73, tags: ['attack.t1562.008'] };
  const who = event.user?.name ?? 'unknown';
  return {
    id,
    rule,
    event,
    dedupKey: options.dedupKey ?? `${ruleId}|user.name=${who}`,
    dedupWindowSeconds: options.windowSeconds ?? 3600,
    document: { ...event, event: { ...event.event, id, kind: 'alert' }, rule: { id: ruleId, name: rule.name } },
    message: {
      subject: `[cloudtap ${severity.toUpperCase()}] Sensitive action: ${event.event.action} by ${who}`,
      text: `What: ${event.event.action}\nWho: ${who}\nWhen: ${event['@timestamp']}\nFind the event: event.id = ${event.event.id}`,
    },
  };
}

/** A Log that keeps every line, to check what was logged (and that no secret was). */
export function recordingLog(): Log & { lines: { level: string; message: string; extra?: Record<string, unknown> }[]; text(): string } {
  const lines: { level: string; message: string; extra?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, extra?: Record<string, unknown>) => void lines.push({ level, message, extra });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), text: () => JSON.stringify(lines) };
}
