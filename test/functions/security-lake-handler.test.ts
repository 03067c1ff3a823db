/**
 * The deployed puller with the Security Lake destination, invoked as Lambda would: its
 * environment as the stack sets it (CLOUDTAP_DESTINATION security-lake, a stream per OCSF
 * class in CLOUDTAP_DELIVERY_STREAMS), against dynalite, the Firehose wire-API server,
 * Secrets Manager and the CloudAudit simulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveInstance } from '../../shared/config/load';
import { sourceInstanceSchema } from '../../shared/config/schema';
import type { SourceInstanceConfig } from '../../shared/providers/definition';
import { cloudAuditDefinition } from '../../shared/providers/tencent/cloudaudit/definition';
import { generateCloudAuditEvents, startCloudAuditSimulator, type CloudAuditSimulator } from '../../simulators/tencent/cloudaudit/simulator';
import type { TencentApiServer } from '../../simulators/tencent/api-server';
import { invokeCapturing, lambdaContext, pullMessage, queueEvent, startSourceHandler, type SourceHandlerEnvironment } from '../support/source-handler';

const API_STREAM = 'cloudtap-lake-6003';
const AUTH_STREAM = 'cloudtap-lake-3002';
const TENCENT = { secretId: 'AKIDlakeHandlerFakeId', secretKey: 'lakeHandlerFakeSecretKey' };

let environment: SourceHandlerEnvironment<{ server: TencentApiServer; cloudaudit: CloudAuditSimulator }>;

beforeAll(async () => {
  environment = await startSourceHandler({
    type: 'tencent-cloudaudit',
    table: 'cloudtap-lake-cursors',
    // The single-stream variable the stack still sets (the API Activity stream); the puller uses the map.
    stream: API_STREAM,
    moreStreams: [AUTH_STREAM],
    simulator: () => startCloudAuditSimulator({ credentials: [TENCENT] }),
    awsEnv: { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIALOCALLAKETEST', AWS_SECRET_ACCESS_KEY: 'local-lake-test-secret' },
    env: {
      CLOUDTAP_DESTINATION: '{"type":"security-lake","rawData":false}',
      CLOUDTAP_DELIVERY_STREAMS: JSON.stringify({ '6003': API_STREAM, '3002': AUTH_STREAM }),
    },
  });
});
afterAll(() => environment?.stop());

function instance(id: string): SourceInstanceConfig {
  const input = sourceInstanceSchema.parse({ id, type: 'tencent-cloudaudit', region: 'ap-guangzhou', endpoint: environment.simulator.server.url, lag: '1m', start: '2h' });
  const problems: string[] = [];
  const resolved = resolveInstance(input, cloudAuditDefinition, 'sources[0]', problems);
  expect(problems).toEqual([]);
  return resolved as SourceInstanceConfig;
}

describe('puller Lambda with the Security Lake destination', () => {
  it('puts OCSF JSON into the stream of each class, every event once, and checkpoints', async () => {
    const now = Math.floor(Date.now() / 1000);
    const events = generateCloudAuditEvents({ count: 150, from: now - 7_000, to: now - 120, seed: 16 });
    environment.simulator.cloudaudit.addEvents(events);
    environment.secrets.putSecret('cloudtap/lake-audit', TENCENT);

    const run = await invokeCapturing(environment.handler, queueEvent(pullMessage(instance('lake-audit'), 'cloudtap/lake-audit')), lambdaContext('req-lake-1'));
    expect(run.error).toBeUndefined();
    expect(run.response).toEqual({ batchItemFailures: [] });
    expect(run.summaries[0]).toMatchObject({ sourceId: 'lake-audit', stoppedBy: 'caught-up' });

    const objects = (stream: string) =>
      environment.firehose.acknowledgedRecords(stream).flatMap((record) => record.toString('utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line)));
    const api = objects(API_STREAM);
    const auth = objects(AUTH_STREAM);
    expect(api.every((record) => record.class_uid === 6003)).toBe(true);
    expect(auth.every((record) => record.class_uid === 3002)).toBe(true);
    // Every event delivered once, as OCSF (the ids are the ECS event ids the mapping gave).
    const uids = [...api, ...auth].map((record) => record.metadata.uid);
    expect(new Set(uids).size).toBe(uids.length);
    expect(uids.length).toBe(run.summaries[0]!.delivered);
    expect([...api, ...auth].every((record) => record.metadata.version === '1.1.0' && record.metadata.product.feature.name === 'tencent-cloudaudit')).toBe(true);
    expect(api.length).toBeGreaterThan(0);
  });
});
