import * as z from 'zod';
import { encryptedUrl } from '../../../lib/endpoint';
import { CTS_LIMITS } from './limits';

/** Project ids are 32-64 characters; only URL-safe characters, as they go into the signed path. */
const projectId = z.string().regex(/^[A-Za-z0-9_-]{32,64}$/, { message: 'projectId must be 32-64 letters, digits, "-" or "_"' });

/** A filter value: sent in the signed query string, so printable and short. */
const filter = (what: string) =>
  z
    .string()
    .min(1)
    .max(256)
    .regex(/^[^\s\u0000-\u001f]+$/, { message: `${what} must be one word without spaces or control characters` });

export const ctsOptionsSchema = z
  .object({
    /** The IAM project of the region whose management traces are pulled. */
    projectId,
    /** `aksk`: sign with accessKeyId/secretAccessKey (recommended); `token`: IAM password token. */
    authMode: z.enum(['aksk', 'token']).default('aksk'),
    /** Token mode: the IAM endpoint, which receives the password; default https://iam.{region}.myhuaweicloud.com. */
    iamEndpoint: encryptedUrl.optional(),
    /** Only traces of this cloud service (request `service_type`, upper case, e.g. `IAM`, `VPC`). */
    serviceType: z
      .string()
      .regex(/^[A-Z][A-Z0-9_-]{0,63}$/, { message: 'serviceType must be a service acronym in upper case, e.g. IAM or VPC' })
      .optional(),
    /** Only traces of this user (request `user`). */
    user: filter('user').optional(),
    /** Only traces of this resource type (request `resource_type`). */
    resourceType: filter('resourceType').optional(),
    /** Only traces of this rating (request `trace_rating`). */
    traceRating: z.enum(['normal', 'warning', 'incident']).optional(),
    /** Traces per page (request `limit`), at most the documented 200. */
    pageSize: z.number().int().min(1).max(CTS_LIMITS.pageSize).default(CTS_LIMITS.pageSize),
  })
  .strict();

export type CtsOptions = z.infer<typeof ctsOptionsSchema>;
