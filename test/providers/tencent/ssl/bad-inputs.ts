import { formatBeijingTime } from '../../../../shared/providers/tencent/ssl/beijing-time';
import { added, type Api } from '../../../bad-inputs/api';
import { tencentErrorAnswer } from '../bad-inputs';
import { scenarioFixture } from './scenario';

export const badInputApi: Api = {
  type: 'tencent-ssl',
  // What the shared cases expect of this API, written out (docs/testing.md has the catalogue).
  facts: {
    attempts: 4,
    keys: {
      id: 'secretId',
      secret: 'secretKey',
      badSignature: ['AuthFailure.SignatureFailure', /could not be validated/],
      unknownKey: ['AuthFailure.SecretIdNotFound', /SecretId is not found/],
    },
    bigMappedField: (_good, bytes) => ({ Action: `User [uin: 100000000101] uploads certificate ${'a'.repeat(bytes)}` }),
    unusableToken: /page token "not-a-token" does not belong to window \d+-\d+/,
    wrongTypedTime: 1748847600,
  },
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
