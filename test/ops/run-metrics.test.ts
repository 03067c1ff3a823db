/**
 * Run metrics as the deployed handler emits them: functions/pull/handler.ts for tencent-cloudaudit
 * invoked as Lambda would, against dynalite, the Firehose wire-API server, a
 * Secrets Manager server and the CloudAudit simulator. stdout is captured and
 * the EMF object (`_aws.CloudWatchMetrics`) parsed back, as CloudWatch would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveInstance } from '../../shared/config/load';
import { sourceInstanceSchema } from '../../shared/config/schema';
import { ProviderError } from '../../shared/lib/errors';
import { runMetricValues } from '../../shared/ops/run-metrics';
import type { SourceInstanceConfig } from '../../shared/providers/definition';
import { cloudAuditDefinition } from '../../shared/providers/tencent/cloudaudit/definition';
import type { PullMessage } from '../../shared/runtime/invocation';
import type { TencentApiServer } from '../../simulators/tencent/api-server';
import { generateCloudAuditEvents, startCloudAuditSimulator, type CloudAuditSimulator } from '../../simulators/tencent/cloudaudit/simulator';
import {
  invokeCapturing,
  lambdaContext,
  pullMessage,
  queueEvent,
  startSourceHandler,
  type Handler,
  type SourceHandlerEnvironment,
} from '../support/source-handler';
import type { SecretsManagerServer } from '../support/secrets-manager-server';

const TABLE = 'cloudtap-metrics-cursors';
const STREAM = 'cloudtap-metrics-events';
const TENCENT = { secretId: 'AKIDmetricsTestKeyId01', secretKey: 'metrics-test-secret-key-0001' };
const AWS_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIALOCALMETRICSTEST',
  AWS_SECRET_ACCESS_KEY: 'local-metrics-test-secret-access-key',
};
const COUNTS = ['EventsPulled', 'EventsDelivered', 'Pages', 'MappingErrors', 'ThrottledRetries', 'Retries', 'RunsFailed', 'RunsSkipped', 'DeliveryFailures'];

type Line = Record<string, any>;

let secrets: SecretsManagerServer;
let server: TencentApiServer;
let cloudaudit: CloudAuditSimulator;
let handler: Handler;
let environment: SourceHandlerEnvironment<{ server: TencentApiServer; cloudaudit: CloudAuditSimulator }> | undefined;

beforeAll(async () => {
  environment = await startSourceHandler({
    type: 'tencent-cloudaudit',
    table: TABLE,
    stream: STREAM,
    simulator: () => startCloudAuditSimulator({ credentials: [TENCENT], enforceRateLimit: true }),
    awsEnv: AWS_ENV,
    // Powertools' defaults, so the EMF namespace and service are the deployed ones.
    unset: ['POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_DISABLED', 'POWERTOOLS_DEV'],
  });
  ({ secrets, handler } = environment);
  ({ server, cloudaudit } = environment.simulator);
});

afterAll(() => environment?.stop());

function instance(id: string): SourceInstanceConfig {
  const input = sourceInstanceSchema.parse({ id, type: 'tencent-cloudaudit', region: 'ap-guangzhou', endpoint: server.url, lag: '1m', start: '2h' });
  const problems: string[] = [];
  const resolved = resolveInstance(input, cloudAuditDefinition, 'sources[0]', problems);
  expect(problems).toEqual([]);
  return resolved as SourceInstanceConfig;
}

/**
 * Invoke the handler with one message; its run's summary (or the failure line), and the JSON lines it
 * wrote, split into logs and EMF. `failed` says whether the record was reported failed.
 */
async function invoke(message: PullMessage, requestId: string) {
  const event = queueEvent(message);
  const run = await invokeCapturing(handler, event, lambdaContext(requestId));
  expect(run.error).toBeUndefined();
  const failed = run.response!.batchItemFailures.some((failure) => failure.itemIdentifier === event.Records[0]!.messageId);
  const logs = run.lines.filter((line) => !line._aws);
  return { result: run.summaries[0], failure: run.failures[0], failed, emf: run.emf, logs, before: run.before, after: run.after };
}

/**
 * The run's single EMF object, checked for namespace, dimensions and units; its values by name.
 * `hasCursor`: the source has a cursor after the run, so its lag is measured (a first run that
 * failed before its first checkpoint has none).
 */
