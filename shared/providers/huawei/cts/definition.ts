import type { SourceDefinition } from '../../definition';
import { endpointHost } from '../../http';
// Imported, not read from disk: esbuild inlines the rules into each Lambda bundle.
import rules from './rules.json';
import { HUAWEI_CREDENTIAL_FIELDS } from '../credentials';
import { ctsOptionsSchema, type CtsOptions } from './options';
import { CTS_LIMITS } from './limits';
import { CtsSource, ctsEndpoint } from './source';
import { ctsSiem } from './siem';

export const ctsDefinition: SourceDefinition<CtsOptions, typeof HUAWEI_CREDENTIAL_FIELDS> = {
  type: 'huawei-cts',
  vendor: 'huawei',
  api: 'cts',
  // Not `cts`: as a bare word it is inside ordinary ones (constructs, contracts).
  names: ['huaweicloud', 'myhuaweicloud'],
  title: 'Huawei Cloud CTS management traces (ListTraces)',
  credentialFields: HUAWEI_CREDENTIAL_FIELDS,
  optionsSchema: ctsOptionsSchema,
  requiresRegion: true,
  // Management traces are queryable within a minute of the operation (CTS user guide,
  // Notes and Constraints); 5 minutes of lag leaves room for clock skew and late writes.
  // The default start must lie inside the 7 days ListTraces serves.
  defaults: { schedule: 'rate(5 minutes)', lag: '5m', start: '1d' },
  retentionSeconds: CTS_LIMITS.retentionSeconds,
  pace: { requestsPerSecond: CTS_LIMITS.requestsPerSecond, pageSize: CTS_LIMITS.pageSize },
  // Assumed per IAM user, API and regional endpoint, as API Gateway throttles (docs/sources/huawei-cts.md).
  rateLimitScope: (instance) => endpointHost(instance.endpoint ?? ctsEndpoint(instance.region!)),
  rules,
  siem: ctsSiem,
  create: (args) => new CtsSource(args),
};
