import { json, type Api } from '../../../bad-inputs/api';
import { withBody } from '../../../bad-inputs/tampering-proxy';
import { scenarioFixture } from './scenario';

export const badInputApi: Api = {
  type: 'alibaba-actiontrail',
  // What the shared cases expect of this API, written out (docs/testing.md has the catalogue).
  facts: {
    attempts: 4,
    keys: {
      id: 'accessKeyId',
      secret: 'accessKeySecret',
      badSignature: ['SignatureDoesNotMatch', /Specified signature is not matched with our calculation/],
      unknownKey: ['InvalidAccessKeyId.NotFound', /Specified access key is not found/],
    },
    bigMappedField: (_good, bytes) => ({ requestParameters: { blob: 'p'.repeat(bytes) } }),
    unusableToken: /alibaba-actiontrail page token "not-a-token" in the cursor is not a LookupEvents NextToken \(base64 text\); reset the source's cursor/,
    wrongTypedTime: 1748847600,
  },
  fixture: scenarioFixture,
  timeField: 'eventTime',
  formatTime: (seconds) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z'),
  textField: 'eventName',
  listField: 'Events',
  requestIdHeader: 'x-acs-request-id',
  records: (body) => body.Events ?? [],
  // LookupEvents reports no total.
  withRecords: (body, records) => ({ ...body, Events: records }),
  distinct: (record, tag) => ({ ...record, eventId: `${record.eventId}-${tag}` }),
  unknownErrorCode: 'ActionTrail.NeverSeenBefore',
  // HTTP 4xx/5xx with {RequestId, HostId, Code, Message}; the request id travels in the body and in x-acs-request-id.
  errorAnswer: (answer, code, message, status = 400) =>
    withBody(answer, JSON.stringify({ RequestId: json(answer).RequestId ?? answer.headers['x-acs-request-id'], HostId: 'actiontrail.cn-hangzhou.aliyuncs.com', Code: code, Message: message }), 'application/json', status),
};
