import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { Clock } from '../lib/clock';
import type { Log } from '../lib/logger';
import type { AlertRouter } from '../core/ports/detection';
import { createConsoleNotifier, type ConsoleNotifierOptions } from './console-notifier';
import { DynamoDbDedupStore } from './dedup-dynamodb';
import { createFileDedupStore } from './dedup-local';
import { createEventBridgeNotifier } from './eventbridge-notifier';
import { createLogAlertMetrics, createPowertoolsAlertMetrics } from './metrics';
import { createNdjsonNotifier } from './ndjson-notifier';
import { DynamoDbOutbox } from './outbox-dynamodb';
import { createFileOutbox } from './outbox-local';
import { createAlertRouter } from './router';
import { createSnsNotifier } from './sns-notifier';
import type { Notifier } from './types';

/** The two usual assemblies: a deployed puller, and `cloudtap run` on a laptop. */
export interface DeployedAlertsOptions {
  /** The cursor table: dedup claims and the outbox live beside the cursors. */
  tableName: string;
  topicArn?: string;
  eventBusName?: string;
  siemLink?: string;
  /** Dimensions added to the per-rule metrics, e.g. `{ SourceType }`. */
  metricDimensions?: Record<string, string>;
  clients?: { dynamodb?: DynamoDBClient; sns?: SNSClient; eventbridge?: EventBridgeClient };
  clock?: Clock;
  log?: Log;
}

export function createDeployedAlertRouter(options: DeployedAlertsOptions): AlertRouter {
  const notifiers: Notifier[] = [];
  if (options.topicArn) notifiers.push(createSnsNotifier({ topicArn: options.topicArn, client: options.clients?.sns }));
  if (options.eventBusName) notifiers.push(createEventBridgeNotifier({ eventBusName: options.eventBusName, client: options.clients?.eventbridge }));
  return createAlertRouter({
    dedup: new DynamoDbDedupStore({ tableName: options.tableName, client: options.clients?.dynamodb }),
    outbox: new DynamoDbOutbox({ tableName: options.tableName, client: options.clients?.dynamodb }),
    notifiers,
    metrics: createPowertoolsAlertMetrics({ defaultDimensions: options.metricDimensions }),
    siemLink: options.siemLink,
    clock: options.clock,
    log: options.log,
  });
}

export interface LocalAlertsOptions {
  /** The local state directory: `alert-dedup.json` and `alert-outbox.json` go there. */
  stateDirectory: string;
  /** Default `<stateDirectory>/alerts.ndjson`; `false` for none. */
  ndjsonFile?: string | false;
  /** Default stderr; `false` for none. */
  console?: ConsoleNotifierOptions | false;
  siemLink?: string;
  /** More notifiers (e.g. SNS when the laptop has AWS credentials). */
  notifiers?: Notifier[];
  clock?: Clock;
  log?: Log;
}

export function createLocalAlertRouter(options: LocalAlertsOptions): AlertRouter {
  const notifiers: Notifier[] = [];
  if (options.console !== false) notifiers.push(createConsoleNotifier(options.console ?? {}));
  if (options.ndjsonFile !== false) notifiers.push(createNdjsonNotifier({ file: options.ndjsonFile ?? join(options.stateDirectory, 'alerts.ndjson') }));
  notifiers.push(...(options.notifiers ?? []));
  return createAlertRouter({
    dedup: createFileDedupStore(options.stateDirectory),
    outbox: createFileOutbox(options.stateDirectory),
    notifiers,
    metrics: options.log ? createLogAlertMetrics(options.log) : undefined,
    siemLink: options.siemLink,
    clock: options.clock,
    log: options.log,
  });
}
