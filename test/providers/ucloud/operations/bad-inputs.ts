import type { Api } from '../../../bad-inputs/api';
import { withBody } from '../../../bad-inputs/tampering-proxy';
import { scenarioFixture } from './scenario';

export const badInputApi: Api = {
  type: 'ucloud-operations',
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
