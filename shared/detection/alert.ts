import { canonicalJson, sha256Hex } from '../lib/hashing';
import { formatDuration } from '../lib/duration';
import { ECS_VERSION, type EcsDocument } from '../ecs/document';
import { compact } from '../ecs/fields';
import type { CompiledRule } from './compile';
import { valuesAt } from './paths';
import { ATTACK_TACTICS, TECHNIQUE_TAG } from './rule-schema';
import type { Alert, Severity } from '../core/ports/detection';

/** ECS `event.severity` for each level, as ECS's guidance for alert severities suggests. */
export const SEVERITY_NUMBER: Readonly<Record<Severity, number>> = { low: 21, medium: 47, high: 73, critical: 99 };

/** Where every alert document lands: one data stream / dataset for all alerts, across sources. */
export const ALERT_DATASET = 'cloudtap.alerts';

/** What a threshold rule adds: how many events, in which window, for which group. */
export interface ThresholdMatch {
  count: number;
  windowStart: string;
  windowEnd: string;
  group: Record<string, string>;
}

const hash = (...parts: string[]) => sha256Hex(parts.join('\n')).slice(0, 32);

/** The matched event's id; a partial document (a rule example) may lack one, so its content stands in. */
export const eventIdOf = (event: EcsDocument): string => (event.event?.id as string | undefined) ?? `content-${hash(canonicalJson(event))}`;

/** `rule|field=value|…`, readable in the SIEM; hashed past 512 characters. */
export function dedupKeyOf(rule: CompiledRule, event: EcsDocument): string {
  const parts = rule.dedupBy.map((field) => `${field.path}=${valuesAt(event, field).join(',')}`);
  const key = [rule.info.id, ...parts].join('|');
  return key.length <= 512 ? key : `${rule.info.id}|#${hash(parts.join('|'))}`;
}

/**
 * The alert for `rule` firing on `event`. Deterministic: the same rule on the
 * same event (for a threshold rule, the same group and window) gives the same
 * id, document and message, so a re-run repeats it identically.
 */
export function buildAlert(rule: CompiledRule, event: EcsDocument, reasons: string[], threshold?: ThresholdMatch): Alert {
  const info = rule.info;
  const matchedId = eventIdOf(event);
  const id = threshold
    ? hash('cloudtap-alert', info.id, canonicalJson(threshold.group), threshold.windowStart)
    : hash('cloudtap-alert', info.id, matchedId);
  const dedupKey = dedupKeyOf(rule, event);
  const why = threshold
    ? [`${threshold.count} matching events between ${threshold.windowStart} and ${threshold.windowEnd}${groupText(threshold.group)}`, ...reasons]
    : reasons;
  const message = messageOf(rule, event, matchedId, why);
  const source = event.cloudtap ?? ({} as EcsDocument['cloudtap']);
  // One copy: the alert document must not share objects with the event it travels beside.
  const { resource, vendor, ...copied } = jsonCopy({
    user: event.user,
    source: event.source,
    cloud: event.cloud,
    related: event.related,
    user_agent: event.user_agent,
    error: event.error,
    resource: source.resource,
    vendor: vendorFields(source),
  });
  const document = compact<EcsDocument>({
    '@timestamp': event['@timestamp'],
    ecs: { version: ECS_VERSION },
    message: message.subject,
    event: {
      id,
      kind: 'alert',
      category: event.event?.category,
      type: event.event?.type,
      action: event.event?.action,
      outcome: event.event?.outcome,
      provider: event.event?.provider,
      dataset: ALERT_DATASET,
      module: 'cloudtap',
      severity: SEVERITY_NUMBER[info.severity],
      risk_score: info.riskScore,
      created: event.event?.created,
      ingested: event.event?.ingested,
      // The alert's own text: the raw record stays on the matched event, found by matched_event_id.
      original: message.text,
    },
    rule: { id: info.id, name: info.name, description: info.description, ruleset: 'cloudtap', category: tacticsOf(info.tags)[0]?.name },
    threat: threatOf(info.tags),
    tags: info.tags.length > 0 ? [...info.tags] : undefined,
    ...copied,
    cloudtap: {
      ...vendor,
      source_id: source.source_id,
      source_type: source.source_type,
      request_id: source.request_id,
      resource,
      alert: {
        dedup_key: dedupKey,
        dedup_window_seconds: rule.dedupWindowSeconds,
        matched_event_id: matchedId,
        matched_event_dataset: event.event?.dataset,
        reasons: why,
        threshold: threshold && {
          count: threshold.count,
          window_seconds: rule.threshold!.windowSeconds,
          window_start: threshold.windowStart,
          window_end: threshold.windowEnd,
          group: threshold.group,
        },
      },
    },
  });
  return { id, rule: { ...info, tags: [...info.tags] }, event, dedupKey, dedupWindowSeconds: rule.dedupWindowSeconds, document, message };
}

/** `cloudtap.<vendor>.*` without the decoded request parameters, which can carry session tokens. */
function vendorFields(cloudtap: EcsDocument['cloudtap']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(cloudtap)) {
    if (['source_id', 'source_type', 'request_id', 'resource', 'alert'].includes(key)) continue;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const { request_parameters: _dropped, ...rest } = value as Record<string, unknown>;
      out[key] = rest;
    } else out[key] = value;
  }
  return out;
}

function tacticsOf(tags: readonly string[]) {
  return tags.flatMap((tag) => (tag.startsWith('attack.') && ATTACK_TACTICS[tag.slice(7)] ? [ATTACK_TACTICS[tag.slice(7)]!] : []));
}

