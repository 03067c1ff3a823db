import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleNotifier } from '../../shared/alerts/console-notifier';
import { createEventBridgeNotifier, MAX_PUT_EVENTS_BYTES } from '../../shared/alerts/eventbridge-notifier';
import { createNdjsonNotifier } from '../../shared/alerts/ndjson-notifier';
import { createSnsNotifier, snsSubject } from '../../shared/alerts/sns-notifier';
import type { Alert } from '../../shared/core/ports/detection';
import { entrySize, startEventBridgeServer, type EventBridgeServer } from '../support/eventbridge-server';
import { DEFAULT_TOPIC_ARN, startSnsServer, type SnsServer } from '../support/sns-server';
import { alertFor, realisticDocuments } from './fixtures';

let sns: SnsServer;
let events: EventBridgeServer;
let dir: string;
const docs = realisticDocuments('tencent-cloudaudit', 30);
const FIFO_TOPIC = 'arn:aws:sns:us-east-1:123456789012:cloudtap-alerts.fifo';

beforeAll(async () => {
  [sns, events] = await Promise.all([startSnsServer({ topics: [DEFAULT_TOPIC_ARN, FIFO_TOPIC] }), startEventBridgeServer()]);
  dir = await mkdtemp(join(tmpdir(), 'cloudtap-notifiers-'));
});
afterAll(async () => {
  await Promise.all([sns.stop(), events.stop(), rm(dir, { recursive: true, force: true })]);
});
afterEach(() => {
  for (const list of [sns.published, sns.calls, events.events, events.calls]) list.length = 0;
});

/** An alert whose event carries `bytes` of extra text, to push the size limits. */
function bigAlert(i: number, bytes: number): Alert {
  const doc = docs[i]!;
  return alertFor({ ...doc, message: 'ü'.repeat(bytes / 2), cloudtap: { ...doc.cloudtap, note: `${i}` } }, { dedupKey: `big${i}` });
}

