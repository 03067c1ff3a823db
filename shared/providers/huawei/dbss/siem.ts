import { keywords, type SiemFacts } from '../../siem';

export const dbssSiem: SiemFacts = {
  splunk: {
    sourcetype: 'huaweicloud:dbss',
    vendor: 'Huawei Cloud',
    product: 'DBSS',
    description: 'Huawei Cloud DBSS operation logs',
    eventtypes: [
      {
        // DBSS is a database audit service: changes to its configuration are changes to auditing (CIM Auditing_Changes).
        description: "Huawei Cloud DBSS operation log: changes to the database audit service's own configuration",
        tags: ['change', 'audit'],
      },
    ],
  },
  elastic: {
    namespace: 'huaweicloud',
    properties: {
      dbss: { properties: keywords('action', 'function', 'result') },
    },
  },
};
