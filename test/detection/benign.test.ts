import { describe, expect, it } from 'vitest';
import { compileRules } from '../../shared/detection/compile';
import { defaultRules } from '../../shared/config/default-rules';
import { createDetector } from '../../shared/detection/engine';
import { API_TYPES, generateRaw, mapRecords, sensitive, type ApiType } from './corpus';

/**
 * A week of generated activity per API, mapped by the real mappings. The
 * generators include sensitive actions on purpose (StopLogging, deletions,
 * key downloads, disabled audit agents...); the benign corpus leaves out
 * exactly those records (see `sensitive` in corpus.ts) and keeps everything
 * else, failures and denials included.
 */
const RECORDS_PER_API = 12_000;
const pack = compileRules(defaultRules);

const corpus = Object.fromEntries(
  API_TYPES.map((type, i) => {
    const raw = generateRaw(type, RECORDS_PER_API, 1000 + i);
    const reasons = raw.map((record) => sensitive(type, record));
    return [type, { raw, reasons }];
  }),
) as Record<ApiType, { raw: unknown[]; reasons: (string | undefined)[] }>;

describe('a benign-activity corpus', () => {
  it.each(API_TYPES)('%s: thousands of everyday events raise no alert', (type) => {
    const { raw, reasons } = corpus[type]!;
    const benign = raw.filter((_, i) => reasons[i] === undefined);
    const documents = mapRecords(type, benign);
    expect(documents.length).toBeGreaterThanOrEqual(5_000);
    expect(documents.every((document) => document.event.kind === 'event')).toBe(true);
    const alerts = createDetector({ rules: pack }).evaluate(documents);
    expect(alerts.map((alert) => `${alert.rule.id} on ${alert.event.event.action}`)).toEqual([]);
  });

  it.each(API_TYPES)('%s: the records left out are the ones the rules exist for; each kind raises alerts, and nothing else does', (type) => {
    const { raw, reasons } = corpus[type]!;
    const documents = mapRecords(type, raw);
    const reasonById = new Map(documents.map((document, i) => [document.event.id, reasons[i]]));
    const alerts = createDetector({ rules: pack }).evaluate(documents);
    const alertedReasons = new Set(alerts.map((alert) => reasonById.get(alert.event.event.id)));
    expect(alertedReasons.has(undefined)).toBe(false);
    expect([...alertedReasons].sort()).toEqual([...new Set(reasons.filter((reason) => reason !== undefined))].sort());
  });
});