describe('SNS notifier', () => {
  it('makes any subject acceptable to SNS: no line breaks or control characters, under 100 characters', async () => {
    const alert = alertFor(docs[0]!);
    alert.message.subject = `[cloudtap HIGH]\nDeleteAudit by 运维-张三\u0007 ${'x'.repeat(200)}`;
    const failures = await createSnsNotifier({ topicArn: DEFAULT_TOPIC_ARN, client: sns.client }).publish([alert]);
    expect(failures).toEqual([]);
    const subject = sns.published[0]!.subject!;
    expect([...subject]).toHaveLength(99);
    expect(subject).toMatch(/^\[cloudtap HIGH\] DeleteAudit by 运维-张三 x+…$/);
    expect(snsSubject('\n\t')).toBe('cloudtap alert');
  });

  it('keeps a huge alert under the 256 KB Publish limit, text first and the event cut to its core fields', async () => {
    const alert = bigAlert(1, 400_000);
    expect(await createSnsNotifier({ topicArn: DEFAULT_TOPIC_ARN, client: sns.client }).publish([alert])).toEqual([]);
    const message = sns.published[0]!.message;
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(262_144);
    expect(message.startsWith(alert.message.text)).toBe(true);
    const json = JSON.parse(message.slice(message.indexOf('{"id"')));
    expect(json).toMatchObject({ id: alert.id, truncated: 'event-core-fields' });
    expect(json.event.user).toEqual(alert.event.user);
  });

  it('reports each failed Publish on its own, retryable or not', async () => {
    const notifier = createSnsNotifier({ topicArn: DEFAULT_TOPIC_ARN, client: sns.client });
    const alerts = [0, 1, 2].map((i) => alertFor(docs[i]!, { dedupKey: `k${i}` }));
    sns.faults.failMessages((m) => m.includes(alerts[1]!.id), { code: 'Throttled' });
    const failures = await notifier.publish(alerts);
    expect(failures).toEqual([{ alertId: alerts[1]!.id, retryable: true, error: expect.stringMatching(/^ThrottledException: Rate exceeded \(request /) }]);
    const missing = await createSnsNotifier({ topicArn: `${DEFAULT_TOPIC_ARN}-gone`, client: sns.client }).publish([alerts[0]!]);
    expect(missing).toEqual([{ alertId: alerts[0]!.id, retryable: false, error: expect.stringContaining('NotFoundException: Topic does not exist') }]);
    sns.faults.failCalls(1, 'ConnectionReset');
    expect((await notifier.publish([alerts[2]!]))[0]?.retryable).toBe(true);
  });

  it('on a FIFO topic, groups by rule and deduplicates by alert id', async () => {
    const alert = alertFor(docs[3]!);
    await createSnsNotifier({ topicArn: FIFO_TOPIC, client: sns.client }).publish([alert]);
    expect(sns.published[0]).toMatchObject({ groupId: alert.rule.id, deduplicationId: alert.id });
  });
});

describe('EventBridge notifier', () => {
  it('sends batches of at most 10 entries and 256 KB', async () => {
    const notifier = createEventBridgeNotifier({ client: events.client });
    const small = docs.slice(0, 25).map((d, i) => alertFor(d, { dedupKey: `s${i}` }));
    expect(await notifier.publish(small)).toEqual([]);
    expect(events.calls.map((c) => c.entries.length).sort((a, b) => a - b)).toEqual([5, 10, 10]);
    events.calls.length = 0;
    const large = [0, 1, 2, 3, 4].map((i) => bigAlert(i, 100_000));
    expect(await notifier.publish(large)).toEqual([]);
    // Calls go out in parallel: compare their sizes in any order.
    expect(events.calls.map((c) => c.entries.length).sort((a, b) => a - b)).toEqual([1, 2, 2]);
    expect(events.calls.every((c) => c.entries.reduce((n, e) => n + entrySize(e), 0) <= MAX_PUT_EVENTS_BYTES)).toBe(true);
    expect(events.events.slice(25)).toHaveLength(5);
    expect(events.events.slice(25).every((e) => e.detail.truncated === undefined && e.bus === 'default')).toBe(true);
  });

  it('cuts an alert too big for one entry to fit, and EventBridge accepts it', async () => {
    const alert = bigAlert(5, 600_000);
    expect(await createEventBridgeNotifier({ client: events.client }).publish([alert])).toEqual([]);
    const [event] = events.events;
    expect(event!.bytes).toBeLessThanOrEqual(MAX_PUT_EVENTS_BYTES);
    expect(event!.detail).toMatchObject({ id: alert.id, truncated: 'event-core-fields', text: alert.message.text });
  });

  it('reports a whole-call failure for every entry of the call', async () => {
    events.faults.failCalls(1, 'ThrottlingException');
    const alerts = [0, 1].map((i) => alertFor(docs[i]!, { dedupKey: `t${i}` }));
    const failures = await createEventBridgeNotifier({ client: events.client }).publish(alerts);
    expect(failures.map((f) => [f.alertId, f.retryable])).toEqual(alerts.map((a) => [a.id, true]));
  });
});

describe('local notifiers', () => {
  it('prints a readable block per alert', async () => {
    let out = '';
    const alert = alertFor(docs[6]!, { severity: 'critical' });
    await createConsoleNotifier({ stream: { write: (t: string) => (out += t) }, color: false }).publish([alert]);
    expect(out).toContain(`ALERT CRITICAL · ${alert.message.subject}`);
    expect(out).toContain(alert.message.text);
    expect(out).toContain(alert.id);
  });

  it('appends alerts to an NDJSON file, one payload a line without the raw record', async () => {
    const file = join(dir, 'alerts', 'alerts.ndjson');
    const notifier = createNdjsonNotifier({ file });
    await notifier.publish([alertFor(docs[7]!)]);
    await notifier.publish([alertFor(docs[8]!), alertFor(docs[9]!)]);
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.event.event.id)).toEqual([docs[7]!.event.id, docs[8]!.event.id, docs[9]!.event.id]);
    expect(lines.every((l) => l.event.event.original === undefined && typeof l.text === 'string')).toBe(true);
  });
});
