import type { SiemFacts } from '../../siem';

export const sslSiem: SiemFacts = {
  splunk: {
    sourcetype: 'tencentcloud:ssl',
    vendor: 'Tencent Cloud',
    product: 'SSL Certificates',
    description: 'Tencent Cloud SSL certificate operation logs',
    eventtypes: [{ description: 'Tencent Cloud SSL certificate operations, delivered by cloudtap', tags: ['change'] }],
  },
  elastic: {
    namespace: 'tencent',
    properties: {
      certificate_id: { type: 'keyword' },
      operation_type: { type: 'keyword' },
      operator_type: { type: 'keyword' },
    },
  },
};
