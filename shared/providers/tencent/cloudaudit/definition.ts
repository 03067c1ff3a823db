import { cloudAuditOptionsSchema, type CloudAuditOptions } from './options';
import type { SourceDefinition } from '../../definition';
import { endpointHost } from '../../http';
import { defaultEndpoint } from '../client';
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
  // Keyed on Action, access region and sub-account (docs/sources/tencent-cloudaudit.md): the set stands for
  // the sub-account, the type for the Action, and the host the requests reach for the access region.
  rateLimitScope: (instance) => endpointHost(instance.endpoint ?? defaultEndpoint('cloudaudit')),
  rules,
  siem: cloudAuditSiem,
  create: (args) => new CloudAuditSource(args),
};
