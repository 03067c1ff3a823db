import type { Log } from '../../../../shared/lib/logger';
import type { Source, TimeWindow } from '../../../../shared/core/ports/source';
import { parseConfig } from '../../../../shared/config/load';
import { sslDefinition } from '../../../../shared/providers/tencent/ssl/definition';
import type { SslOperationLogRecord } from '../../../../simulators/tencent/ssl/simulator';
import { formatBeijingTime } from '../../../../shared/providers/tencent/ssl/beijing-time';
import { FakeClock } from '../../../support/fake-clock';

/** Obviously fake keys; the simulator checks real TC3 signatures made with them. */
export const CREDENTIALS = { secretId: 'AKIDfakeSslSecretIdForTests', secretKey: 'fakeSslSecretKeyForTestsOnly0123456789' };
export const NOW_MS = Date.UTC(2025, 0, 15, 12, 0, 0);
export const NOW = NOW_MS / 1000;
export const OWNER = '100000000001';

/** The registry entry cloudtap will have once tencent-ssl is registered. */
export const registry = new Map([[sslDefinition.type, sslDefinition]]);

/** A validated instance, as the config loader builds it. */
export function sslInstance(input: Record<string, unknown> = {}) {
  return parseConfig({ sources: [{ id: 'ssl-test', type: 'tencent-ssl', ...input }] }, registry).sources[0]!;
}

/** A clock whose sleeps move time at once: rate-limiter pauses and retry backoffs take no real time. */
export const fakeClock = () => new FakeClock(NOW_MS, { autoAdvance: true });

export function capturingLog(): Log & { lines: unknown[][] } {
  const lines: unknown[][] = [];
  const push = (level: string) => (message: string, extra?: Record<string, unknown>) => lines.push([level, message, extra]);
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

export function logRecord(time: number, overrides: Partial<SslOperationLogRecord> = {}): SslOperationLogRecord {
  return {
    Action: 'User [uin: 100000000101] downloads certificate [id: Cert0001]',
    CreatedOn: formatBeijingTime(time),
    Uin: OWNER,
    SubAccountUin: '100000000101',
    CertId: 'Cert0001',
    Type: 'download',
    ...overrides,
  };
}

/** Distinct records `count` at one second (distinct by CertId). */
export const burst = (time: number, count: number, tag = 'B') =>
  Array.from({ length: count }, (_, i) => logRecord(time, { CertId: `${tag}${String(i).padStart(7, '0')}` }));

export interface PagedWindow<Raw> {
  pages: Raw[][];
  records: Raw[];
  tokens: string[];
}

/** Page one window to its end, calling `between` after each page (to change the data mid-paging). */
export async function pageWindow<Raw>(source: Source<Raw>, window: TimeWindow, between?: (page: number) => void): Promise<PagedWindow<Raw>> {
  const result: PagedWindow<Raw> = { pages: [], records: [], tokens: [] };
  let pageToken: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const answer = await source.fetchPage({ window, pageToken });
    result.pages.push(answer.records);
    result.records.push(...answer.records);
    if (answer.nextPageToken === undefined) return result;
    result.tokens.push(answer.nextPageToken);
    pageToken = answer.nextPageToken;
    between?.(page);
  }
  throw new Error('paging did not end');
}

/** How many times each distinct content occurs. */
export function multiset(records: readonly unknown[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const record of records) {
    const key = JSON.stringify(record);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
