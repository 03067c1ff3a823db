import { added, type Api } from '../../../bad-inputs/api';
import { tencentErrorAnswer } from '../bad-inputs';
import { scenarioFixture } from './scenario';

export const badInputApi: Api = {
  type: 'tencent-cloudaudit',
  // What the shared cases expect of this API, written out (docs/testing.md has the catalogue).
  facts: {
    attempts: 4,
    keys: {
      id: 'secretId',
      secret: 'secretKey',
      badSignature: ['AuthFailure.SignatureFailure', /could not be validated/],
      unknownKey: ['AuthFailure.SecretIdNotFound', /SecretId is not found/],
    },
    bigMappedField: (good, bytes) => ({
      CloudAuditEvent: JSON.stringify({ ...JSON.parse(good.CloudAuditEvent), requestParameters: JSON.stringify({ blob: 'p'.repeat(bytes) }) }),
    }),
    unusableToken: /tencent-cloudaudit page token "not-a-token" in the cursor is not a NextToken; reset the source's cursor/,
    wrongTypedTime: { seconds: 1748847600 },
  },
  fixture: scenarioFixture,
  timeField: 'EventTime',
  formatTime: (seconds) => seconds,
  textField: 'Username',
  listField: 'Events',
  records: (body) => body.Response.Events ?? [],
  withRecords: (body, records) => ({ Response: { ...body.Response, Events: records, TotalCount: body.Response.TotalCount + added(body.Response.Events, records) } }),
  distinct: (record, tag) => ({ ...record, EventId: `${record.EventId}-${tag}` }),
  unknownErrorCode: 'FailedOperation.NeverSeenBefore',
  errorAnswer: tencentErrorAnswer,
};
