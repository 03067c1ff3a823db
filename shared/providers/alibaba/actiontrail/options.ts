import * as z from 'zod';
import { LOOKUP_EVENTS_LIMITS } from './limits';

/**
 * The LookupAttribute keys Alibaba documents ("How do I configure the
 * LookupAttribute parameter", docs/sources/alibaba-actiontrail.md).
 */
export const LOOKUP_ATTRIBUTE_KEYS = [
  'ServiceName',
  'EventName',
  'User',
  'EventId',
  'ResourceType',
  'ResourceName',
  'EventRW',
  'EventAccessKeyId',
  'SensitiveAction',
  'SourceIpAddress',
  'EventType',
  'RoleName',
] as const;

export const actionTrailOptionsSchema = z
  .object({
    /** LookupAttribute filters, e.g. [{ Key: 'EventRW', Value: 'Write' }]: one or two. */
    lookupAttributes: z
      .array(z.strictObject({ Key: z.enum(LOOKUP_ATTRIBUTE_KEYS), Value: z.string().min(1) }))
      .max(LOOKUP_EVENTS_LIMITS.maxLookupAttributes, { message: `LookupEvents takes at most ${LOOKUP_EVENTS_LIMITS.maxLookupAttributes} lookup attributes` })
      .default([]),
  })
  .strict();

export type ActionTrailOptions = z.infer<typeof actionTrailOptionsSchema>;
