import * as z from 'zod';

export const cloudAuditOptionsSchema = z
  .object({
    /** DescribeEvents LookupAttributes, e.g. [{ AttributeKey: 'ActionType', AttributeValue: 'Write' }]. */
    lookupAttributes: z
      .array(z.object({ AttributeKey: z.string(), AttributeValue: z.string() }))
      .default([]),
    /** Ask CloudAudit to return the caller's IP location. */
    returnLocation: z.boolean().default(false),
  })
  .strict();

export type CloudAuditOptions = z.infer<typeof cloudAuditOptionsSchema>;