function runMetrics(emf: Line[], sourceId: string, { hasCursor = true } = {}): Record<string, number> {
  const mine = emf.filter((line) => line.SourceId === sourceId);
  expect(mine).toHaveLength(1);
  const object = mine[0]!;
  expect(object._aws.CloudWatchMetrics).toHaveLength(1);
  const directive = object._aws.CloudWatchMetrics[0];
  expect(directive.Namespace).toBe('cloudtap');
  // SourceId is a property, not a dimension: per-instance metrics would cost $0.30 each a month.
  expect(directive.Dimensions).toEqual([['service', 'SourceType']]);
  expect(object).toMatchObject({ service: 'cloudtap', SourceType: 'tencent-cloudaudit', SourceId: sourceId });
  const units = Object.fromEntries((directive.Metrics as { Name: string; Unit: string }[]).map((m) => [m.Name, m.Unit]));
  for (const name of COUNTS) expect(units[name], name).toBe('Count');
  expect(units.RunDurationMs).toBe('Milliseconds');
  expect(units.IngestionLagSeconds).toBe(hasCursor ? 'Seconds' : undefined);
  return Object.fromEntries(Object.keys(units).map((name) => [name, object[name] as number]));
}

/** The instance's message, its secret stored under its set's name. */
function messageFor(id: string): PullMessage {
  secrets.putSecret(`cloudtap/${id}`, TENCENT);
  return pullMessage(instance(id), `cloudtap/${id}`);
}

describe('ProviderError.throttled', () => {
  it.each([
    [429, false, true],
    [400, false, false],
    [undefined, true, true],
    [500, false, false],
  ] as const)('HTTP %s with throttling code %s: throttled %s', (httpStatus, throttledCode, expected) => {
    expect(new ProviderError('any', 'X', 'x', 'req', true, httpStatus, throttledCode).throttled).toBe(expected);
  });
});

describe('runMetricValues', () => {
  it('a failed run still counts what it delivered, raw records included, and its retries, from its progress', () => {
    const progress = { sourceId: 'audit', pages: 2, pulled: 100, delivered: 100, mappingErrors: 3, retries: 5, throttledRetries: 2 };
    const values = runMetricValues({ sourceType: 'tencent-cloudaudit', sourceId: 'audit', progress, failed: true, durationMs: 5 });
    expect(values).toMatchObject({ EventsDelivered: 100, Pages: 2, MappingErrors: 3, RunsFailed: 1, Retries: 5, ThrottledRetries: 2 });
  });
});

