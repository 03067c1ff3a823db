import * as z from 'zod';
import { UCLOUD_OPERATIONS_LIMITS } from './limits';

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
