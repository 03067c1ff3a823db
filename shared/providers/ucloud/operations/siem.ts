import { keywords, type SiemFacts } from '../../siem';

export const ucloudOperationsSiem: SiemFacts = {
  splunk: {
    sourcetype: 'ucloud:operations',
    vendor: 'UCloud',
    product: 'Operation Log',
    description: 'UCloud user operation events',
    eventtypes: [{ description: 'UCloud user operation events, delivered by cloudtap', tags: ['change'] }],
  },
  elastic: {
    namespace: 'ucloud',
    properties: {
      related_resources: { properties: keywords('id', 'name') },
    },
  },
};
