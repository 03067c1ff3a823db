import { added, type Api } from '../../../bad-inputs/api';
import { withBody } from '../../../bad-inputs/tampering-proxy';
import { scenarioFixture } from './scenario';

export const badInputApi: Api = {
  type: 'huawei-cts',
  // What the shared cases expect of this API, written out (docs/testing.md has the catalogue).
  facts: {
    attempts: 5,
    keys: {
      id: 'accessKeyId',
      secret: 'secretAccessKey',
      badSignature: ['APIGW.0301', /verify aksk signature fail$/],
      unknownKey: ['APIGW.0301', /AK not found/],
    },
    bigMappedField: (_good, bytes) => ({ message: 'm'.repeat(bytes) }),
    unusableToken: /huawei-cts page token "not-a-token" in the cursor is not a trace marker; reset the source's cursor/,
    wrongTypedTime: { ms: 1748847600000 },
  },
  fixture: scenarioFixture,
  timeField: 'time',
  // Epoch milliseconds, as ListTraces writes `time`.
  formatTime: (seconds: number) => seconds * 1000,
  textField: 'resource_name',
  listField: 'traces',
  requestIdHeader: 'x-request-id',
  records: (body) => body.traces ?? [],
  withRecords: (body, records) => {
    const count = body.meta_data.count + added(body.traces, records);
    return { ...body, traces: records, meta_data: { ...body.meta_data, count } };
  },
  distinct: (record, tag) => ({ ...record, trace_id: `${record.trace_id}-${tag}` }),
  unknownErrorCode: 'CTS.9999',
  // HTTP 4xx with error_code/error_msg; the request id travels in X-Request-Id.
  errorAnswer: (answer, code, message, status = 400) => withBody(answer, JSON.stringify({ error_code: code, error_msg: message }), 'application/json', status),
};
