import { readFileSync } from 'node:fs';
import { stampEnvelope } from '../../shared/core/envelope';
import { unmappedDocument } from '../../shared/core/map-page';
import type { MappingContext } from '../../shared/core/ports/source';
import type { VendorDocument } from '../../shared/ecs/document';
import type { EcsDocument } from '../../shared/ecs/document';
import { mapDbssRecord, type DbssOperateLog } from '../../shared/providers/huawei/dbss/map';
import { mapCloudAuditRecord } from '../../shared/providers/tencent/cloudaudit/map';
import { mapSslOperationLog } from '../../shared/providers/tencent/ssl/map';
import { mapUCloudOperationRecord, type UCloudOperationRecord } from '../../shared/providers/ucloud/operations/map';
import { generateDbssEvents } from '../../simulators/huawei/dbss/events';
import { generateCloudAuditEvents } from '../../simulators/tencent/cloudaudit/events';
import { generateSslEvents } from '../../simulators/tencent/ssl/events';
import { generateOperationEvents } from '../../simulators/ucloud/operations/events';

/**
 * ECS documents as cloudtap produces them: the documented example of each API
 * and a few hundred simulated records, mapped by the real provider mappings.
 */

const fixture = (path: string) => JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8'));
const context = (sourceId: string, occurrence = 0) => ({ sourceId, ingested: '2026-11-21T00:00:00.000Z', requestId: 'req-1', occurrence });

/** A mapping as the pipeline applies it: the record's vendor fields with the envelope the core stamps. */
const delivered =
  <Raw>(type: string, sourceId: string, map: (raw: Raw, context: MappingContext) => VendorDocument) =>
  (raw: Raw): EcsDocument =>
    stampEnvelope(type, raw, map(raw, context(sourceId)), context(sourceId));
const cloudAudit = delivered('tencent-cloudaudit', 'audit-prod', mapCloudAuditRecord);
const ssl = delivered('tencent-ssl', 'ssl-prod', mapSslOperationLog);
const ucloud = delivered('ucloud-operations', 'ucloud-prod', (raw: UCloudOperationRecord, c) => mapUCloudOperationRecord(raw, c, { projectId: 'org-0001' }));
const dbssScope = { region: 'cn-north-4', projectId: 'project-0001', instanceId: 'dbss-instance-1' };
const dbss = delivered('huawei-dbss', 'dbss-prod', (raw: DbssOperateLog, c) => mapDbssRecord(raw, c, dbssScope));
const window = { count: 150, from: 1_763_000_000, to: 1_763_600_000 };

export const SOURCE_TYPES = ['tencent-cloudaudit', 'tencent-ssl', 'ucloud-operations', 'huawei-dbss'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

export const SOURCETYPE: Record<SourceType, string> = {
  'tencent-cloudaudit': 'tencentcloud:cloudaudit',
  'tencent-ssl': 'tencentcloud:ssl',
  'ucloud-operations': 'ucloud:operations',
  'huawei-dbss': 'huaweicloud:dbss',
};

/** The documented example payload of each API, mapped. */
export function exampleDocuments(): Record<SourceType, EcsDocument> {
  return {
    'tencent-cloudaudit': cloudAudit(fixture('tencent-cloudaudit/describe-events-seed.json').Response.Events[0]),
    'tencent-ssl': ssl(fixture('tencent-ssl/describe-certificate-operate-logs-seed.json').Response.OperateLogs[0]),
    'ucloud-operations': ucloud(fixture('ucloud-operations/get-user-operation-events-seed.json').Events[0]),
    'huawei-dbss': dbss(fixture('huawei-dbss/operation-log-seed.json').operate_log[0]),
  };
}

/** Simulated records of every source type, mapped; deterministic (fixed seeds). */
export function simulatedDocuments(): Record<SourceType, EcsDocument[]> {
  return {
    'tencent-cloudaudit': generateCloudAuditEvents({ ...window, seed: 11 }).map((e) => cloudAudit(e.record)),
    'tencent-ssl': generateSslEvents({ ...window, seed: 12 }).map((e) => ssl(e.record)),
    'ucloud-operations': generateOperationEvents({ ...window, seed: 13 }).map((e) => ucloud(e.record)),
    'huawei-dbss': generateDbssEvents({ ...window, seed: 14 }).map((e) => dbss(e.record)),
  };
}

/** The edge shapes: a record that could not be mapped, and CloudAudit parameters that are not JSON. */
export function edgeDocuments(): EcsDocument[] {
  const broken = unmappedDocument('tencent-ssl', { CreatedOn: 'not a time' }, undefined, context('ssl-prod'), new Error('CreatedOn: bad'));
  const base = exampleDocuments()['tencent-cloudaudit'];
  const inner = JSON.parse(fixture('tencent-cloudaudit/describe-events-seed.json').Response.Events[0].CloudAuditEvent);
  const notJson = cloudAudit({ ...JSON.parse(base.event.original), CloudAuditEvent: JSON.stringify({ ...inner, requestParameters: '{not json' }) });
  const scalar = cloudAudit({ ...JSON.parse(base.event.original), CloudAuditEvent: JSON.stringify({ ...inner, requestParameters: '12' }) });
  return [broken, notJson, scalar];
}
