import { ucloudOperationsOptionsSchema, type UCloudOperationsOptions } from './options';
import type { SourceDefinition } from '../../definition';
import { endpointHost } from '../../http';
import { UCLOUD_ENDPOINT } from '../client';
// Imported, not read from disk: esbuild inlines the rules into each Lambda bundle.
import rules from './rules.json';
import { UCLOUD_CREDENTIAL_FIELDS } from '../credentials';
import { UCLOUD_OPERATIONS_LIMITS } from './limits';
import { UCloudOperationsSource } from './source';
import { ucloudOperationsSiem } from './siem';

export const ucloudOperationsDefinition: SourceDefinition<UCloudOperationsOptions, typeof UCLOUD_CREDENTIAL_FIELDS> = {
  type: 'ucloud-operations',
  vendor: 'ucloud',
  api: 'operations',
  names: ['ucloud'],
  title: 'UCloud operation log GetUserOperationEvents (ULog)',
  credentialFields: UCLOUD_CREDENTIAL_FIELDS,
  optionsSchema: ucloudOperationsOptionsSchema,
  // The operation log is account-wide; each record names its own Region. The
  // endpoint (api.ucloud.cn, or api.ucloud-global.com for international accounts) picks the site.
  requiresRegion: false,
  // No indexing delay is published; 10 minutes of lag, as for CloudAudit, keeps late records in unread windows.
  defaults: { schedule: 'rate(5 minutes)', lag: '10m', start: '1d' },
  retentionSeconds: UCLOUD_OPERATIONS_LIMITS.retentionSeconds,
  pace: { requestsPerSecond: UCLOUD_OPERATIONS_LIMITS.requestsPerSecond, pageSize: UCLOUD_OPERATIONS_LIMITS.maxResults },
  // Assumed per key pair and Action behind one gateway (docs/sources/ucloud-operations.md): the endpoint
  // only picks the site, and two sites are two gateways.
  rateLimitScope: (instance) => endpointHost(instance.endpoint ?? UCLOUD_ENDPOINT),
  rules,
  siem: ucloudOperationsSiem,
  create: (args) => new UCloudOperationsSource(args),
};
