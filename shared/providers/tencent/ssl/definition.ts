import { sslOptionsSchema, type SslOptions } from './options';
import type { SourceDefinition } from '../../definition';
import { TENCENT_CREDENTIAL_FIELDS } from '../credentials';
import { SSL_LIMITS } from './limits';
import { SslSource } from './source';

export const sslDefinition: SourceDefinition<SslOptions, typeof TENCENT_CREDENTIAL_FIELDS> = {
  type: 'tencent-ssl',
  title: 'Tencent Cloud SSL Certificates DescribeCertificateOperateLogs (2019-12-05)',
  credentialFields: TENCENT_CREDENTIAL_FIELDS,
  optionsSchema: sslOptionsSchema,
  // The API is global: Region "is not required for this API".
  requiresRegion: false,
  // Operation logs are written with the operation (no indexing pipeline as in
  // CloudAudit); 5m of lag covers clock skew and slow writes, and a 5-minute
  // schedule keeps deletions, revocations and key downloads close to real time.
  defaults: { schedule: 'rate(5 minutes)', lag: '5m', start: '1d' },
  pace: { requestsPerSecond: SSL_LIMITS.requestsPerSecond, pageSize: SSL_LIMITS.maxLimit },
  create: (args) => new SslSource(args),
};
