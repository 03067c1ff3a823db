/**
 * The deployed entry point, invoked as Lambda would: functions/pull/handler.ts told tencent-cloudaudit
 * with a PullInvocation event and a Lambda context, its store, sink and secret
 * read through the AWS SDK's own endpoint environment variables, against
 * dynalite, the Firehose wire-API server, a Secrets Manager server and the
 * CloudAudit simulator. The handler builds its store and sink at import, so the
 * environment is set before it is imported. Everything runs on the real clock.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { resolveInstance } from '../../shared/config/load';
import { sourceInstanceSchema } from '../../shared/config/schema';
import { ConfigError } from '../../shared/lib/errors';
import type { RunSummary } from '../../shared/core/run-options';
import { sourceKey } from '../../shared/cursor/dynamodb-store';
import type { SourceInstanceConfig } from '../../shared/providers/definition';
import { cloudAuditDefinition } from '../../shared/providers/tencent/cloudaudit/definition';
import type { PullInvocation } from '../../shared/runtime/invocation';
import type { TencentApiServer } from '../../simulators/tencent/api-server';
import { generateCloudAuditEvents, startCloudAuditSimulator, type CloudAuditSimulator } from '../../simulators/tencent/cloudaudit/simulator';
import { documentKey, recordKey } from '../scenarios/harness';
import { lambdaContext, startSourceHandler, type Handler, type SourceHandlerEnvironment } from '../support/source-handler';
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
async function invoke(event: unknown, context: Context): Promise<{ result?: RunSummary; error?: unknown; output: string[] }> {
  const output: string[] = [];
  const capture = ((chunk: string | Uint8Array) => {
    output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(capture), vi.spyOn(process.stderr, 'write').mockImplementation(capture)];
  try {
    return { result: await handler(event, context), output };
  } catch (error) {
    return { error, output };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

const logLines = (output: string[]) =>
  output
    .join('')
    .split('\n')
    // Powertools writes one JSON object per line; anything else (a Node warning) is not a log record.
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

async function item(sourceId: string) {
  const out = await db.client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: sourceKey(sourceId) } }, ConsistentRead: true }));
  return out.Item;
}

const expectNoCredential = (where: string, text: string, values: readonly string[] = PLANTED) => {
  for (const value of values) expect(text.includes(value), `${where} contains a credential`).toBe(false);
};

describe('tencent-cloudaudit Lambda handler', () => {
  it('pulls the scheduled instance into Firehose and checkpoints in DynamoDB, logging no credential', async () => {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const events = generateCloudAuditEvents({ count: 120, from: nowSeconds - 7_000, to: nowSeconds - 120, seed: 77 });
    cloudaudit.addEvents(events);
    const source = instance('tencent-audit-prod');
    const secretArn = secrets.putSecret('cloudtap/tencent-audit-prod', TENCENT);
    const event: PullInvocation = { source, secretArn };

    const before = Date.now();
    const first = await invoke(event, lambdaContext('req-0001'));
    const after = Date.now();
    expect(first.error).toBeUndefined();
    const summary = first.result!;
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
    expect(secrets.calls.filter((c) => c.secretId === secretArn)).toEqual([
      { operation: 'GetSecretValue', secretId: secretArn, status: 200 },
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

    // DynamoDB: the cursor, the lease given back, the success recorded.
    const stored = await item('tencent-audit-prod');
    expect(stored).toMatchObject({
      kind: { S: 'source' },
      sourceId: { S: 'tencent-audit-prod' },
      cursor: { M: { windowStart: { N: String(cursorStart) } } },
    });
    expect(Object.keys(stored!.cursor!.M!)).toEqual(['windowStart']);
    expect(stored).not.toHaveProperty('leaseOwner');
    expect(stored).not.toHaveProperty('lastError');
    expect(Number(stored!.lastSuccessAt!.N)).toBeGreaterThanOrEqual(before);

    // Logs: structured, tagged with the invocation, free of credentials.
    const lines = logLines(first.output);
    const finished = lines.find((line) => line.message === 'run finished');
    expect(finished).toMatchObject({
      level: 'INFO',
      function_request_id: 'req-0001',
      sourceId: 'tencent-audit-prod',
      sourceType: 'tencent-cloudaudit',
      summary: { delivered: 120, stoppedBy: 'caught-up' },
    });
    expect(lines.filter((line) => line.message === 'tencent request')).toHaveLength(summary.pages);
    expectNoCredential('the logs', first.output.join(''));
    expectNoCredential('Firehose', firehose.acknowledgedRecords(STREAM).map((r) => r.toString('utf8')).join(''));

    // The next scheduled invocation (a warm container) delivers nothing twice.
    const second = await invoke(event, lambdaContext('req-0002'));
    expect(second.error).toBeUndefined();
    expect(second.result).toMatchObject({ stoppedBy: 'caught-up', delivered: 0 });
    expect(firehose.acknowledgedDocuments(STREAM)).toHaveLength(delivered.length);
    expect(second.result!.cursor!.windowStart).toBeGreaterThanOrEqual(cursorStart);
  });

  it('refuses a secret missing a field with a ConfigError naming the field, never a value', async () => {
    const secretArn = secrets.putSecret('cloudtap/tencent-audit-nokey', { secretId: TENCENT.secretId, token: TENCENT.token });
    const requestsBefore = server.requests.length;
    const { error, output } = await invoke({ source: instance('tencent-audit-nokey'), secretArn }, lambdaContext('req-0101'));

    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('credentials of source tencent-audit-nokey');
    expect(message).toContain(`secretKey: missing from secret ${secretArn}`);
    expect(message).not.toMatch(/secretId:|token:/);
    expectNoCredential('the error', message);
    expectNoCredential('the logs', output.join(''));
    // Nothing ran: no provider request, no lease, no cursor.
    expect(server.requests.length).toBe(requestsBefore);
    expect(await item('tencent-audit-nokey')).toBeUndefined();
  });

  it('refuses a secret that does not exist, naming it', async () => {
    const secretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cloudtap/absent-AbCdEf';
    const { error } = await invoke({ source: instance('tencent-audit-absent'), secretArn }, lambdaContext('req-0102'));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(`cannot read secret ${secretArn}`);
    expect(await item('tencent-audit-absent')).toBeUndefined();
  });

  // Contract point 8: JSON.parse's own message quotes the text around the error, so a
  // secret that is not JSON must be refused without passing that message on.
  it('refuses a secret that is not valid JSON without quoting any of it', async () => {
    // A hand-edited secret whose secretKey lost its quotes.
    const text = `{"secretId":"${TENCENT.secretId}","secretKey":${TENCENT.secretKey}}`;
    const secretArn = secrets.putSecret('cloudtap/tencent-audit-badjson', text);
    const { error, output } = await invoke({ source: instance('tencent-audit-badjson'), secretArn }, lambdaContext('req-0103'));

    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(secretArn);
    const fragments = PLANTED.flatMap((value) => Array.from({ length: value.length - 7 }, (_, i) => value.slice(i, i + 8)));
    const leaked = fragments.filter((fragment) => message.includes(fragment) || output.join('').includes(fragment));
    expect(leaked, `credential fragments in: ${message}`).toEqual([]);
  });

  it('refuses an event for another source type, or without a source, with a message', async () => {
    const secretArn = secrets.putSecret('cloudtap/tencent-audit-prod-2', TENCENT);
    const requestsBefore = server.requests.length;
    const secretCallsBefore = secrets.calls.length;

    const wrongType = await invoke(
      { source: { ...instance('ssl-certs'), type: 'tencent-ssl' }, secretArn },
      lambdaContext('req-0201'),
    );
    expect(wrongType.error).toBeInstanceOf(ConfigError);
    expect((wrongType.error as Error).message).toContain(
      'source ssl-certs is of type tencent-ssl; this function pulls tencent-cloudaudit',
    );

    const noSource = await invoke({ secretArn }, lambdaContext('req-0202'));
    expect(noSource.error).toBeInstanceOf(ConfigError);
    expect((noSource.error as Error).message).toContain('the event has no "source" object');

    const badOptions = await invoke(
      { source: { ...instance('tencent-audit-opts'), options: { returnLocation: 'yes' } }, secretArn },
      lambdaContext('req-0203'),
    );
    expect(badOptions.error).toBeInstanceOf(ConfigError);
    expect((badOptions.error as Error).message).toContain('source tencent-audit-opts.options.returnLocation');

    // Refused before anything was read, pulled or leased.
    expect(server.requests.length).toBe(requestsBefore);
    expect(secrets.calls.length).toBe(secretCallsBefore);
    for (const id of ['ssl-certs', 'tencent-audit-opts']) expect(await item(id)).toBeUndefined();
  });
});
