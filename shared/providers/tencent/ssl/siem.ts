import { keywords, type SiemFacts } from '../../siem';

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
    properties: keywords('certificate_id', 'operation_type', 'operator_type'),
  },
};
