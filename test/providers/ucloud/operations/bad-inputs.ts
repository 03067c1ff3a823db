import type { Api } from '../../../bad-inputs/api';
import { withBody } from '../../../bad-inputs/tampering-proxy';
import { scenarioFixture } from './scenario';

export const badInputApi: Api = {
  type: 'ucloud-operations',
  // What the shared cases expect of this API, written out (docs/testing.md has the catalogue).
  facts: {
    attempts: 4,
    keys: { id: 'publicKey', secret: 'privateKey', badSignature: ['171', /Signature VerifyAC Error/], unknownKey: ['172', /User Not Exists/] },
    // Resource lists rather than one long text: 30,000 entries make well over a record.
    bigMappedField: () => ({
      RelatedResource: Array.from({ length: 30_000 }, (_, i) => ({ ResourceId: `uhost-${String(i).padStart(8, '0')}`, ResourceName: `batch-worker-${i}` })),
    }),
    unusableToken: /ucloud-operations page token in the cursor is unusable \(unknown format\); reset the source's cursor/,
    wrongTypedTime: true,
  },
  fixture: scenarioFixture,
  timeField: 'OperateTime',
  formatTime: (seconds) => seconds,
  textField: 'UserName',
  listField: 'Events',
  requestIdHeader: 'x-ucloud-request-uuid',
  records: (body) => body.Events ?? [],
  withRecords: (body, records) => ({ ...body, Events: records }),
  distinct: (record, tag) => ({ ...record, UserName: `${record.UserName}-${tag}` }),
  unknownErrorCode: 17999,
  // HTTP 200 with a non-zero RetCode; the request id travels in X-UCloud-Request-UUID.
  errorAnswer: (answer, code, message) =>
    withBody(answer, JSON.stringify({ Action: 'GetUserOperationEventsResponse', RetCode: Number(code), Message: message })),
};
