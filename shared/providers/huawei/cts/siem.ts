import { keywords, type SiemFacts } from '../../siem';

export const ctsSiem: SiemFacts = {
  splunk: {
    sourcetype: 'huaweicloud:cts',
    vendor: 'Huawei Cloud',
    product: 'CTS',
    description: 'Huawei Cloud CTS management traces',
    eventtypes: [
      {
        // Management traces record changes to cloud resources and console sign-ins (CIM Change, Authentication).
        description: 'Huawei Cloud CTS management trace: an API call, console action or system action on a cloud resource',
        tags: ['change', 'audit'],
      },
    ],
  },
  elastic: {
    namespace: 'huaweicloud',
    properties: {
      cts: {
        properties: {
          ...keywords('trace_name', 'trace_type', 'trace_rating', 'code', 'api_version', 'request_id', 'access_key_id', ),
          request: { type: 'text' },
          response: { type: 'text' },
          record_time: { type: 'date' },
          root_user: { type: 'boolean' },
        },
      },
    },
  },
};
