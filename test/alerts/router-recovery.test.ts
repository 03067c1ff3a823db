import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbDedupStore } from '../../shared/alerts/dedup-dynamodb';
import { DynamoDbOutbox, outboxPk } from '../../shared/alerts/outbox-dynamodb';
import { AlertStoreError, createAlertRouter } from '../../shared/alerts/router';
import type { Alert } from '../../shared/core/ports/detection';
import { alertFor } from './fixtures';
import { cloudaudit, dbss, jsonPart, ucloud, useAlertServers } from './harness';

/** Crashes between the router's steps, stores that fail, and secrets: what a repeated page and the logs show. */
const { servers, setup } = useAlertServers();

describe('alert router recovery', () => {
  it('after a crash between publishing and checkpointing, the repeated page publishes nothing again', async () => {
    const { options } = await setup();
    const alerts = ucloud.slice(10, 20).map((d, i) => alertFor(d, { dedupKey: `k${i % 4}` }));
    expect(await createAlertRouter(options).route(alerts)).toEqual({ published: 4, suppressed: 6, deferred: 0 });
    // The Lambda dies before the checkpoint; the next run maps the same page, raising the same alert ids.
    expect(await createAlertRouter(options).route(alerts)).toEqual({ published: 0, suppressed: 10, deferred: 0 });
    expect(servers.sns.published).toHaveLength(4);
    expect(servers.events.events).toHaveLength(4);
  });

  it('after a crash between claiming and publishing, the repeated page publishes the alert (never lost)', async () => {
    const { options, dedup, clock } = await setup();
    const alert = alertFor(dbss[9]!);
    await dedup.claim({ ruleId: alert.rule.id, dedupKey: alert.dedupKey, alertId: alert.id, windowSeconds: 3600, now: clock.now() });
    clock.advance(300_000);
    expect(await createAlertRouter(options).route([alert])).toEqual({ published: 1, suppressed: 0, deferred: 0 });
    expect(await createAlertRouter(options).route([alert])).toEqual({ published: 0, suppressed: 1, deferred: 0 });
    expect(servers.sns.published).toHaveLength(1);
  });

  it('after a crash between the outbox write and the mark, the repeated page leaves the alert to the outbox', async () => {
    const { options, dedup, outbox, clock } = await setup();
    const alert = alertFor(dbss[10]!);
    await dedup.claim({ ruleId: alert.rule.id, dedupKey: alert.dedupKey, alertId: alert.id, windowSeconds: 3600, now: clock.now() });
    await outbox.put({ alert, pending: ['sns'], deferredAt: clock.now(), attempts: 1 }, clock.now());
    expect(await createAlertRouter(options).route([alert])).toEqual({ published: 0, suppressed: 0, deferred: 1 });
    expect(servers.sns.published).toHaveLength(0);
    expect(await createAlertRouter(options).flushDeferred()).toEqual({ published: 1, suppressed: 0, deferred: 0 });
    expect(servers.sns.published).toHaveLength(1);
    expect(servers.events.events).toHaveLength(0); // it owed only SNS
  });

  it('throws, publishing nothing, when the dedup store is unreachable; throws when the outbox cannot keep an alert', async () => {
    const { options } = await setup();
    const broken = { tableName: 'no-such-table', client: servers.db.client };
    const noDedup = createAlertRouter({ ...options, dedup: new DynamoDbDedupStore(broken) });
    await expect(noDedup.route([alertFor(cloudaudit[20]!)])).rejects.toBeInstanceOf(AlertStoreError);
    expect(servers.sns.calls).toHaveLength(0);

    servers.sns.faults.failCalls(1_000);
    const noOutbox = createAlertRouter({ ...options, outbox: new DynamoDbOutbox(broken) });
    const error = await noOutbox.route([alertFor(cloudaudit[21]!)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlertStoreError);
    expect((error as Error).message).toMatch(/outbox write failed for 1 alert.*ResourceNotFoundException/);
    // Not marked deferred, so the repeated page (the run did not checkpoint) routes it again.
    servers.sns.faults.reset();
    expect(await createAlertRouter(options).route([alertFor(cloudaudit[21]!)])).toEqual({ published: 1, suppressed: 0, deferred: 0 });
  });

  it('lets no credential or raw secret reach SNS, EventBridge, the logs or the errors', async () => {
    const { router, options, log, tableName } = await setup();
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY';
    const base = cloudaudit[35]!;
    const leakyAlert = (doc: typeof base): Alert =>
      alertFor({
        ...doc,
        event: { ...doc.event, original: `{"SecretKey":"${secret}"}` },
        cloudtap: { ...doc.cloudtap, tencent: { request_parameters: { SecretKey: secret, Password: secret, SecretId: 'AKIDvisible' } } },
      });
    servers.sns.faults.failCalls(2, 'InternalError');
    await router.route([leakyAlert(base)]);
    servers.events.faults.failCalls(1_000);
    const deferred = leakyAlert(cloudaudit[36]!);
    await createAlertRouter({ ...options, retry: { attempts: 1 } }).route([deferred]);
    const stored = await servers.db.client.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: outboxPk(deferred.id) } }, ConsistentRead: true }),
    );
    expect(stored.Item?.alert?.S).toContain('[redacted]'); // kept in the outbox, masked there too
    const error = await createAlertRouter({ ...options, outbox: new DynamoDbOutbox({ tableName: 'nope', client: servers.db.client }) })
      .route([alertFor(cloudaudit[37]!)])
      .catch((e: unknown) => e);
    const seen = [
      JSON.stringify(servers.sns.calls),
      JSON.stringify(servers.events.calls),
      log.text(),
      String(error),
      JSON.stringify(servers.sns.published),
      JSON.stringify(stored.Item),
    ].join('\n');
    for (const forbidden of [secret, 'local-sns-secret-do-not-leak', 'local-events-secret-do-not-leak']) expect(seen).not.toContain(forbidden);
    const json = jsonPart(servers.sns.published[0]!.message);
    expect(json.event.cloudtap.tencent.request_parameters).toEqual({ SecretKey: '[redacted]', Password: '[redacted]', SecretId: 'AKIDvisible' });
  });
});
