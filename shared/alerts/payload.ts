import type { Alert, RuleInfo, Severity } from '../core/ports/detection';
import type { EcsDocument } from '../ecs/document';

/**
 * The alert as it travels to SNS, EventBridge and the NDJSON file: the rule,
 * the message, and the event without `event.original` (the raw record can be
 * large and is in the SIEM anyway). Values under keys that name a secret
 * (secret keys, passwords, tokens, signatures) are masked: provider records
 * can echo request parameters, and an alert must never carry a credential.
 */
export interface AlertPayload {
  id: string;
  rule: RuleInfo;
  severity: Severity;
  riskScore: number;
  dedupKey: string;
  dedupWindowSeconds: number;
  subject: string;
  text?: string;
  '@timestamp': string;
  event?: Record<string, unknown>;
  /** Set when the event was cut down to fit a size limit. */
  truncated?: 'event-core-fields' | 'event-dropped';
}

// `secret` but not `secretId` (a vendor's access key id, an identifier).
const SECRET_KEY = /secret(?!_?id$)|passw(or)?d|passwd|token|signature|private_?key|credential|authorization|session_?key/i;
export const REDACTED = '[redacted]';

/** A deep copy with secret-named values masked. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 32) return undefined;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      out[key] = SECRET_KEY.test(key) && member !== null && member !== '' ? REDACTED : redact(member, depth + 1);
    }
    return out;
  }
  return value;
}

/** The event without `event.original`, redacted. */
export function eventWithoutOriginal(event: EcsDocument): Record<string, unknown> {
  const { original: _original, ...rest } = event.event;
  return redact({ ...event, event: rest }) as Record<string, unknown>;
}

export function alertPayload(alert: Alert): AlertPayload {
  return {
    id: alert.id,
    rule: alert.rule,
    severity: alert.rule.severity,
    riskScore: alert.rule.riskScore,
    dedupKey: alert.dedupKey,
    dedupWindowSeconds: alert.dedupWindowSeconds,
    subject: alert.message.subject,
    text: alert.message.text,
    '@timestamp': alert.event['@timestamp'],
    event: eventWithoutOriginal(alert.event),
  };
}

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

/** The fields that say what, who, where and on what, when the whole event does not fit. */
function coreFields(event: Record<string, unknown>): Record<string, unknown> {
  const pick = (object: unknown, keys: string[]) =>
    object && typeof object === 'object' ? Object.fromEntries(keys.filter((k) => k in object).map((k) => [k, (object as Record<string, unknown>)[k]])) : undefined;
  const cloudtap = event.cloudtap as Record<string, unknown> | undefined;
  return {
    '@timestamp': event['@timestamp'],
    event: pick(event.event, ['id', 'kind', 'action', 'outcome', 'provider', 'dataset']),
    user: pick(event.user, ['id', 'name', 'email']),
    source: pick(event.source, ['ip']),
    cloud: event.cloud,
    cloudtap: pick(cloudtap, ['source_id', 'source_type', 'request_id', 'resource']),
  };
}

function cut(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const buffer = Buffer.from(text).subarray(0, Math.max(0, maxBytes - 20));
  // Drop a partial multi-byte character at the end.
  return `${buffer.toString('utf8').replace(/\uFFFD+$/, '')} …[truncated]`;
}

/**
 * The payload cut to `maxBytes` of JSON: first the event shrinks to its core
 * fields, then it goes and the text is cut. Never throws: an alert always fits.
 */
export function fitPayload(payload: AlertPayload, maxBytes: number): AlertPayload {
  if (bytes(payload) <= maxBytes) return payload;
  const core: AlertPayload = { ...payload, event: coreFields(payload.event ?? {}), truncated: 'event-core-fields' };
  if (bytes(core) <= maxBytes) return core;
  const bare: AlertPayload = { ...payload, event: undefined, truncated: 'event-dropped' };
  let room = maxBytes - bytes({ ...bare, text: '' });
  for (;;) {
    // JSON escaping can make the cut text longer than its bytes: shrink until it fits.
    const fitted = { ...bare, text: cut(payload.text ?? '', Math.max(0, room)) };
    const over = bytes(fitted) - maxBytes;
    if (over <= 0 || room <= 0) return fitted;
    room -= over;
  }
}

/**
 * The alert as an outbox stores it: `event.original` dropped (no notifier
 * sends it) so entries stay small, secrets masked; past `maxBytes` of JSON (DynamoDB items
 * stop at 400 KB) the event and document keep only their core fields.
 */
export function storableAlert(alert: Alert, maxBytes = 300_000): Alert {
  const strip = (doc: EcsDocument): EcsDocument => redact({ ...doc, event: { ...doc.event, original: '' } }) as EcsDocument;
  const stored = { ...alert, event: strip(alert.event), document: strip(alert.document) };
  if (bytes(stored) <= maxBytes) return stored;
  const core = (doc: EcsDocument) => ({ ...coreFields(doc as unknown as Record<string, unknown>), ecs: doc.ecs }) as unknown as EcsDocument;
  const small = { ...stored, event: strip(core(alert.event)), document: strip(core(alert.document)) };
  return { ...small, message: { subject: small.message.subject, text: cut(small.message.text, maxBytes / 2) } };
}
