import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleNotifier } from '../../shared/alerts/console-notifier';
import { createFileDedupStore, createMemoryDedupStore } from '../../shared/alerts/dedup-local';
import { createEventBridgeNotifier } from '../../shared/alerts/eventbridge-notifier';
import { createLogAlertMetrics, createPowertoolsAlertMetrics } from '../../shared/alerts/metrics';
import { createNdjsonNotifier } from '../../shared/alerts/ndjson-notifier';
import { createFileOutbox, createMemoryOutbox } from '../../shared/alerts/outbox-local';
import { createAlertRouter } from '../../shared/alerts/router';
import { createSnsNotifier } from '../../shared/alerts/sns-notifier';
import { createDetector } from '../../shared/detection/engine';
import { startEventBridgeServer, type EventBridgeServer } from '../support/eventbridge-server';
import { FakeClock } from '../support/fake-clock';
import { DEFAULT_TOPIC_ARN, startSnsServer, type SnsServer } from '../support/sns-server';
import { realisticDocuments, recordingLog } from './fixtures';

/** A rule over realistic UCloud documents: every stopped host, one alert per user an hour. */
const rule = {
  id: 'test-ucloud-host-stopped',
  name: 'UCloud host stopped',
  description: 'A UHost instance was stopped.',
  severity: 'medium',
  risk_score: 47,
  tags: ['attack.t1489'],
  when: { field: 'event.action', equals: 'StopUHostInstance' },
  dedup: { window: '1h', by: ['user.name'] },
};
const documents = realisticDocuments('ucloud-operations', 400);
const stopped = documents.filter((d) => d.event.action === 'StopUHostInstance');
const users = new Set(stopped.map((d) => d.user?.name));
const LINK = 'https://siem.example.com/app/discover#/?_a=(query:(language:kuery,query:%27event.id:{event.id}%27))';

let sns: SnsServer;
let events: EventBridgeServer;
let dir: string;
beforeAll(async () => {
  [sns, events] = await Promise.all([startSnsServer(), startEventBridgeServer()]);
  dir = await mkdtemp(join(tmpdir(), 'cloudtap-alert-e2e-'));
});
afterAll(async () => {
  await Promise.all([sns.stop(), events.stop(), rm(dir, { recursive: true, force: true })]);
});

describe('detection engine alerts through the router', () => {
  it('carry a message that says what, who, from where, on what, when, which rule and why, and how to find the event', async () => {
    expect(stopped.length).toBeGreaterThan(1);
    const alerts = createDetector({ rules: [rule] }).evaluate(documents);
    expect(alerts).toHaveLength(stopped.length);
    const router = createAlertRouter({
      dedup: createMemoryDedupStore(),
      outbox: createMemoryOutbox(),
      notifiers: [createSnsNotifier({ topicArn: DEFAULT_TOPIC_ARN, client: sns.client }), createEventBridgeNotifier({ client: events.client })],
      siemLink: LINK,
    });
    const report = await router.route(alerts);
    expect(report).toEqual({ published: users.size, suppressed: stopped.length - users.size, deferred: 0 });

    const first = alerts[0]!;
    const event = first.event;
    const message = sns.published.find((m) => m.message.includes(first.id))!;
    const detail = events.events.find((e) => e.detail.id === first.id)!.detail;
    for (const text of [message.message, String(detail.text)]) {
      expect(text).toMatch(/What: +StopUHostInstance \(success\)/);
      expect(text).toContain(`Who:    ${event.user!.name}`);
      expect(text).toMatch(/From: /);
      expect(text).toContain((event.cloudtap.resource as { ids: string[] }).ids[0]);
      expect(text).toContain(event.cloud!.region!);
      expect(text).toContain(`When:   ${event['@timestamp']}`);
      expect(text).toContain(`Rule:   ${rule.id}: ${rule.description}`);
      expect(text).toMatch(/Why:\n  - event\.action/);
      expect(text).toContain(`event.id = ${event.event.id}`);
      expect(text).toContain(`Open in SIEM: ${LINK.replace('{event.id}', encodeURIComponent(event.event.id))}`);
    }
    expect(message.subject).toBe(first.message.subject);
    expect(message.subject!.length).toBeLessThan(100);
  });
});

describe('local routing (cloudtap run)', () => {
  it('prints alerts, appends them to NDJSON, keeps dedup and the outbox in the state directory across runs', async () => {
    const state = join(dir, 'state');
    const file = join(dir, 'alerts.ndjson');
    let console = '';
    const clock = new FakeClock(Date.UTC(2025, 5, 1), { autoAdvance: true });
    const failing = { name: 'webhook', publish: async () => Promise.reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })) };
    const log = recordingLog();
    const run = (notifiers = [createConsoleNotifier({ stream: { write: (t: string) => (console += t) } }), createNdjsonNotifier({ file })]) =>
      createAlertRouter({ dedup: createFileDedupStore(state), outbox: createFileOutbox(state), notifiers, clock, log, metrics: createLogAlertMetrics(log) });

    const alerts = createDetector({ rules: [rule] }).evaluate(documents);
    expect(await run().route(alerts)).toMatchObject({ published: users.size });
    expect(await run().route(alerts)).toEqual({ published: 0, suppressed: alerts.length, deferred: 0 }); // the next process
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(users.size);
    expect(console.split('ALERT MEDIUM').length - 1).toBe(users.size);
    expect(log.lines.find((l) => l.message === 'alerts by rule')?.extra).toEqual({
      rules: { [rule.id]: { AlertsRaised: users.size, AlertsSuppressed: alerts.length - users.size } },
    });

    // A notifier that is down: deferred in the file outbox, published by a later run once it is back.
    clock.advance(2 * 3600_000);
    const withWebhook = [createNdjsonNotifier({ file }), failing];
    expect(await run(withWebhook).route(alerts.slice(0, 1))).toEqual({ published: 0, suppressed: 0, deferred: 1 });
    let delivered = 0;
    const back = { name: 'webhook', publish: async () => ((delivered += 1), []) };
    expect(await run([createNdjsonNotifier({ file }), back]).flushDeferred()).toEqual({ published: 1, suppressed: 0, deferred: 0 });
    expect(delivered).toBe(1);
    expect((await readFile(file, 'utf8')).trimEnd().split('\n')).toHaveLength(users.size + 1); // NDJSON took it once, the first time
  });
});

describe('CloudWatch metrics', () => {
  it('emits one EMF object per rule with RuleId and the three counts', () => {
    const written: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => (written.push(String(chunk)), true)) as typeof process.stdout.write;
    try {
      const metrics = createPowertoolsAlertMetrics({ namespace: 'cloudtap-test', serviceName: 'cloudtap' });
      metrics.count('AlertsRaised', 'rule-a', 2);
      metrics.count('AlertsSuppressed', 'rule-a', 5);
      metrics.count('AlertsDeferred', 'rule-b');
      metrics.flush();
      metrics.flush(); // nothing new: nothing written
    } finally {
      process.stdout.write = write;
    }
    const emf = written.filter((w) => w.includes('_aws')).map((w) => JSON.parse(w));
    expect(emf).toHaveLength(2);
    expect(emf[0]).toMatchObject({ RuleId: 'rule-a', service: 'cloudtap', AlertsRaised: 2, AlertsSuppressed: 5 });
    expect(emf[0]._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'cloudtap-test', Dimensions: [expect.arrayContaining(['service', 'RuleId'])] });
    expect(emf[1]).toMatchObject({ RuleId: 'rule-b', AlertsDeferred: 1 });
  });
});
