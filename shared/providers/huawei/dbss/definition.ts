import { dbssOptionsSchema, type DbssOptions } from './options';
import type { SourceDefinition } from '../../definition';
import { endpointHost } from '../../http';
// Imported, not read from disk: esbuild inlines the rules into each Lambda bundle.
import rules from './rules.json';
import { HUAWEI_CREDENTIAL_FIELDS } from '../credentials';
import { DBSS_LIMITS } from './limits';
import { DbssSource, dbssEndpoint } from './source';
import { dbssSiem } from './siem';

export const dbssDefinition: SourceDefinition<DbssOptions, typeof HUAWEI_CREDENTIAL_FIELDS> = {
  type: 'huawei-dbss',
  vendor: 'huawei',
  api: 'dbss',
  names: ['huaweicloud', 'myhuaweicloud', 'dbss'],
  title: 'Huawei Cloud DBSS operation logs (ListAuditOperateLogsNew)',
  credentialFields: HUAWEI_CREDENTIAL_FIELDS,
  optionsSchema: dbssOptionsSchema,
  requiresRegion: true,
  // DBSS writes an operation log as the console action completes; 5 minutes of lag
  // covers clock skew and slow writes, and the log is small, so every 5 minutes is cheap.
  defaults: { schedule: 'rate(5 minutes)', lag: '5m', start: '1d' },
  retentionSeconds: DBSS_LIMITS.retentionSeconds,
  pace: { requestsPerSecond: DBSS_LIMITS.requestsPerSecond, pageSize: DBSS_LIMITS.pageSize },
  // Assumed per IAM user, API and regional endpoint (docs/sources/huawei-dbss.md).
  rateLimitScope: (instance) => endpointHost(instance.endpoint ?? dbssEndpoint(instance.region!)),
  rules,
  siem: dbssSiem,
  create: (args) => new DbssSource(args),
};
