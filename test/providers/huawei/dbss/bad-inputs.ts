import { dbssRecordTime, formatDbssTime, generateDbssEvents, startDbssSimulator, type DbssEventRecord } from '../../../../simulators/huawei/dbss/simulator';
import { IAM_TOKENS_ROUTE, type IamSimulator } from '../../../../simulators/huawei/iam';
import { added, type Api } from '../../../bad-inputs/api';
import { withBody } from '../../../bad-inputs/tampering-proxy';
import type { SimulatorHandle } from '../../../scenarios/fixture';
import { scenarioFixture } from './scenario';

export const badInputApi: Api = {
  type: 'huawei-dbss',
  // What the shared cases expect of this API, written out (docs/testing.md has the catalogue).
  facts: {
    attempts: 5,
    keys: {
      id: 'accessKeyId',
      secret: 'secretAccessKey',
      badSignature: ['APIGW.0301', /verify aksk signature fail$/],
      unknownKey: ['APIGW.0301', /AK not found/],
    },
    bigMappedField: (_good, bytes) => ({ description: 'd'.repeat(bytes) }),
    unusableToken: /huawei-dbss: page token "not-a-token" is not a page number/,
    wrongTypedTime: ['2025-06-02 07:10:00'],
  },
  fixture: scenarioFixture,
  timeField: 'time',
  formatTime: formatDbssTime,
  textField: 'user',
  listField: 'operate_log',
  requestIdHeader: 'x-request-id',
  records: (body) => body.operate_log ?? [],
  withRecords: (body, records) => ({ ...body, operate_log: records, total_num: body.total_num + added(body.operate_log, records) }),
  distinct: (record, tag) => ({ ...record, id: `${record.id}-${tag}` }),
  unknownErrorCode: 'DBSS.19990001',
  // HTTP 4xx with error_code/error_msg; the request id travels in X-Request-Id.
  errorAnswer: (answer, code, message, status = 400) => withBody(answer, JSON.stringify({ error_code: code, error_msg: message }), 'application/json', status),
};


// DBSS in IAM token mode (the scenario fixture signs with AK/SK)

/** An obviously fake IAM user; its password must never show up anywhere. */
export const IAM_USER = { domainName: 'badinput-fake-domain', userName: 'badinput-reader', password: 'badInputFakeIamPassword-7Qv2' } as const;
const TOKEN_PROJECT = '6d2e1f0c3b4a59687796a5b4c3d2e1f0';
const TOKEN_INSTANCE = 'c8f4b0d26e3a5f719b2c3d4e5f6a7b8cin01';

export interface TokenSimulatorHandle extends SimulatorHandle {
  iam: IamSimulator;
  /** The request ids of the IAM token requests, in order. */
  iamRequestIds(): string[];
}

/** DBSS with IAM password tokens: IAM and DBSS on one simulated Huawei endpoint. */
export const dbssTokenMode: Api = {
  ...badInputApi,
  fixture: {
    ...scenarioFixture,
    async start({ now }) {
      const { server, dbss: store, iam } = await startDbssSimulator({
        iamUsers: [{ ...IAM_USER, projects: [TOKEN_PROJECT] }],
        instances: [{ projectId: TOKEN_PROJECT, instanceId: TOKEN_INSTANCE }],
        now,
      });
      const route = 'dbss.operation-log';
      const handle = {
        endpoint: server.url,
        instance: {
          region: 'cn-north-4',
          options: { projectId: TOKEN_PROJECT, instanceId: TOKEN_INSTANCE, authMode: 'token', iamEndpoint: server.url, pageSize: 50 },
        },
        credentials: { ...IAM_USER },
        iam,
        iamRequestIds: () => server.requestsFor(IAM_TOKENS_ROUTE).map((request) => request.requestId),
        // Plain generated records: the cases here need neither pairs nor bursts.
        addEvents: ({ count, from, to, seed }: Parameters<SimulatorHandle['addEvents']>[0]) =>
          store.addEvents(TOKEN_PROJECT, TOKEN_INSTANCE, generateDbssEvents({ count, from, to, seed })),
        records: () => store.records(TOKEN_PROJECT, TOKEN_INSTANCE).map((record) => structuredClone(record) as unknown),
        eventTime: (record: unknown) => dbssRecordTime(record as DbssEventRecord),
        inject: () => {
          throw new Error('the token-mode fixture injects no faults; the cases use the IAM simulator or the proxy');
        },
        requestCount: () => server.requestsFor(route).length,
        requestIds: () => server.requestsFor(route).map((request) => request.requestId),
        close: () => server.close(),
      };
      // The scenario contract also tallies faults acted out; this fixture acts out none.
      const tokenHandle: TokenSimulatorHandle = Object.assign(handle, { faultsActed: () => ({}) });
      return tokenHandle;
    },
  },
};
