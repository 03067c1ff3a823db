import { formatBeijingTime } from '../../../../shared/providers/tencent/ssl/beijing-time';
import { added, type Api } from '../../../bad-inputs/api';
import { tencentErrorAnswer } from '../bad-inputs';
import { scenarioFixture } from './scenario';

export const badInputApi: Api = {
  type: 'tencent-ssl',
  fixture: scenarioFixture,
  timeField: 'CreatedOn',
  formatTime: formatBeijingTime,
  textField: 'Action',
  listField: 'OperateLogs',
  records: (body) => body.Response.OperateLogs ?? [],
  withRecords: (body, records) => {
    const more = added(body.Response.OperateLogs, records);
    return { Response: { ...body.Response, OperateLogs: records, TotalCount: body.Response.TotalCount + more, AllTotal: body.Response.AllTotal + more } };
  },
  distinct: (record, tag) => ({ ...record, CertId: `${record.CertId}-${tag}` }),
  unknownErrorCode: 'FailedOperation.NeverSeenBefore',
  errorAnswer: tencentErrorAnswer,
};
