import { cloudAuditOptionsSchema, type CloudAuditOptions } from './options';
import type { SourceDefinition } from '../../definition';
// Imported, not read from disk: esbuild inlines the rules into each Lambda bundle.
import rules from './rules.json';
import { TENCENT_CREDENTIAL_FIELDS } from '../credentials';
import { CLOUDAUDIT_LIMITS } from './limits';
import { CloudAuditSource } from './source';
import { cloudAuditSiem } from './siem';

export const cloudAuditDefinition: SourceDefinition<CloudAuditOptions, typeof TENCENT_CREDENTIAL_FIELDS> = {
  type: 'tencent-cloudaudit',
  vendor: 'tencent',
  api: 'cloudaudit',
  names: ['tencentcloud', 'tencentyun', 'qcloud', 'cloudaudit'],
  title: 'Tencent Cloud CloudAudit DescribeEvents (2019-03-19)',
  credentialFields: TENCENT_CREDENTIAL_FIELDS,
  optionsSchema: cloudAuditOptionsSchema,
  requiresRegion: true,
  // CloudAudit indexes events within minutes; 10m of lag keeps late events in their window.
  defaults: { schedule: 'rate(5 minutes)', lag: '10m', start: '1d' },
  retentionSeconds: CLOUDAUDIT_LIMITS.retentionSeconds,
  pace: { requestsPerSecond: CLOUDAUDIT_LIMITS.requestsPerSecond, pageSize: CLOUDAUDIT_LIMITS.maxResults },
  rules,
  siem: cloudAuditSiem,
  create: (args) => new CloudAuditSource(args),
};
