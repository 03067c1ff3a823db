import { afterAll, afterEach, beforeAll } from 'vitest';
import { DynamoDbDedupStore } from '../../shared/alerts/dedup-dynamodb';
import { createEventBridgeNotifier } from '../../shared/alerts/eventbridge-notifier';
import type { AlertMetricName, AlertMetrics } from '../../shared/alerts/metrics';
import { DynamoDbOutbox } from '../../shared/alerts/outbox-dynamodb';
import { createAlertRouter, type AlertRouterOptions } from '../../shared/alerts/router';
import { createSnsNotifier } from '../../shared/alerts/sns-notifier';
import { startDynamoDb, type TestDynamoDb } from '../support/dynamodb';
import { startEventBridgeServer, type EventBridgeServer } from '../support/eventbridge-server';
import { FakeClock } from '../support/fake-clock';
import { DEFAULT_TOPIC_ARN, startSnsServer, type SnsServer } from '../support/sns-server';
import { realisticDocuments, recordingLog } from './fixtures';

export const BUS = 'cloudtap-alerts';

/**
 * The parts a deployed router talks to, started for one test file: dynalite
 * (the cursor table), the SNS and EventBridge servers with real SDK clients.
 * Recorded traffic and faults are cleared after each test.
 */
export function useAlertServers() {
  const servers = {} as { db: TestDynamoDb; sns: SnsServer; events: EventBridgeServer };
  let tables = 0;
  beforeAll(async () => {
    [servers.db, servers.sns, servers.events] = await Promise.all([startDynamoDb(), startSnsServer(), startEventBridgeServer({ buses: [BUS] })]);
  });
  afterAll(async () => {
    await Promise.all([servers.db.stop(), servers.sns.stop(), servers.events.stop()]);
  });
  afterEach(() => {
    servers.sns.faults.reset();
    servers.events.faults.reset();
    for (const list of [servers.sns.published, servers.sns.calls, servers.events.events, servers.events.calls]) list.length = 0;
  });

  /** A router as deployed: dedup and outbox in one fresh cursor table, SNS and EventBridge through the real clients. */
  async function setup(overrides: Partial<AlertRouterOptions> = {}) {
    const { db, sns, events } = servers;
    const tableName = `cursors-${++tables}`;
    await db.createTable(tableName);
    const clock = new FakeClock(Date.UTC(2025, 5, 1), { autoAdvance: true });
    const log = recordingLog();
    const metrics = countingMetrics();
    const dedup = new DynamoDbDedupStore({ tableName, client: db.client });
    const outbox = new DynamoDbOutbox({ tableName, client: db.client });
    const notifiers = [createSnsNotifier({ topicArn: DEFAULT_TOPIC_ARN, client: sns.client }), createEventBridgeNotifier({ eventBusName: BUS, client: events.client })];
    const options: AlertRouterOptions = { dedup, outbox, notifiers, clock, log, metrics, ...overrides };
    return { tableName, clock, log, metrics, dedup, outbox, notifiers, options, router: createAlertRouter(options) };
  }
  return { servers, setup };
}

export function countingMetrics(): AlertMetrics & { totals: Record<string, number> } {
  const totals: Record<string, number> = {};
  return { totals, count: (m: AlertMetricName, rule: string, v = 1) => void (totals[`${m}:${rule}`] = (totals[`${m}:${rule}`] ?? 0) + v), flush() {} };
}

export const cloudaudit = realisticDocuments('tencent-cloudaudit', 40);
export const ucloud = realisticDocuments('ucloud-operations', 40);
export const dbss = realisticDocuments('huawei-dbss', 40);

/** The alert JSON after the text in an SNS message. */
export const jsonPart = (message: string) => JSON.parse(message.slice(message.indexOf('\n-- alert (JSON) --\n') + 20)) as Record<string, any>;
