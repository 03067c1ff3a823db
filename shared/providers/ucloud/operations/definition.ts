import { z } from 'zod';
import type { SourceDefinition } from '../../definition';
import { UCLOUD_CREDENTIAL_FIELDS } from '../credentials';
import { UCLOUD_OPERATIONS_LIMITS, UCloudOperationsSource } from './source';

export const ucloudOperationsOptionsSchema = z
  .object({
    /** ProjectId: the project to read; the default project when absent. Sub-account keys must set it. */
    projectId: z.string().min(1).optional(),
    /** ResourceID: only operations on this resource. */
    resourceId: z.string().min(1).optional(),
    /** MaxResults per page; lower it if the API ever rejects the default. */
    maxResults: z.number().int().min(1).max(UCLOUD_OPERATIONS_LIMITS.maxResults).default(UCLOUD_OPERATIONS_LIMITS.maxResults),
  })
  .strict();

export type UCloudOperationsOptions = z.infer<typeof ucloudOperationsOptionsSchema>;

export const ucloudOperationsDefinition: SourceDefinition<UCloudOperationsOptions> = {
  type: 'ucloud-operations',
  title: 'UCloud operation log GetUserOperationEvents (ULog)',
  credentialFields: UCLOUD_CREDENTIAL_FIELDS,
  optionsSchema: ucloudOperationsOptionsSchema,
  // The operation log is account-wide; each record names its own Region. The
  // endpoint (api.ucloud.cn, or api.ucloud-global.com for international accounts) picks the site.
  requiresRegion: false,
  // No indexing delay is published; 10 minutes of lag, as for CloudAudit, keeps late records in unread windows.
  defaults: { schedule: 'rate(5 minutes)', lag: '10m', start: '1d' },
  pace: { requestsPerSecond: UCLOUD_OPERATIONS_LIMITS.requestsPerSecond, pageSize: UCLOUD_OPERATIONS_LIMITS.maxResults },
  create: (args) => new UCloudOperationsSource(args),
};
