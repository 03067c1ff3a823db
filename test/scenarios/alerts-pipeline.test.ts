import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeployedAlertRouter } from '../../shared/alerts/wiring';
import { parseConfig } from '../../shared/config/load';
import { silentLog } from '../../shared/lib/logger';
import { runSource } from '../../shared/core/pipeline';
import { DynamoDbCursorStore } from '../../shared/cursor/dynamodb-store';
import type { CursorStore } from '../../shared/core/ports/cursor-store';
import { compileRules } from '../../shared/detection/compile';
import { createDetector } from '../../shared/detection/engine';
import { registry } from '../../shared/providers/registry';
import { FirehoseSink } from '../../shared/sinks/firehose-sink';
import { generateCloudAuditEvents, startCloudAuditSimulator } from '../../simulators/tencent/cloudaudit/simulator';
import { startDynamoDb, type TestDynamoDb } from '../support/dynamodb';
import { startEventBridgeServer, type EventBridgeServer } from '../support/eventbridge-server';
import { DEFAULT_STREAM, startFirehoseServer, type FirehoseServer } from '../support/firehose-server';
import { DEFAULT_TOPIC_ARN, startSnsServer, type SnsServer } from '../support/sns-server';

/**
 * Alerting inside the pull: the alerts a page raises reach SNS and EventBridge
 * (real SDK clients, their wire protocols) before that page is checkpointed,
 * and a notifier that is down neither loses an alert nor holds back the logs.
 */
const BUS = 'cloudtap-alerts';
const keys = { secretId: 'AKIDalertScenarioFakeId', secretKey: 'alertScenarioFakeSecretKey' };
// One alert per matching event (dedup by event id), so every alert must be published.
const RULE = {
  id: 'test-audit-tampering',
  name: 'Audit trail tampering',
  description: 'A CloudAudit tracking set was stopped or deleted.',
  severity: 'high',
  risk_score: 73,
  tags: ['attack.t1562.008'],
  when: { field: 'event.action', in: ['StopLogging', 'DeleteAudit'] },
  dedup: { window: '1h', by: ['event.id'] },
};

describe('alerts in the pipeline', () => {
  let db: TestDynamoDb;
  let firehose: FirehoseServer;
  let sns: SnsServer;
  let bus: EventBridgeServer;
  let tables = 0;
  beforeAll(async () => {
    [db, firehose, sns, bus] = await Promise.all([startDynamoDb(), startFirehoseServer(), startSnsServer(), startEventBridgeServer({ buses: [BUS] })]);
  });
  afterAll(() => Promise.all([db.stop(), firehose.stop(), sns.stop(), bus.stop()]));

  async function pull(tableName: string, endpoint: string, store: CursorStore) {
    const [instance] = parseConfig({ sources: [{ id: 'audit', type: 'tencent-cloudaudit', region: 'ap-guangzhou', endpoint, start: '2d' }] }, registry).sources;
    return runSource({
      sourceId: 'audit',
      source: registry.get('tencent-cloudaudit')!.create({ instance: instance!, credentials: keys, clock: { now: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) }, log: silentLog }),
      store,
      sink: new FirehoseSink({ deliveryStreamName: DEFAULT_STREAM, client: firehose.client }),
      owner: `run-${Math.random()}`,
      lagSeconds: 60,
      start: instance!.start,
      deadline: Date.now() + 120_000,
      parallelWindows: 1,
      detector: createDetector({ rules: compileRules([RULE]) }),
      alerts: createDeployedAlertRouter({
        tableName,
        topicArn: DEFAULT_TOPIC_ARN,
        eventBusName: BUS,
        clients: { dynamodb: db.client, sns: sns.client, eventbridge: bus.client },
      }),
    });
  }

  async function setup(count: number) {
    const tableName = `alerts-${++tables}`;
    await db.createTable(tableName);
    const { server, cloudaudit } = await startCloudAuditSimulator({ credentials: [keys] });
    const now = Math.floor(Date.now() / 1000);
    cloudaudit.addEvents(generateCloudAuditEvents({ count, from: now - 86_400, to: now - 3600, seed: 21 }));
    const tampering = cloudaudit.records.filter((record) => ['StopLogging', 'DeleteAudit'].includes(record.EventName)).length;
    return { tableName, server, tampering, store: new DynamoDbCursorStore({ tableName, client: db.client, sourceType: 'tencent-cloudaudit' }) };
  }

  const alertDocuments = () => firehose.acknowledgedDocuments().filter((document) => document.event.kind === 'alert');

  it('publishes every alert of a page before that page is checkpointed', async () => {
    const { tableName, server, tampering, store } = await setup(1500);
    expect(tampering).toBeGreaterThan(5);
    const before = { sns: sns.published.length, bus: bus.events.length, alerts: alertDocuments().length };
    // At each checkpoint, what reached SNS and EventBridge covers every alert the sink has seen so far.
    const atCheckpoints: { sns: number; bus: number; alerts: number }[] = [];
    const observed: CursorStore = {
      acquire: (...args) => store.acquire(...args),
      release: (...args) => store.release(...args),
      read: (...args) => store.read(...args),
      checkpoint: (...args) => {
        atCheckpoints.push({ sns: sns.published.length - before.sns, bus: bus.events.length - before.bus, alerts: alertDocuments().length - before.alerts });
        return store.checkpoint(...args);
      },
    };
    try {
      const summary = await pull(tableName, server.url, observed);
      expect(summary.alerts).toEqual({ raised: tampering, published: tampering, suppressed: 0, deferred: 0 });
      expect(atCheckpoints.length).toBeGreaterThan(10);
      for (const point of atCheckpoints) expect(point).toEqual({ sns: point.alerts, bus: point.alerts, alerts: point.alerts });
      expect(atCheckpoints.at(-1)!.alerts).toBe(tampering);
    } finally {
      await server.close();
    }
  });

  it('delivers and checkpoints the logs while SNS is down, defers the alerts, and publishes them on the next run', async () => {
    const { tableName, server, tampering, store } = await setup(600);
    const before = { sns: sns.published.length, bus: bus.events.length, documents: firehose.acknowledgedDocuments().length };
    sns.faults.failCalls(10_000);
    try {
      const first = await pull(tableName, server.url, store);
      expect(first.stoppedBy).toBe('caught-up');
      expect(first.delivered).toBe(600);
      expect(first.alerts).toMatchObject({ raised: tampering, deferred: tampering, published: 0 });
      expect(sns.published.length - before.sns).toBe(0);
      expect(bus.events.length - before.bus).toBe(tampering); // the other notifier was not held back either
      expect((await store.read('audit'))?.cursor?.windows).toBeUndefined();

      sns.faults.reset();
      const second = await pull(tableName, server.url, store);
      expect(second.delivered).toBe(0);
      expect(second.alerts.published).toBe(tampering);
      expect(sns.published.length - before.sns).toBe(tampering);
      expect(bus.events.length - before.bus).toBe(tampering); // not sent twice to the notifier that had it
    } finally {
      await server.close();
    }
  });
});
