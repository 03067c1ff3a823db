import { systemClock } from '../../shared/lib/clock';
import { silentLog } from '../../shared/lib/logger';
import { mapPage } from '../../shared/core/map-page';
import type { EcsDocument } from '../../shared/ecs/document';
import { benchApis, createBenchSource } from '../../bench/apis';
import { generateDbssEvents, type DbssEventRecord } from '../../simulators/huawei/dbss/events';
import { generateCloudAuditEvents, type CloudAuditEventRecord } from '../../simulators/tencent/cloudaudit/events';
import { generateSslEvents, type SslOperationLogRecord } from '../../simulators/tencent/ssl/events';
import { generateOperationEvents, type UserOperationEventRecord } from '../../simulators/ucloud/operations/events';

/**
 * Realistic documents for the detection tests: the simulators' generated raw
 * records, mapped by each API's real source definition, page by page as the
 * pipeline maps them.
 */

export type ApiType = 'tencent-cloudaudit' | 'tencent-ssl' | 'ucloud-operations' | 'huawei-dbss';

/** A week ending 2026-11-21, so bursts are as sparse as a real account's (the generators spread `count` evenly). */
export const SPAN = { from: 1763078400, to: 1763683200 };

export function generateRaw(type: ApiType, count: number, seed: number): unknown[] {
  const options = { count, seed, ...SPAN };
  const records = {
    'tencent-cloudaudit': () => generateCloudAuditEvents(options),
    'tencent-ssl': () => generateSslEvents(options),
    'ucloud-operations': () => generateOperationEvents(options),
    'huawei-dbss': () => generateDbssEvents(options),
  }[type]();
  return records.map((event) => event.record);
}

/** Map raw records of `type` to ECS through the API's own source, `pageSize` a page. */
export function mapRecords(type: ApiType, records: unknown[]): EcsDocument[] {
  const api = benchApis.find((candidate) => candidate.type === type)!;
  const source = createBenchSource(api, 'http://127.0.0.1:1', { clock: systemClock, log: silentLog });
  const window = { start: 0, end: 2 ** 31 };
  const documents: EcsDocument[] = [];
  for (let i = 0; i < records.length; i += api.pageSize) {
    const page = mapPage(source, records.slice(i, i + api.pageSize), window, { sourceId: `corpus-${type}`, ingested: '2026-11-21T12:00:00.000Z', requestId: `page-${i}` });
    documents.push(...page.documents);
  }
  return documents;
}

/**
 * The sensitive records each generator includes on purpose, which the default
 * rules exist to catch. Everything else is what an account does all day.
 */
export const sensitive: { [K in ApiType]: (record: never) => string | undefined } = {
  'tencent-cloudaudit': (record: CloudAuditEventRecord) => {
    const inner = JSON.parse(record.CloudAuditEvent) as { isRisk?: string; sensitiveAction?: string; actionType?: string; userIdentity?: { type?: string } };
    if (record.EventName === 'StopLogging' || record.EventName === 'DeleteAudit') return 'audit logging stopped or deleted';
    // The generator marks every non-CVM write risky, as CloudAudit's own flag does for its sensitive-operation list.
    if (inner.isRisk === '1' || (inner.sensitiveAction ?? '') !== '') return 'flagged sensitive by CloudAudit';
    if (inner.userIdentity?.type === 'Root' && inner.actionType === 'Write') return 'root account change';
    return undefined;
  },
  'tencent-ssl': (record: SslOperationLogRecord) =>
    ['delete', 'revoke', 'download', 'transferout'].includes(record.Type.toLowerCase()) ? `certificate ${record.Type}` : undefined,
  'ucloud-operations': (record: UserOperationEventRecord) => {
    if (/^(Delete|Terminate|Release)/.test(record.Api)) return 'destructive operation';
    if (['CreateAccessKey', 'AttachPoliciesToUser', 'UpdateLoginProfile'].includes(record.Api)) return 'credential or permission change';
    return undefined;
  },
  'huawei-dbss': (record: DbssEventRecord) => {
    if (record.result === 'fail') return 'failed operation';
    if (record.action === 'Delete') return `${record.function} deleted`;
    if (/\bdisable\b/i.test(record.description)) return 'audit agent or rule disabled';
    return undefined;
  },
};

export const API_TYPES: ApiType[] = ['tencent-cloudaudit', 'tencent-ssl', 'ucloud-operations', 'huawei-dbss'];
