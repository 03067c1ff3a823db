import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../shared/config/load';
import { systemClock } from '../../../../shared/lib/clock';
import { MalformedResponseError } from '../../../../shared/lib/errors';
import { silentLog } from '../../../../shared/lib/logger';
import { ActionTrailSource } from '../../../../shared/providers/alibaba/actiontrail/source';
import { registry } from '../../../../shared/providers/registry';
import { generateActionTrailEvents, LOOKUP_EVENTS, startActionTrailSimulator, type ActionTrailSimulator } from '../../../../simulators/alibaba/actiontrail/simulator';
import type { AlibabaApiServer } from '../../../../simulators/alibaba/server';

const keys = { accessKeyId: 'LTAIsourceTestFakeId', accessKeySecret: 'sourceTestFakeKeySecret', securityToken: 'sourceTestFakeStsToken' };
const now = Math.floor(Date.now() / 1000);

describe('ActionTrailSource', () => {
  let server: AlibabaApiServer;
  let actiontrail: ActionTrailSimulator;
  let source: ActionTrailSource;

  const instance = (options: Record<string, unknown>) =>
    parseConfig({ sources: [{ id: 'trail', type: 'alibaba-actiontrail', region: 'cn-shanghai', endpoint: server.url, options }] }, registry).sources[0]!;

  beforeEach(async () => {
    ({ server, actiontrail } = await startActionTrailSimulator({ credentials: [keys] }));
    source = new ActionTrailSource({ instance: instance({ lookupAttributes: [{ Key: 'EventRW', Value: 'Write' }] }) as never, credentials: keys, clock: systemClock, log: silentLog });
  });
  afterEach(() => server.close());

  it('pages a window with the documented parameters, the filter flattened, until NextToken is empty', async () => {
    actiontrail.addEvents(generateActionTrailEvents({ count: 600, from: now - 7200, to: now - 3601, seed: 3 }));
    const writes = actiontrail.records.filter((record) => record.eventRW === 'Write').length;
    expect(writes).toBeGreaterThan(100);
    const window = { start: now - 7200, end: now - 3600 };
    const pages = [await source.fetchPage({ window })];
    while (pages.at(-1)!.nextPageToken) pages.push(await source.fetchPage({ window, pageToken: pages.at(-1)!.nextPageToken }));

    expect(pages.slice(0, -1).every((page) => page.records.length === 50)).toBe(true);
    const records = pages.flatMap((page) => page.records);
    expect(records).toHaveLength(writes);
    expect(new Set(records.map((record) => record.eventId)).size).toBe(writes);
    // Newest first, as Direction BACKWARD (the default) returns them.
    const times = records.map((record) => record.eventTime!);
    expect([...times].sort().reverse()).toEqual(times);

    const [first, second] = server.requestsFor(LOOKUP_EVENTS.action);
    const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
    expect(first!.params).toEqual({ StartTime: iso(window.start), EndTime: iso(window.end), MaxResults: '50', 'LookupAttribute.1.Key': 'EventRW', 'LookupAttribute.1.Value': 'Write' });
    expect(second!.params.NextToken).toBe(pages[0]!.nextPageToken);
    expect(pages.every((page) => page.requestId && server.requests.some((request) => request.requestId === page.requestId))).toBe(true);
  });

  it('refuses a NextToken that repeats the one it sent, naming the request', async () => {
    actiontrail.addEvents(generateActionTrailEvents({ count: 400, from: now - 7200, to: now - 3601, seed: 4 }));
    const window = { start: now - 7200, end: now - 3600 };
    const first = await source.fetchPage({ window });
    expect(first.nextPageToken).toBeDefined();
    server.register(LOOKUP_EVENTS.action, {
      version: LOOKUP_EVENTS.version,
      handler: (context) => ({ ...actiontrail.lookupEvents(context), NextToken: context.params.NextToken }),
    });
    const error = await source.fetchPage({ window, pageToken: first.nextPageToken }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MalformedResponseError);
    const last = server.requests.at(-1)!;
    expect(String(error)).toContain(`request ${last.requestId}`);
    expect(String(error)).toMatch(/NextToken repeats the token of the request/);
  });

  it('refuses a page token it did not write, before any request', async () => {
    await expect(source.fetchPage({ window: { start: now - 7200, end: now - 3600 }, pageToken: 'not a token' })).rejects.toThrow(
      /alibaba-actiontrail page token "not a token" in the cursor is not a LookupEvents NextToken \(base64 text\)/,
    );
    expect(server.requests).toHaveLength(0);
  });

  it('keeps its credentials out of inspect and JSON', () => {
    const shown = `${inspect(source, { depth: 10 })} ${JSON.stringify(source)}`;
    for (const value of Object.values(keys)) expect(shown).not.toContain(value);
  });

  it('refuses more than two lookup attributes and unknown keys, naming the option', () => {
    expect(() => instance({ lookupAttributes: [1, 2, 3].map(() => ({ Key: 'EventRW', Value: 'Write' })) })).toThrow(/lookupAttributes.*at most 2 lookup attributes/s);
    expect(() => instance({ lookupAttributes: [{ Key: 'Username', Value: 'alice' }] })).toThrow(/options\.lookupAttributes\[0\]\.Key: Invalid option/);
  });
});
