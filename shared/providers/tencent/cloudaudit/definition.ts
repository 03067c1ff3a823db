import { z } from 'zod';
import type { SourceDefinition } from '../../definition';
import { TENCENT_CREDENTIAL_FIELDS } from '../credentials';
import { CLOUDAUDIT_LIMITS, CloudAuditSource } from './source';

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

export const cloudAuditDefinition: SourceDefinition<CloudAuditOptions> = {
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
