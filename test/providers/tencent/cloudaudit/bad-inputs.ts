import { added, type Api } from '../../../bad-inputs/api';
import { tencentErrorAnswer } from '../bad-inputs';
import { scenarioFixture } from './scenario';

export const badInputApi: Api = {
  type: 'tencent-cloudaudit',
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
