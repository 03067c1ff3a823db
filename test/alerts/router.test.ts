import { describe, expect, it } from 'vitest';
import { createEventBridgeNotifier } from '../../shared/alerts/eventbridge-notifier';
import { createAlertRouter } from '../../shared/alerts/router';
import { createDeployedAlertRouter } from '../../shared/alerts/wiring';
import { DEFAULT_TOPIC_ARN } from '../support/sns-server';
import { alertFor } from './fixtures';
import { BUS, cloudaudit, dbss, jsonPart, ucloud, useAlertServers } from './harness';

const { servers, setup } = useAlertServers();

describe('alert router', () => {
  it('publishes each alert to SNS and EventBridge with the fields subscribers filter and route on', async () => {
    const { router, metrics } = await setup();
    const alerts = [alertFor(cloudaudit[0]!, { severity: 'critical' }), alertFor(ucloud[0]!, { ruleId: 'ucloud-destructive' }), alertFor(dbss[0]!, { severity: 'medium' })];
    expect(await router.route(alerts)).toEqual({ published: 3, suppressed: 0, deferred: 0 });

    expect(servers.sns.published).toHaveLength(3);
    for (const alert of alerts) {
      const message = servers.sns.published.find((m) => m.message.includes(alert.id))!;
      expect(message.subject).toBe(alert.message.subject);
      expect(message.message.startsWith(alert.message.text)).toBe(true);
      expect(message.attributes).toEqual({
        severity: { DataType: 'String', StringValue: alert.rule.severity },
        rule_id: { DataType: 'String', StringValue: alert.rule.id },
        source_type: { DataType: 'String', StringValue: alert.event.cloudtap.source_type },
      });
      const json = jsonPart(message.message);
      expect(json).toMatchObject({ id: alert.id, rule: alert.rule, severity: alert.rule.severity, dedupKey: alert.dedupKey });
      expect(json.event.event.id).toBe(alert.event.event.id);
      expect(json.event.event.original).toBeUndefined();
    }
    expect(servers.sns.calls.every((c) => c.authorization.startsWith('AWS4-HMAC-SHA256 Credential=AKIDLOCALSNS/'))).toBe(true);

    expect(servers.events.events).toHaveLength(3);
    for (const event of servers.events.events) {
      expect(event).toMatchObject({ bus: BUS, source: 'cloudtap', detailType: 'cloudtap alert' });
      const alert = alerts.find((a) => a.id === event.detail.id)!;
      expect(event.detail).toMatchObject({ rule: alert.rule, subject: alert.message.subject, text: alert.message.text, '@timestamp': alert.event['@timestamp'] });
      expect((event.detail.event as any).event.original).toBeUndefined();
      expect((event.detail.event as any).user).toEqual(alert.event.user);
    }
    expect(servers.events.calls).toHaveLength(1); // one PutEvents for the three
    expect(metrics.totals).toEqual({ 'AlertsRaised:test-sensitive-action': 2, 'AlertsRaised:ucloud-destructive': 1 });
  });

  it('suppresses duplicates within the rule window and lets them fire again after it', async () => {
    const { router, clock, metrics } = await setup();
    const same = (i: number) => alertFor(ucloud[i]!, { dedupKey: 'rule|user.name=ops-carol', windowSeconds: 1800 });
    expect(await router.route([same(0), same(1), same(2)])).toEqual({ published: 1, suppressed: 2, deferred: 0 });
    clock.advance(29 * 60_000);
    expect(await router.route([same(3)])).toEqual({ published: 0, suppressed: 1, deferred: 0 });
    clock.advance(2 * 60_000); // past the 30-minute window
    expect(await router.route([same(4), same(5)])).toEqual({ published: 1, suppressed: 1, deferred: 0 });
    expect(servers.sns.published.map((m) => jsonPart(m.message).id)).toEqual([same(0).id, same(4).id]);
    expect(servers.events.events.map((e) => e.detail.id)).toEqual([same(0).id, same(4).id]);
    expect(metrics.totals).toEqual({ 'AlertsRaised:test-sensitive-action': 2, 'AlertsSuppressed:test-sensitive-action': 4 });
  });

  it('retries a notifier that is down, defers to the outbox without throwing, and a later flush publishes exactly once', async () => {
    const { router, options, log, metrics } = await setup();
    const alerts = [alertFor(dbss[1]!), alertFor(dbss[2]!, { dedupKey: 'other' })];
    servers.sns.faults.failCalls(1_000, 'InternalError');
    expect(await router.route(alerts)).toEqual({ published: 0, suppressed: 0, deferred: 2 });
    expect(servers.sns.calls).toHaveLength(8); // 4 attempts for each alert
    expect(servers.events.events).toHaveLength(2); // EventBridge took them the first time
    expect(log.lines.filter((l) => l.message.includes('retrying'))).toHaveLength(3);
    expect(log.lines.find((l) => l.level === 'error')?.extra).toMatchObject({ notifiers: ['sns'] });
    expect(metrics.totals['AlertsDeferred:test-sensitive-action']).toBe(2);

    // The same page again (no checkpoint yet): the claims say "deferred", nothing is republished.
    expect(await router.route(alerts)).toEqual({ published: 0, suppressed: 2, deferred: 0 });

    servers.sns.faults.reset();
    const nextRun = createAlertRouter(options); // the next scheduled run
    expect(await nextRun.flushDeferred()).toEqual({ published: 2, suppressed: 0, deferred: 0 });
    expect(servers.sns.published.map((m) => jsonPart(m.message).id).sort()).toEqual(alerts.map((a) => a.id).sort());
    expect(servers.events.events).toHaveLength(2); // not sent to EventBridge a second time
    expect(await nextRun.flushDeferred()).toEqual({ published: 0, suppressed: 0, deferred: 0 });
    expect(servers.sns.published).toHaveLength(2);
  });

  it('skips a notifier whose last round failed for a minute, so a down notifier does not slow every page', async () => {
    const { router, clock } = await setup();
    const a = (i: number) => alertFor(ucloud[20 + i]!, { dedupKey: `b${i}` });
    servers.sns.faults.failCalls(1_000, 'InternalError');
    expect(await router.route([a(0)])).toEqual({ published: 0, suppressed: 0, deferred: 1 });
    expect(servers.sns.calls).toHaveLength(4);
    expect(await router.route([a(1)])).toEqual({ published: 0, suppressed: 0, deferred: 1 }); // next page, same run
    expect(servers.sns.calls).toHaveLength(4); // not tried: straight to the outbox
    expect(servers.events.events).toHaveLength(2); // EventBridge unaffected
    servers.sns.faults.reset();
    clock.advance(61_000);
    expect(await router.route([a(2)])).toEqual({ published: 1, suppressed: 0, deferred: 0 });
    expect(servers.sns.published).toHaveLength(1);
  });

  it('keeps an alert deferred across flushes while its notifier stays down, then publishes it once', async () => {
    const { router, options } = await setup({ retry: { attempts: 2 } });
    servers.sns.faults.failCalls(1_000, 'Throttled');
    await router.route([alertFor(cloudaudit[3]!)]);
    const next = createAlertRouter(options);
    expect(await next.flushDeferred()).toEqual({ published: 0, suppressed: 0, deferred: 1 });
    servers.sns.faults.reset();
    expect(await createAlertRouter(options).flushDeferred()).toEqual({ published: 1, suppressed: 0, deferred: 0 });
    expect(servers.sns.published).toHaveLength(1);
    expect(servers.events.events).toHaveLength(1);
  });

  it('two runs flushing at once publish each deferred alert once', async () => {
    const { router, options } = await setup();
    servers.events.faults.failCalls(1_000, 'InternalException');
    const alerts = cloudaudit.slice(5, 15).map((d, i) => alertFor(d, { dedupKey: `k${i}` }));
    expect((await router.route(alerts)).deferred).toBe(10);
    servers.events.faults.reset();
    servers.events.calls.length = 0;
    const reports = await Promise.all([createAlertRouter(options).flushDeferred(), createAlertRouter(options).flushDeferred()]);
    expect(reports[0]!.published + reports[1]!.published).toBe(10);
    expect(servers.events.events.map((e) => e.detail.id).sort()).toEqual(alerts.map((a) => a.id).sort());
    expect(servers.sns.published).toHaveLength(10);
  });

  it('retries only the PutEvents entry that failed', async () => {
    const { router } = await setup();
    const alerts = cloudaudit.slice(16, 19).map((d, i) => alertFor(d, { dedupKey: `k${i}` }));
    servers.events.faults.failEntries((detail) => detail.includes(alerts[1]!.id), { code: 'ThrottlingException' });
    expect(await router.route(alerts)).toEqual({ published: 3, suppressed: 0, deferred: 0 });
    expect(servers.events.calls.map((c) => c.entries.map((e) => JSON.parse(e.Detail!).id))).toEqual([alerts.map((a) => a.id), [alerts[1]!.id]]);
    expect(servers.events.events.map((e) => e.detail.id).sort()).toEqual(alerts.map((a) => a.id).sort());
    expect(servers.sns.published).toHaveLength(3);
  });

  it('does not retry an entry EventBridge refuses for good, and defers it', async () => {
    const { router, log } = await setup({ notifiers: [createEventBridgeNotifier({ eventBusName: 'no-such-bus', client: servers.events.client })] });
    expect(await router.route([alertFor(ucloud[7]!)])).toEqual({ published: 0, suppressed: 0, deferred: 1 });
    expect(servers.events.calls).toHaveLength(1);
    expect(String(log.lines.find((l) => l.level === 'error')?.extra?.error)).toContain('ResourceNotFoundException');
  });

  it('claims a burst of one rule and key once: 200 alerts, one dedup write, one message', async () => {
    const { options, dedup } = await setup();
    let claims = 0;
    const counting = { ...dedup, claim: (r: Parameters<typeof dedup.claim>[0]) => ((claims += 1), dedup.claim(r)), markPublished: dedup.markPublished.bind(dedup), markDeferred: dedup.markDeferred.bind(dedup) };
    const burst = Array.from({ length: 200 }, (_, i) => alertFor({ ...cloudaudit[0]!, event: { ...cloudaudit[0]!.event, id: `denied-${i}` } }, { dedupKey: 'denied|user.name=x' }));
    expect(await createAlertRouter({ ...options, dedup: counting }).route(burst)).toEqual({ published: 1, suppressed: 199, deferred: 0 });
    expect(claims).toBe(1);
    expect(servers.sns.published).toHaveLength(1);
  });

  it('claims an alert without a dedup window by its id, so a repeat is still not republished', async () => {
    const { router } = await setup();
    const a = (i: number) => alertFor(cloudaudit[30 + i]!, { windowSeconds: 0, dedupKey: 'same' });
    expect(await router.route([a(0), a(1)])).toEqual({ published: 2, suppressed: 0, deferred: 0 });
    expect(await router.route([a(0), a(1), a(0)])).toEqual({ published: 0, suppressed: 3, deferred: 0 });
  });

  it('is assembled for a deployed puller from the table, topic and bus names', async () => {
    const { tableName } = await setup();
    const router = createDeployedAlertRouter({
      tableName,
      topicArn: DEFAULT_TOPIC_ARN,
      eventBusName: BUS,
      siemLink: 'https://siem.example.com/e/{event.id}',
      clients: { dynamodb: servers.db.client, sns: servers.sns.client, eventbridge: servers.events.client },
    });
    const alert = alertFor(dbss[30]!);
    expect(await router.route([alert, alert])).toEqual({ published: 1, suppressed: 1, deferred: 0 });
    expect(servers.sns.published[0]!.message).toContain(`Open in SIEM: https://siem.example.com/e/${alert.event.event.id}`);
    expect(servers.events.events[0]!.detail.text).toContain('Open in SIEM: ');
  });
});
