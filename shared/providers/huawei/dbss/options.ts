import * as z from 'zod';
import { encryptedUrl } from '../../../lib/endpoint';
import { DBSS_LIMITS } from './limits';

/**
 * Project and instance ids are 32-64 characters per the API document. Only
 * URL-safe characters are accepted: they go into the signed path, and real
 * ids are hex strings.
 */
const resourceId = (what: string) =>
  z.string().regex(/^[A-Za-z0-9_-]{32,64}$/, { message: `${what} must be 32-64 letters, digits, "-" or "_"` });

export const dbssOptionsSchema = z
  .object({
    /** The IAM project of the region (not the enterprise project). */
    projectId: resourceId('projectId'),
    /** The DBSS audit instance whose operation logs are pulled. */
    instanceId: resourceId('instanceId'),
    /** `aksk`: sign with accessKeyId/secretAccessKey (recommended); `token`: IAM password token. */
    authMode: z.enum(['aksk', 'token']).default('aksk'),
    /** Token mode: the IAM endpoint, which receives the password; default https://iam.{region}.myhuaweicloud.com. */
    iamEndpoint: encryptedUrl.optional(),
    /** Only operations by this DBSS user (request `user_name`). */
    userName: z.string().min(1).optional(),
    /** Only this kind of operation (request `action`). */
    action: z.enum(['CREATE', 'DELETE', 'DOWNLOAD', 'UPDATE']).optional(),
    /** Records per page (request `size`); lower it if the service serves fewer than asked (a short page is refused). */
    pageSize: z.number().int().min(1).max(DBSS_LIMITS.pageSize).default(DBSS_LIMITS.pageSize),
  })
  .strict();

export type DbssOptions = z.infer<typeof dbssOptionsSchema>;