describe('run metrics from the Lambda handler', () => {
  it('a successful run: volume, pages, no failure, lag of about the configured lag, duration', async () => {
    const now = Math.floor(Date.now() / 1000);
    cloudaudit.addEvents(generateCloudAuditEvents({ count: 80, from: now - 7_000, to: now - 120, seed: 11 }));
    const run = await invoke(messageFor('metrics-ok'), 'req-m-0001');
    expect(run.failed).toBe(false);
    const summary = run.result!;
    const values = runMetrics(run.emf, 'metrics-ok');
    expect(values).toMatchObject({
      EventsPulled: summary.pulled,
      EventsDelivered: summary.delivered,
      Pages: summary.pages,
      MappingErrors: 0,
      ThrottledRetries: 0,
      Retries: 0,
      RunsFailed: 0,
      RunsSkipped: 0,
      DeliveryFailures: 0,
    });
    expect(summary.pulled).toBeGreaterThanOrEqual(80);
    expect(values.Pages).toBeGreaterThanOrEqual(4);
    // The cursor ends at now - lag (1 minute): that is the lag.
    // Measured when the metrics were built, somewhere between the invocation's start and its return.
    expect(values.IngestionLagSeconds).toBeGreaterThanOrEqual(Math.floor(run.before / 1000) - summary.cursor!.windowStart);
    expect(values.IngestionLagSeconds).toBeLessThanOrEqual(Math.floor(run.after / 1000) - summary.cursor!.windowStart);
    expect(values.IngestionLagSeconds).toBeGreaterThanOrEqual(60);
    expect(values.IngestionLagSeconds).toBeLessThanOrEqual(62);
    expect(values.RunDurationMs).toBeGreaterThan(0);
    expect(values.RunDurationMs).toBeLessThanOrEqual(run.after - run.before);
    // Every log line of the run carries the source id.
    expect(run.logs.length).toBeGreaterThan(0);
    for (const line of run.logs) expect(line).toMatchObject({ sourceId: 'metrics-ok', function_request_id: 'req-m-0001' });
  });

  it('a throttled run counts the throttled retries and still delivers everything', async () => {
    const message = messageFor('metrics-throttled');
    server.faults.push({ kind: 'throttle', action: 'DescribeEvents', times: 3 }, { kind: 'internal', action: 'DescribeEvents' });
    const run = await invoke(message, 'req-m-0101');
    expect(run.failed).toBe(false);
    const values = runMetrics(run.emf, 'metrics-throttled');
    expect(values).toMatchObject({ ThrottledRetries: 3, Retries: 4, RunsFailed: 0, EventsDelivered: run.result!.delivered });
    const retried = run.logs.filter((line) => line.message === 'tencent request failed; retrying');
    expect(retried.map((line) => line.code)).toEqual(['RequestLimitExceeded', 'RequestLimitExceeded', 'RequestLimitExceeded', 'InternalError']);
    for (const line of retried) {
      expect(line).toMatchObject({ sourceId: 'metrics-throttled' });
      expect(line.requestId).toEqual(expect.any(String));
    }
  });

  it('a run that fails on throttling still counts the retries it made before giving up', async () => {
    const message = messageFor('metrics-throttled-out');
    // Every request throttled: the first to spend the client's 4 attempts fails the run after 3 throttled retries
    // (other lanes' requests, cancelled then, may add theirs).
    server.faults.push({ kind: 'throttle', action: 'DescribeEvents', times: 1_000 });
    const run = await invoke(message, 'req-m-0151');
    server.faults.clear();
    expect(run.failed).toBe(true);
    expect(run.failure).toMatchObject({ message: 'run failed', errorName: 'ProviderError', code: 'RequestLimitExceeded' });
    const values = runMetrics(run.emf, 'metrics-throttled-out', { hasCursor: false });
    expect(values).toMatchObject({ RunsFailed: 1, Pages: 0 });
    expect(values.ThrottledRetries).toBeGreaterThanOrEqual(3);
    expect(values.Retries).toBe(values.ThrottledRetries);
  });

  it('a failed run emits RunsFailed, lag from the stored cursor, and one ERROR line with the provider code and request id', async () => {
    const message = messageFor('metrics-failed');
    const first = await invoke(message, 'req-m-0201');
    expect(first.failed).toBe(false);
    const storedStart = first.result!.cursor!.windowStart;
    // Let now - lag pass the cursor so the next run has a window to page.
    await new Promise((resolve) => setTimeout(resolve, 1_100));

    server.faults.push({ kind: 'error', action: 'DescribeEvents', code: 'AuthFailure.SecretIdNotFound', message: 'The SecretId is not found.' });
    const run = await invoke({ ...message, dueAt: Math.floor(Date.now() / 1000) }, 'req-m-0202');
    // Reported failed, so only this record returns to the queue (and from there to the failed-invocations queue).
    expect(run.failed).toBe(true);
    const values = runMetrics(run.emf, 'metrics-failed');
    expect(values).toMatchObject({ RunsFailed: 1, DeliveryFailures: 1, EventsPulled: 0, EventsDelivered: 0, Pages: 0, ThrottledRetries: 0 });
    expect(values.IngestionLagSeconds).toBeGreaterThanOrEqual(Math.floor(run.before / 1000) - storedStart);
    expect(values.IngestionLagSeconds).toBeLessThanOrEqual(Math.floor(run.after / 1000) - storedStart);
    expect(values.IngestionLagSeconds).toBeGreaterThanOrEqual(61);

    const errors = run.logs.filter((line) => line.level === 'ERROR');
    expect(errors).toHaveLength(1);
    const failure = errors[0]!;
    expect(failure).toMatchObject({
      message: 'run failed',
      sourceId: 'metrics-failed',
      sourceType: 'tencent-cloudaudit',
      function_request_id: 'req-m-0202',
      errorName: 'ProviderError',
      provider: 'tencent',
      code: 'AuthFailure.SecretIdNotFound',
    });
    const requestId = server.requestsFor('DescribeEvents').at(-1)!.requestId;
    expect(failure.requestId).toBe(requestId);
    expect(failure.error).toContain(`request ${requestId}`);
    expect(JSON.stringify(run.logs)).not.toContain(TENCENT.secretKey);
  });

  it('a skipped run: RunsSkipped alone, under the same dimensions, with SourceId and SkipReason as properties', async () => {
    const message = messageFor('metrics-late');
    const run = await invoke({ ...message, dueAt: message.dueAt - 2 * message.periodSeconds }, 'req-m-0301');
    expect(run.failed).toBe(false);
    const mine = run.emf.filter((line) => line.SourceId === 'metrics-late');
    expect(mine).toHaveLength(1);
    const directive = mine[0]!._aws.CloudWatchMetrics[0];
    expect(directive).toMatchObject({ Namespace: 'cloudtap', Dimensions: [['service', 'SourceType']], Metrics: [{ Name: 'RunsSkipped', Unit: 'Count' }] });
    expect(mine[0]).toMatchObject({ service: 'cloudtap', SourceType: 'tencent-cloudaudit', SourceId: 'metrics-late', SkipReason: 'expired', RunsSkipped: 1 });
  });
});
