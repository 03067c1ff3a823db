/**
 * The deployed entry point, invoked as Lambda would: functions/pull/handler.ts told tencent-cloudaudit,
 * fed by its queue's event source mapping (an SQS event of PullMessages) with a Lambda context, its
 * store, sink and secret
 * read through the AWS SDK's own endpoint environment variables, against
 * dynalite, the Firehose wire-API server, a Secrets Manager server and the
 * CloudAudit simulator. The handler builds its store and sink at import, so the
 * environment is set before it is imported. Everything runs on the real clock.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveInstance } from '../../shared/config/load';
import { sourceInstanceSchema } from '../../shared/config/schema';
import { ConfigError } from '../../shared/lib/errors';
import { DynamoDbCursorStore, sourceKey } from '../../shared/cursor/dynamodb-store';
import type { SourceInstanceConfig } from '../../shared/providers/definition';
import { cloudAuditDefinition } from '../../shared/providers/tencent/cloudaudit/definition';
import type { TencentApiServer } from '../../simulators/tencent/api-server';
import { generateCloudAuditEvents, startCloudAuditSimulator, type CloudAuditSimulator } from '../../simulators/tencent/cloudaudit/simulator';
import { documentKey, recordKey } from '../scenarios/harness';
import {
  invokeCapturing,
  lambdaContext,
  pullMessage,
  queueEvent,
  startSourceHandler,
  type Handler,
  type SourceHandlerEnvironment,
} from '../support/source-handler';
import type { TestDynamoDb } from '../support/dynamodb';
import type { FirehoseServer } from '../support/firehose-server';
import type { SecretsManagerServer } from '../support/secrets-manager-server';

const TABLE = 'cloudtap-handler-cursors';
const STREAM = 'cloudtap-handler-events';
/** The keys the simulator accepts; planted so the test can search every output for them. */
const TENCENT = {
  secretId: 'AKIDhdl4Lm9QxPlanted0Id',
  secretKey: 'hK-Qw7Zp2Xc5VbN3mL8tRplanted',
  token: 'hT-8sKd0PzW4yUq1eJ6planted',
};
const PLANTED = Object.values(TENCENT);
/** AWS keys of the function's role, as the Lambda runtime would put them in the environment. */
const AWS_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIALOCALHANDLERTEST',
  AWS_SECRET_ACCESS_KEY: 'local-handler-test-secret-access-key',
};

let db: TestDynamoDb;
let firehose: FirehoseServer;
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
    env: { POWERTOOLS_LOG_LEVEL: 'DEBUG' },
  });
  ({ db, firehose, secrets, handler } = environment);
  ({ server, cloudaudit } = environment.simulator);
});

afterAll(() => environment?.stop());

beforeEach(() => {
  firehose.faults.reset();
});

/** A validated instance, as the stack writes it into the schedule's input. */
function instance(id: string, overrides: Record<string, unknown> = {}): SourceInstanceConfig {
  const input = sourceInstanceSchema.parse({
    id,
    type: 'tencent-cloudaudit',
    region: 'ap-guangzhou',
    endpoint: server.url,
    lag: '1m',
    start: '2h',
    ...overrides,
  });
  const problems: string[] = [];
  const resolved = resolveInstance(input, cloudAuditDefinition, 'sources[0]', problems);
  expect(problems).toEqual([]);
  return resolved as SourceInstanceConfig;
}

/** Invoke the handler, capturing what it writes to stdout/stderr (Powertools logs there). */
const invoke = (event: unknown, context: Context) => invokeCapturing(handler, event, context);

async function item(sourceId: string) {
  const out = await db.client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: sourceKey('tencent-cloudaudit', sourceId) } }, ConsistentRead: true }));
  return out.Item;
}

const expectNoCredential = (where: string, text: string, values: readonly string[] = PLANTED) => {
  for (const value of values) expect(text.includes(value), `${where} contains a credential`).toBe(false);
};

/** The one record of a single-record invocation, reported failed: its failure line. */
function failedRecord(run: Awaited<ReturnType<typeof invoke>>, event: { Records: { messageId: string }[] }) {
  expect(run.error).toBeUndefined();
  expect(run.response).toEqual({ batchItemFailures: [{ itemIdentifier: event.Records[0]!.messageId }] });
  expect(run.failures).toHaveLength(1);
  return run.failures[0]!;
}

