import { keywords, type SiemFacts } from '../../siem';

export const actionTrailSiem: SiemFacts = {
  splunk: {
    sourcetype: 'alibabacloud:actiontrail',
    vendor: 'Alibaba Cloud',
    product: 'ActionTrail',
    description: 'Alibaba Cloud ActionTrail events',
    eventtypes: [
      { description: 'Alibaba Cloud ActionTrail API calls, console operations and sign-ins, delivered by cloudtap', tags: ['change'] },
      {
        name: 'signin',
        where: 'event.action IN (ConsoleSignin, ConsoleSignout)',
        description: 'Alibaba Cloud console sign-ins and sign-outs',
        tags: ['authentication'],
      },
      {
        // A change to ActionTrail itself (a trail) is a change to auditing: CIM Auditing_Changes.
        name: 'audit_config',
        where: 'event.action IN (CreateTrail, UpdateTrail, DeleteTrail, StartLogging, StopLogging)',
        description: 'Changes to Alibaba Cloud ActionTrail trails: changes to auditing',
        tags: ['change', 'audit'],
      },
    ],
  },
  elastic: {
    namespace: 'alibaba',
    properties: {
      ...keywords('audited_request_id', 'access_key_id', 'identity_type', 'event_type', 'event_rw', 'event_category', 'api_version'),
      is_global: { type: 'boolean' },
      mfa: { type: 'boolean' },
      ...keywords('login_account', 'source_ip_text', 'source_cidrs', 'acl'),
      request_parameters: { type: 'flattened', ignore_above: 1024 },
    },
  },
};