/** ECS `threat.*` from the ATT&CK tags: techniques under `technique`, sub-techniques under `technique.subtechnique`. */
export function threatOf(tags: readonly string[]): EcsDocument['threat'] {
  const techniques = new Set<string>();
  const subtechniques = new Set<string>();
  for (const tag of tags) {
    const match = TECHNIQUE_TAG.exec(tag);
    if (!match) continue;
    techniques.add(`T${match[1]}`);
    if (match[2]) subtechniques.add(`T${match[1]}.${match[2]}`);
  }
  const tactics = tacticsOf(tags);
  if (techniques.size === 0 && tactics.length === 0) return undefined;
  const url = (id: string) => `https://attack.mitre.org/techniques/${id.replace('.', '/')}/`;
  return compact({
    framework: 'MITRE ATT&CK',
    tactic:
      tactics.length > 0
        ? {
            id: tactics.map((t) => t.id),
            name: tactics.map((t) => t.name),
            reference: tactics.map((t) => `https://attack.mitre.org/tactics/${t.id}/`),
          }
        : undefined,
    technique:
      techniques.size > 0
        ? {
            id: [...techniques],
            reference: [...techniques].map(url),
            subtechnique: subtechniques.size > 0 ? { id: [...subtechniques], reference: [...subtechniques].map(url) } : undefined,
          }
        : undefined,
  });
}

const groupText = (group: Record<string, string>) => {
  const entries = Object.entries(group);
  return entries.length > 0 ? ` for ${entries.map(([field, value]) => `${field}=${value || '(none)'}`).join(', ')}` : '';
};

const list = (value: unknown): string | undefined => {
  const values = (Array.isArray(value) ? value : [value]).filter((v) => v !== undefined && v !== null && v !== '');
  return values.length > 0 ? values.join(', ') : undefined;
};

/** SNS subjects: ASCII, no line breaks, under 100 characters. */
const subjectSafe = (text: string) => {
  const ascii = text.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length < 100 ? ascii : `${ascii.slice(0, 96)}...`;
};

const quoteQuery = (id: string) => id.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

/** What a person reads: what, who, from where, on what, when, which rule and why, how to find it. */
function messageOf(rule: CompiledRule, event: EcsDocument, matchedId: string, why: string[]): Alert['message'] {
  const info = rule.info;
  const action = event.event?.action ?? 'an event';
  const user = event.user;
  const who = list([user?.name, user?.id && user.id !== user?.name ? `id ${user.id}` : undefined, user?.email]) ?? 'an unrecorded user';
  const from = list([event.source?.ip, ...((event.related?.ip as string[] | undefined) ?? []).filter((ip) => ip !== event.source?.ip)]);
  const resource = event.cloudtap?.resource as { type?: string; name?: string; ids?: string[] } | undefined;
  const on = list([resource?.name, ...(resource?.ids ?? []).filter((id) => id !== resource?.name)]);
  const cloud = event.cloud;
  const where = list([
    cloud?.provider,
    cloud?.account?.id && `account ${cloud.account.id}`,
    cloud?.project?.id && `project ${cloud.project.id}`,
    cloud?.region,
    cloud?.service?.name && `service ${cloud.service.name}`,
  ]);
  const threat = threatOf(info.tags);
  // Sub-techniques, and techniques none of whose sub-techniques is named.
  const subtechniques = (threat?.technique?.subtechnique?.id as string[] | undefined) ?? [];
  const parents = ((threat?.technique?.id as string[] | undefined) ?? []).filter((id) => !subtechniques.some((sub) => sub.startsWith(`${id}.`)));
  const techniqueIds = [...subtechniques, ...parents];
  const attack = [
    ...((threat?.tactic?.name as string[] | undefined) ?? []),
    ...techniqueIds.map((id) => `${id} https://attack.mitre.org/techniques/${id.replace('.', '/')}/`),
  ];
  const query = quoteQuery(matchedId);
  const dedupFields = rule.dedupBy.length > 0 ? rule.dedupBy.map((f) => f.path).join(', ') : 'rule';
  const by = `by ${user?.name ?? user?.id ?? 'unknown'}${event.source?.ip ? ` from ${event.source.ip}` : ''}`;
  const subject = subjectSafe(`[cloudtap ${info.severity.toUpperCase()}] ${info.name}: ${action} ${by}`);
  const lines = [
    `${info.name} (${info.severity}, risk ${info.riskScore})`,
    '',
    `What:   ${action}${event.event?.outcome ? ` (${event.event.outcome})` : ''}${event.message ? ` - ${event.message}` : ''}`,
    `Who:    ${who}`,
    `From:   ${from ?? 'no source address recorded'}`,
    `On:     ${on ? `${resource?.type ? `${resource.type} ` : ''}${on}` : 'no resource recorded'}`,
    `Where:  ${where ?? 'unknown'}`,
    `When:   ${event['@timestamp'] ?? 'unknown'}`,
    `Rule:   ${info.id}: ${info.description}`,
    'Why:',
    ...why.map((reason) => `  - ${reason}`),
    ...(attack.length > 0 ? [`ATT&CK: ${attack.join(', ')}`] : []),
    `Source: ${event.cloudtap?.source_type ?? 'unknown'} / ${event.cloudtap?.source_id ?? 'unknown'}`,
    '',
    `Find the event: event.id = ${matchedId}`,
    `  Splunk:  index=* event.id="${query}"`,
    `  Elastic: event.id:"${query}"`,
    `Repeats within ${formatDuration(rule.dedupWindowSeconds)} with the same ${dedupFields} are suppressed.`,
  ];
  return { subject, text: lines.join('\n') };
}

/** Documents are plain JSON; a JSON round trip copies them faster than structuredClone. */
function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
