import type { SourceDefinition } from '../../definition';
import { ALIBABA_CREDENTIAL_FIELDS } from '../credentials';
import { LOOKUP_EVENTS_LIMITS } from './limits';
import { actionTrailOptionsSchema, type ActionTrailOptions } from './options';
// Imported, not read from disk: esbuild inlines the rules into each Lambda bundle.
import rules from './rules.json';
import { actionTrailSiem } from './siem';
import { ActionTrailSource } from './source';

export const actionTrailDefinition: SourceDefinition<ActionTrailOptions, typeof ALIBABA_CREDENTIAL_FIELDS> = {
  type: 'alibaba-actiontrail',
  vendor: 'alibaba',
  api: 'actiontrail',
  names: ['alibabacloud', 'aliyun', 'actiontrail'],
  title: 'Alibaba Cloud ActionTrail LookupEvents (2020-07-06)',
  credentialFields: ALIBABA_CREDENTIAL_FIELDS,
  optionsSchema: actionTrailOptionsSchema,
  // The endpoint is regional and events are looked up per region.
  requiresRegion: true,
  // ActionTrail indexes events within minutes (assumed, see its docs page): 10m of lag keeps late ones in their window.
  defaults: { schedule: 'rate(5 minutes)', lag: '10m', start: '1d' },
  retentionSeconds: LOOKUP_EVENTS_LIMITS.retentionSeconds,
  pace: { requestsPerSecond: LOOKUP_EVENTS_LIMITS.requestsPerSecond, pageSize: LOOKUP_EVENTS_LIMITS.maxResults },
  // Alibaba's flow control counts per API and caller, the account (docs/sources/alibaba-actiontrail.md): whether
  // regions count apart is not documented, so every region of one credential set shares the one pace.
  rateLimitScope: () => '',
  rules,
  siem: actionTrailSiem,
  create: (args) => new ActionTrailSource(args),
};
