import { keywords, type SiemFacts } from '../../siem';

export const cloudAuditSiem: SiemFacts = {
  splunk: {
    sourcetype: 'tencentcloud:cloudaudit',
    vendor: 'Tencent Cloud',
    product: 'CloudAudit',
    description: 'Tencent Cloud CloudAudit events',
    eventtypes: [
      { description: 'Tencent Cloud CloudAudit API and console operations, delivered by cloudtap', tags: ['change'] },
      {
        // A change to CloudAudit itself (a track, the audit settings) is a change to auditing: CIM Auditing_Changes.
        name: 'audit_config',
        where: 'object_category=cloudaudit NOT action=read',
        description: 'Changes to Tencent Cloud CloudAudit itself (tracks, audit settings): changes to auditing',
        tags: ['change', 'audit'],
      },
    ],
  },
  elastic: {
    namespace: 'tencent',
    properties: {
      ...keywords('audited_request_id', 'access_key_id', 'identity_type', 'event_type', 'action_type', 'api_version', 'sensitive_action'),
      is_risk: { type: 'boolean' },
      mfa: { type: 'boolean' },
      session_ip: { type: 'ip' },
      ...keywords('location', 'event_name_cn', 'resource_type_cn'),
      request_parameters: { type: 'flattened', ignore_above: 1024 },
      request_parameters_raw: { type: 'object', enabled: false },
    },
    processors: [
      {
        rename: {
          tag: 'request_parameters_not_object',
          description: 'A flattened field takes only objects; keep anything else unindexed rather than reject the document',
          if: 'ctx.cloudtap?.tencent?.request_parameters != null && !(ctx.cloudtap.tencent.request_parameters instanceof Map)',
          field: 'cloudtap.tencent.request_parameters',
          target_field: 'cloudtap.tencent.request_parameters_raw',
        },
      },
    ],
  },
};
