import { cloudAuditOptionsSchema, type CloudAuditOptions } from './options';
import type { SourceDefinition } from '../../definition';
import { TENCENT_CREDENTIAL_FIELDS } from '../credentials';
import { CLOUDAUDIT_LIMITS } from './limits';
import { CloudAuditSource } from './source';

export const cloudAuditDefinition: SourceDefinition<CloudAuditOptions, typeof TENCENT_CREDENTIAL_FIELDS> = {
  type: 'tencent-cloudaudit',
  title: 'Tencent Cloud CloudAudit DescribeEvents (2019-03-19)',
  credentialFields: TENCENT_CREDENTIAL_FIELDS,
  optionsSchema: cloudAuditOptionsSchema,
  requiresRegion: true,
  // CloudAudit indexes events within minutes; 10m of lag keeps late events in their window.
  defaults: { schedule: 'rate(5 minutes)', lag: '10m', start: '1d' },
  pace: { requestsPerSecond: CLOUDAUDIT_LIMITS.requestsPerSecond, pageSize: CLOUDAUDIT_LIMITS.maxResults },
  create: (args) => new CloudAuditSource(args),
};
