import { sslOptionsSchema, type SslOptions } from './options';
import type { SourceDefinition } from '../../definition';
import { endpointHost } from '../../http';
// Imported, not read from disk: esbuild inlines the rules into each Lambda bundle.
import rules from './rules.json';
import { TENCENT_CREDENTIAL_FIELDS } from '../credentials';
import { SSL_LIMITS } from './limits';
import { SSL_ENDPOINT, SslSource } from './source';
import { sslSiem } from './siem';

export const sslDefinition: SourceDefinition<SslOptions, typeof TENCENT_CREDENTIAL_FIELDS> = {
  type: 'tencent-ssl',
  vendor: 'tencent',
  api: 'ssl',
  names: ['tencentcloud', 'tencentyun', 'qcloud'],
  title: 'Tencent Cloud SSL Certificates DescribeCertificateOperateLogs (2019-12-05)',
  credentialFields: TENCENT_CREDENTIAL_FIELDS,
  optionsSchema: sslOptionsSchema,
  // The API is global: Region "is not required for this API".
  requiresRegion: false,
  // Operation logs are written with the operation (no indexing pipeline as in
  // CloudAudit); 5m of lag covers clock skew and slow writes, and a 5-minute
  // schedule keeps deletions, revocations and key downloads close to real time.
  defaults: { schedule: 'rate(5 minutes)', lag: '5m', start: '1d' },
  retentionSeconds: SSL_LIMITS.retentionSeconds,
  pace: { requestsPerSecond: SSL_LIMITS.requestsPerSecond, pageSize: SSL_LIMITS.maxLimit },
  // Keyed as CloudAudit's (docs/sources/tencent-ssl.md): the set, the Action and the host the requests reach.
  rateLimitScope: (instance) => endpointHost(instance.endpoint ?? SSL_ENDPOINT),
  rules,
  siem: sslSiem,
  create: (args) => new SslSource(args),
};
