import type { EcsDocument } from '../../ecs/document';

/**
 * The detection contracts. Rules are data (YAML), compiled once per cold
 * start into a Detector; the pipeline evaluates every normalized document and
 * hands the alerts to an AlertRouter before it checkpoints.
 */

export type Severity = 'low' | 'medium' | 'high' | 'critical';

/** What an alert says about the rule that raised it. */
export interface RuleInfo {
  id: string;
  name: string;
  description: string;
  severity: Severity;
  /** 0-100, ECS `event.risk_score`. */
  riskScore: number;
  /** Free tags and MITRE ATT&CK technique ids (e.g. `attack.t1562.008`). */
  tags: string[];
}

export interface Alert {
  /** Deterministic: the same rule on the same event(s) always gives the same id, so a re-run does not double it. */
  id: string;
  rule: RuleInfo;
  /** The event that raised it (for threshold rules, the one that crossed the threshold). */
  event: EcsDocument;
  /** Alerts with the same rule and key within `dedupWindowSeconds` are one alert. */
  dedupKey: string;
  dedupWindowSeconds: number;
  /** The alert as an ECS document for the SIEM: `event.kind: alert`, `rule.*`, `event.severity`, `event.risk_score`. */
  document: EcsDocument;
  /** What a person reads: what happened, who, from where, on which resource, when, which rule and why, how to find it. */
  message: { subject: string; text: string };
}

export interface Detector {
  /** How many rules are active (after disabling). */
  readonly ruleCount: number;
  /** Evaluate one page of documents in order; stateful only for threshold rules within a run. */
  evaluate(documents: readonly EcsDocument[]): Alert[];
}

export interface AlertRouteReport {
  published: number;
  /** Suppressed as duplicates within their rule's window. */
  suppressed: number;
  /** Kept to be published by a later run because every attempt failed now. */
  deferred: number;
}

/**
 * Where alerts go (SNS, EventBridge, the console...), after deduplication.
 * `route` must not throw for a notifier that is down: it retries, then keeps
 * the alert for a later run (an outbox), so the logs are never held back and
 * no alert is lost. It may throw when it cannot even record that (its store
 * is unreachable): then the run must not checkpoint.
 */
export interface AlertRouter {
  route(alerts: Alert[]): Promise<AlertRouteReport>;
  /** Publish what earlier runs could not; called at the start of every run. */
  flushDeferred(): Promise<AlertRouteReport>;
}