/** The EMF objects of `sourceId`'s runs. */
const emfOf = (run: Awaited<ReturnType<typeof invoke>>, sourceId: string) => run.emf.filter((line) => line.SourceId === sourceId);

describe('tencent-cloudaudit Lambda handler', () => {
  it('pulls the queued instance into Firehose and checkpoints in DynamoDB, logging no credential', async () => {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const events = generateCloudAuditEvents({ count: 120, from: nowSeconds - 7_000, to: nowSeconds - 120, seed: 77 });
    cloudaudit.addEvents(events);
    const source = instance('tencent-audit-prod');
    // The dispatcher names the credential set's secret by name (Secrets Manager takes a name or an ARN).
    const secretName = 'cloudtap/tencent-audit-prod';
    secrets.putSecret(secretName, TENCENT);
    const event = queueEvent(pullMessage(source, secretName));

    const before = Date.now();
    const first = await invoke(event, lambdaContext('req-0001'));
    const after = Date.now();
    expect(first.error).toBeUndefined();
    expect(first.failures).toEqual([]);
    expect(first.response).toEqual({ batchItemFailures: [] });
    expect(first.summaries).toHaveLength(1);
    const summary = first.summaries[0]!;
    expect(summary).toMatchObject({
      sourceId: 'tencent-audit-prod',
      stoppedBy: 'caught-up',
      pulled: 120,
      delivered: 120,
      mappingErrors: 0,
    });
    // Four lanes split the two-hour backlog into four windows of about 30 events, a page each;
    // on the real clock the horizon may pass a second boundary meanwhile, adding an empty window.
    expect(summary.windowsCompleted).toBeGreaterThanOrEqual(4);
    expect(summary.pages).toBe(summary.windowsCompleted);
    const cursorStart = summary.cursor!.windowStart;
    expect(cursorStart).toBeGreaterThanOrEqual(Math.floor(before / 1000) - 60);
    expect(cursorStart).toBeLessThanOrEqual(Math.floor(after / 1000) - 60);
    expect(summary.cursor).toEqual({ windowStart: cursorStart });
    expect(server.requestsFor('DescribeEvents')).toHaveLength(summary.pages);
    expect(server.requestsFor('DescribeEvents').every((r) => r.outcome === 'Success')).toBe(true);
    expect(secrets.calls.filter((c) => c.secretId === secretName)).toEqual([
      { operation: 'GetSecretValue', secretId: secretName, status: 200 },
    ]);

    // Firehose holds every event exactly once, normalized, and beside them the alerts the default rules raised.
    const delivered = firehose.acknowledgedDocuments(STREAM);
    const documents = delivered.filter((d) => d.event.kind !== 'alert');
    const alertDocuments = delivered.filter((d) => d.event.kind === 'alert');
    expect(documents).toHaveLength(120);
    expect(alertDocuments.length).toBeGreaterThan(0);
    const eventIds = new Set(documents.map((d) => d.event.id));
    for (const alert of alertDocuments) {
      expect(eventIds).toContain((alert.cloudtap.alert as { matched_event_id: string }).matched_event_id);
    }
    expect(documents.map(documentKey).sort()).toEqual(events.map((e) => recordKey(e.record)).sort());
    expect(new Set(documents.map((d) => d.event.id))).toEqual(new Set(events.map((e) => e.record.EventId)));
    for (const document of documents) {
      expect(document.cloudtap).toMatchObject({ source_id: 'tencent-audit-prod', source_type: 'tencent-cloudaudit' });
      expect(document.event.dataset).toBe('cloudtap.tencent_cloudaudit');
    }

    // DynamoDB: the cursor under the typed key, the lease given back, the success recorded.
    const stored = await item('tencent-audit-prod');
    expect(stored).toMatchObject({
      pk: { S: 'source#tencent-cloudaudit#tencent-audit-prod' },
      kind: { S: 'source' },
      sourceId: { S: 'tencent-audit-prod' },
      cursor: { M: { windowStart: { N: String(cursorStart) } } },
    });
    expect(Object.keys(stored!.cursor!.M!)).toEqual(['windowStart']);
    expect(stored).not.toHaveProperty('leaseOwner');
    expect(stored).not.toHaveProperty('lastError');
    expect(Number(stored!.lastSuccessAt!.N)).toBeGreaterThanOrEqual(before);
    // Every request took its slot from the pacer shared by the instances behind the same key
    // (type, credential set, endpoint host), stored beside the cursors.
    const pace = await db.client.send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `pace#tencent-cloudaudit#${source.credentialSet}#${new URL(server.url).host}` } }, ConsistentRead: true }),
    );
    expect(pace.Item).toMatchObject({ kind: { S: 'pace' }, nextAt: { N: expect.any(String) } });
    expect(Number(pace.Item!.nextAt!.N)).toBeGreaterThanOrEqual(before);

    // Logs: structured, tagged with the invocation and the message, free of credentials.
    const finished = first.lines.find((line) => line.message === 'run finished');
    expect(finished).toMatchObject({
      level: 'INFO',
      function_request_id: 'req-0001',
      messageId: event.Records[0]!.messageId,
      sourceId: 'tencent-audit-prod',
      sourceType: 'tencent-cloudaudit',
      summary: { delivered: 120, stoppedBy: 'caught-up' },
    });
    expect(first.lines.filter((line) => line.message === 'tencent request')).toHaveLength(summary.pages);
    expectNoCredential('the logs', first.output);
    expectNoCredential('Firehose', firehose.acknowledgedRecords(STREAM).map((r) => r.toString('utf8')).join(''));

    // The next message (a warm container) delivers nothing twice.
    const second = await invoke(queueEvent(pullMessage(source, secretName)), lambdaContext('req-0002'));
    expect(second.response).toEqual({ batchItemFailures: [] });
    expect(second.summaries[0]).toMatchObject({ stoppedBy: 'caught-up', delivered: 0 });
    expect(firehose.acknowledgedDocuments(STREAM)).toHaveLength(delivered.length);
    expect(second.summaries[0]!.cursor!.windowStart).toBeGreaterThanOrEqual(cursorStart);
  });

  it('refuses a secret missing a field with a ConfigError naming the field, never a value', async () => {
    const secretName = 'cloudtap/tencent-audit-nokey';
    secrets.putSecret(secretName, { secretId: TENCENT.secretId, token: TENCENT.token });
    const requestsBefore = server.requests.length;
    const event = queueEvent(pullMessage(instance('tencent-audit-nokey'), secretName));
    const run = await invoke(event, lambdaContext('req-0101'));

    const failure = failedRecord(run, event);
    expect(failure).toMatchObject({ message: 'run failed', errorName: 'ConfigError', sourceId: 'tencent-audit-nokey' });
    const message = failure.error as string;
    expect(message).toContain('credentials of source tencent-audit-nokey');
    expect(message).toContain(`secretKey: missing from secret ${secretName}`);
    expect(message).not.toMatch(/secretId:|token:/);
    expectNoCredential('the error', message);
    expectNoCredential('the logs', run.output);
    // A failed run is metered as one.
    expect(emfOf(run, 'tencent-audit-nokey')).toMatchObject([{ RunsFailed: 1, RunsSkipped: 0 }]);
    // Nothing ran: no provider request, no lease, no cursor.
    expect(server.requests.length).toBe(requestsBefore);
    expect(await item('tencent-audit-nokey')).toBeUndefined();
  });

  it('refuses a secret that does not exist, naming it', async () => {
    const secretName = 'cloudtap/absent';
    const event = queueEvent(pullMessage(instance('tencent-audit-absent'), secretName));
    const run = await invoke(event, lambdaContext('req-0102'));
    const failure = failedRecord(run, event);
    expect(failure.errorName).toBe('ConfigError');
    expect(failure.error).toContain(`cannot read secret ${secretName}`);
    expect(await item('tencent-audit-absent')).toBeUndefined();
  });

  // Contract point 8: JSON.parse's own message quotes the text around the error, so a
  // secret that is not JSON must be refused without passing that message on.
  it('refuses a secret that is not valid JSON without quoting any of it', async () => {
    // A hand-edited secret whose secretKey lost its quotes.
    const text = `{"secretId":"${TENCENT.secretId}","secretKey":${TENCENT.secretKey}}`;
    const secretName = 'cloudtap/tencent-audit-badjson';
    secrets.putSecret(secretName, text);
    const event = queueEvent(pullMessage(instance('tencent-audit-badjson'), secretName));
    const run = await invoke(event, lambdaContext('req-0103'));

    const failure = failedRecord(run, event);
    expect(failure.errorName).toBe('ConfigError');
    const message = failure.error as string;
    expect(message).toContain(secretName);
    const fragments = PLANTED.flatMap((value) => Array.from({ length: value.length - 7 }, (_, i) => value.slice(i, i + 8)));
    const leaked = fragments.filter((fragment) => message.includes(fragment) || run.output.includes(fragment));
    expect(leaked, `credential fragments in: ${message}`).toEqual([]);
  });

  it('refuses a message for another source type, or without a source, naming the message', async () => {
    const secretName = 'cloudtap/tencent-audit-prod-2';
    secrets.putSecret(secretName, TENCENT);
    const requestsBefore = server.requests.length;
    const secretCallsBefore = secrets.calls.length;

    const cases = [
      [{ ...pullMessage(instance('ssl-certs'), secretName), source: { ...instance('ssl-certs'), type: 'tencent-ssl' } }, 'source ssl-certs is of type tencent-ssl; this function pulls tencent-cloudaudit'],
      [{ ...pullMessage(instance('tencent-audit-nosrc'), secretName), source: undefined }, 'source: expected the source instance (an object)'],
      [{ ...pullMessage(instance('tencent-audit-opts'), secretName), source: { ...instance('tencent-audit-opts'), options: { returnLocation: 'yes' } } }, 'source tencent-audit-opts.options.returnLocation'],
    ] as const;
    for (const [message, expected] of cases) {
      const event = queueEvent(message as never);
      const run = await invoke(event, lambdaContext('req-0201'));
      const failure = failedRecord(run, event);
      expect(failure).toMatchObject({ message: 'pull message refused', errorName: 'ConfigError' });
      expect(failure.error).toContain(`pull message ${event.Records[0]!.messageId}`);
      expect(failure.error).toContain(expected);
    }

    // Refused before anything was read, pulled or leased.
    expect(server.requests.length).toBe(requestsBefore);
    expect(secrets.calls.length).toBe(secretCallsBefore);
    for (const id of ['ssl-certs', 'tencent-audit-opts']) expect(await item(id)).toBeUndefined();
  });

  it('fails only the record whose body is not a pull message, naming its message id, and runs the others', async () => {
    const secretName = 'cloudtap/tencent-audit-batch';
    secrets.putSecret(secretName, TENCENT);
    const event = queueEvent(
      'not json at all',
      pullMessage(instance('tencent-audit-batch'), secretName),
      JSON.stringify({ source: instance('tencent-audit-batch'), dueAt: 'soon' }),
    );
    const [notJson, good, incomplete] = event.Records.map((record) => record.messageId);
    const run = await invoke(event, lambdaContext('req-0301'));

    expect(run.error).toBeUndefined();
    expect(run.response).toEqual({ batchItemFailures: [{ itemIdentifier: notJson }, { itemIdentifier: incomplete }] });
    expect(run.summaries).toMatchObject([{ sourceId: 'tencent-audit-batch', stoppedBy: 'caught-up' }]);
    expect(run.failures).toHaveLength(2);
    expect(run.failures[0]).toMatchObject({ message: 'pull message refused', messageId: notJson, errorName: 'ConfigError' });
    expect(run.failures[0]!.error).toContain(`invalid configuration in pull message ${notJson}`);
    expect(run.failures[0]!.error).toContain('the body is not JSON');
    expect(run.failures[1]).toMatchObject({ message: 'pull message refused', messageId: incomplete });
    expect(run.failures[1]!.error).toContain(`pull message ${incomplete}`);
    expect(run.failures[1]!.error).toMatch(/secretName: .*\n.*dueAt: /);
    expect(run.lines.find((line) => line.message === 'run finished')).toMatchObject({ messageId: good });
  });

  it('skips a message that came more than a period after its start, without pulling, and records the skip', async () => {
    const secretName = 'cloudtap/tencent-audit-late';
    secrets.putSecret(secretName, TENCENT);
    const requestsBefore = server.requests.length;
    const secretCallsBefore = secrets.calls.length;
    const dueAt = Math.floor(Date.now() / 1000) - 301;
    const event = queueEvent(pullMessage(instance('tencent-audit-late'), secretName, { dueAt, periodSeconds: 300 }));
    const run = await invoke(event, lambdaContext('req-0401'));

    expect(run.response).toEqual({ batchItemFailures: [] });
    expect(run.summaries).toEqual([]);
    expect(run.lines.find((line) => line.message === 'run skipped')).toMatchObject({ level: 'INFO', reason: 'expired', dueAt, sourceId: 'tencent-audit-late' });
    expect(emfOf(run, 'tencent-audit-late')).toMatchObject([{ RunsSkipped: 1, SkipReason: 'expired', SourceType: 'tencent-cloudaudit' }]);
    expect(server.requests.length).toBe(requestsBefore);
    expect(secrets.calls.length).toBe(secretCallsBefore);
    const stored = await item('tencent-audit-late');
    expect(stored).toMatchObject({ lastSkipReason: { S: 'expired' }, skippedRuns: { N: '1' } });
    expect(Number(stored!.lastSkippedAt!.N)).toBeGreaterThanOrEqual(run.before);
    expect(stored).not.toHaveProperty('cursor');
    expect(stored).not.toHaveProperty('lastRunAt');
  });

  it('skips a run whose lease another run holds: metered and recorded on the item, the holder left alone', async () => {
    const secretName = 'cloudtap/tencent-audit-busy';
    secrets.putSecret(secretName, TENCENT);
    // Another invocation is pulling the instance.
    const other = new DynamoDbCursorStore({ tableName: TABLE, client: db.client, sourceType: 'tencent-cloudaudit' });
    const { lease } = await other.acquire('tencent-audit-busy', 'req-other', 600_000);
    const requestsBefore = server.requests.length;

    const event = queueEvent(pullMessage(instance('tencent-audit-busy'), secretName));
    const run = await invoke(event, lambdaContext('req-0501'));

    expect(run.response).toEqual({ batchItemFailures: [] });
    expect(run.summaries).toMatchObject([{ stoppedBy: 'lease-held', delivered: 0, heldBy: { owner: 'req-other' } }]);
    expect(run.lines.find((line) => line.message === 'run skipped')).toMatchObject({ reason: 'lease-held', heldBy: { owner: 'req-other' } });
    // A skip, not a successful run that pulled nothing.
    expect(emfOf(run, 'tencent-audit-busy')).toEqual([expect.objectContaining({ RunsSkipped: 1, SkipReason: 'lease-held' })]);
    expect(emfOf(run, 'tencent-audit-busy')[0]).not.toHaveProperty('RunsFailed');
    expect(server.requests.length).toBe(requestsBefore);
    const stored = await item('tencent-audit-busy');
    expect(stored).toMatchObject({
      leaseOwner: { S: 'req-other' },
      leaseExpiresAt: { N: String(lease.expiresAt) },
      lastSkipReason: { S: 'lease-held' },
      lastSkipHeldBy: { S: 'req-other' },
      skippedRuns: { N: '1' },
    });
    expect(stored).not.toHaveProperty('lastRunAt');
    expect(stored).not.toHaveProperty('lastSuccessAt');
    expect((await other.read('tencent-audit-busy'))?.lastSkip).toMatchObject({ reason: 'lease-held', heldBy: 'req-other' });
  });

  it('ignores a scheduled event of the previous layout, logging it, and refuses any other event', async () => {
    const secretArn = secrets.putSecret('cloudtap/tencent-audit-legacy', TENCENT);
    const requestsBefore = server.requests.length;
    const secretCallsBefore = secrets.calls.length;
    const legacy = await invoke({ source: instance('tencent-audit-legacy'), secretArn }, lambdaContext('req-0601'));
    expect(legacy.error).toBeUndefined();
    expect(legacy.response).toBeUndefined();
    expect(legacy.lines.find((line) => line.level === 'WARN')).toMatchObject({
      message: 'ignored a scheduled event of the previous layout; the dispatcher schedules this instance',
      sourceId: 'tencent-audit-legacy',
    });
    expect(server.requests.length).toBe(requestsBefore);
    expect(secrets.calls.length).toBe(secretCallsBefore);
    expect(await item('tencent-audit-legacy')).toBeUndefined();

    const other = await invoke({ detail: {} }, lambdaContext('req-0602'));
    expect(other.error).toBeInstanceOf(ConfigError);
    expect((other.error as Error).message).toContain('expected an SQS event of pull messages');
  });
});
