import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../shared/config/load';
import { systemClock } from '../../../../shared/lib/clock';
import { MalformedResponseError } from '../../../../shared/lib/errors';
import { silentLog } from '../../../../shared/lib/logger';
import { registry } from '../../../../shared/providers/registry';
import { CloudAuditSource } from '../../../../shared/providers/tencent/cloudaudit/source';
import { JsonInteger } from '../../../../shared/providers/tencent/json';
import type { TencentApiServer } from '../../../../simulators/tencent/api-server';
import { generateCloudAuditEvents, startCloudAuditSimulator, type CloudAuditSimulator } from '../../../../simulators/tencent/cloudaudit/simulator';

const keys = { secretId: 'AKIDsourceTestFakeId', secretKey: 'sourceTestFakeSecretKey' };
const now = Math.floor(Date.now() / 1000);

describe('CloudAuditSource', () => {
  let server: TencentApiServer;
  let cloudaudit: CloudAuditSimulator;
  let source: CloudAuditSource;

  beforeEach(async () => {
    ({ server, cloudaudit } = await startCloudAuditSimulator({ credentials: [keys] }));
    const [instance] = parseConfig(
      {
        sources: [
          {
            id: 'audit',
            type: 'tencent-cloudaudit',
            region: 'ap-singapore',
            endpoint: server.url,
            options: { lookupAttributes: [{ AttributeKey: 'ActionType', AttributeValue: 'Write' }], returnLocation: true },
          },
        ],
      },
      registry,
    ).sources;
    source = new CloudAuditSource({ instance: instance as never, credentials: keys, clock: systemClock, log: silentLog });
  });
  afterEach(() => server.close());

  it('pages a window with the documented parameters and hands back the big-integer NextToken exactly', async () => {
    cloudaudit.addEvents(generateCloudAuditEvents({ count: 400, from: now - 7200, to: now - 3601, seed: 3 }));
    const writes = cloudaudit.records.filter((record) => JSON.parse(record.CloudAuditEvent).actionType === 'Write').length;
    expect(writes).toBeGreaterThan(100);
    const window = { start: now - 7200, end: now - 3600 };
    const pages = [await source.fetchPage({ window })];
    while (pages.at(-1)!.nextPageToken) pages.push(await source.fetchPage({ window, pageToken: pages.at(-1)!.nextPageToken }));

    // The filter is applied by the API: only write events come back, 50 a page.
    const sizes = pages.map((page) => page.records.length);
    expect(sizes.slice(0, -1).every((size) => size === 50)).toBe(true);
    expect(sizes.reduce((a, b) => a + b)).toBe(writes);
    expect(pages[0]!.nextPageToken).toMatch(/^\d{17,}$/);
    const requests = server.requestsFor('DescribeEvents');
    expect(new Set(requests.map((request) => request.region))).toEqual(new Set(['ap-singapore']));
    expect(requests[0]!.params).toEqual({
      StartTime: window.start,
      EndTime: window.end - 1, // the API's range is inclusive; windows are half-open
      MaxResults: 50,
      LookupAttributes: [{ AttributeKey: 'ActionType', AttributeValue: 'Write' }],
      IsReturnLocation: 1,
    });
    const sentToken = (requests[1]!.params as { NextToken: unknown }).NextToken;
    expect(sentToken).toBeInstanceOf(JsonInteger); // sent back as a bare JSON integer
    expect(String(sentToken)).toBe(pages[0]!.nextPageToken);
  });

  it('refuses a page that says there is more but gives no token, naming the request', async () => {
    server.register('DescribeEvents', { version: '2019-03-19', handler: () => ({ Events: [], ListOver: false }) });
    const error = await source.fetchPage({ window: { start: now - 60, end: now } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect((error as MalformedResponseError).message).toMatch(/ListOver is false but NextToken is missing/);
    expect((error as MalformedResponseError).requestId).toBe(server.requestsFor('DescribeEvents')[0]!.requestId);
  });

  it('refuses a page whose shape is not the documented one', async () => {
    server.register('DescribeEvents', { version: '2019-03-19', handler: () => ({ Events: 'none', ListOver: true }) });
    await expect(source.fetchPage({ window: { start: now - 60, end: now } })).rejects.toThrow(
      /tencent-cloudaudit returned a malformed response \(request [0-9a-f-]+\): DescribeEvents response does not match the documented shape: Events: /,
    );
  });

  it('keeps its credentials out of inspect and JSON', () => {
    expect(inspect(source, { depth: 10, showHidden: true })).not.toContain(keys.secretKey);
    expect(JSON.stringify(source)).not.toContain(keys.secretKey);
  });
});
