import { readFileSync } from 'node:fs';
import { generateSslEvents, type SslOperationLogRecord } from '../../../../simulators/tencent/ssl/events';
import type { DetectionCorpus } from '../../../detection/corpus';

/** Generated records of this API for the detection tests, and the sensitive ones among them that the default rules exist to catch. */
export const detectionCorpus: DetectionCorpus<SslOperationLogRecord> = {
  generate: (options) => generateSslEvents(options).map((event) => event.record),
  sensitive: (record: SslOperationLogRecord) =>
    ['delete', 'revoke', 'download', 'transferout'].includes(record.Type.toLowerCase()) ? `certificate ${record.Type}` : undefined,
  documentedExample: () => JSON.parse(readFileSync(new URL('../../../fixtures/tencent-ssl/describe-certificate-operate-logs-seed.json', import.meta.url), 'utf8')).Response.OperateLogs[0],
  splunkSourcetype: 'tencentcloud:ssl',
  splunkVendorProduct: 'Tencent Cloud SSL Certificates',
  secretFields: ['secretId', 'secretKey', 'token'],
};
