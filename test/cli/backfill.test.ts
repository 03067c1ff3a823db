import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeLines } from '../../shared/sinks/encode';
import type { TencentApiServer } from '../../simulators/tencent/api-server';
import { generateCloudAuditEvents, startCloudAuditSimulator, type CloudAuditEventRecord } from '../../simulators/tencent/cloudaudit/simulator';
import { cloudtap } from '../support/cli';
import { cloudAuditProject } from '../support/cli-project';

const keys = { secretId: 'AKIDcliBackfillFakeSecretId', secretKey: 'cliBackfillFakeSecretKeyValue' };
const env = { TENCENTCLOUD_SECRET_ID: keys.secretId, TENCENTCLOUD_SECRET_KEY: keys.secretKey };
const DAY = 86_400;

describe('cloudtap backfill --from 7d --to 6d, run twice as a user would', () => {
  let server: TencentApiServer;
  let dir: string;
  let records: CloudAuditEventRecord[];

  beforeAll(async () => {
    const started = await startCloudAuditSimulator({ credentials: [keys] });
    server = started.server;
    const now = Math.floor(Date.now() / 1000);
    records = generateCloudAuditEvents({ count: 600, from: now - 8 * DAY, to: now - 5 * DAY, seed: 31 }).map((e) => ('record' in e ? e.record : e));
    started.cloudaudit.addEvents(records);
    dir = await cloudAuditProject(server.url);
  });
  afterAll(() => server.close());

  it('delivers each event of the range once: the second run finishes the range the first one resolved', async () => {
    const args = ['backfill', '--config', 'cloudtap.yaml', '--source', 'audit-test', '--from', '7d', '--to', '6d'];
    const first = await cloudtap(args, { cwd: dir, env });
    expect(first.code, first.stderr).toBe(0);
    const span = /backfill of audit-test: (\S+) – (\S+) \("--from 7d --to 6d" resolved now/.exec(first.stderr);
    expect(span, first.stderr).not.toBeNull();
    const [from, to] = [Date.parse(span![1]!) / 1000, Date.parse(span![2]!) / 1000];
    expect(to - from).toBe(DAY);
    expect(first.stderr).toMatch(/✓ backfill of audit-test .* complete: \d+ pulled/);

    // The second run starts seconds later, so "7d" now means a later time than it did; the range must not move with it.
    const second = await cloudtap(args, { cwd: dir, env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(`for "--from 7d --to 6d": ${span![1]} – ${span![2]}; pass --fresh to resolve it again`);
    expect(second.stderr).toContain('already complete, nothing to do');

    const delivered = decodeLines(await readFile(join(dir, 'out/events.ndjson'), 'utf8'))
      .filter((document) => document.event.kind !== 'alert')
      .map((document) => document.event.id as string);
    const inRange = records.filter((r) => r.EventTime >= from && r.EventTime < to).map((r) => r.EventId).sort();
    expect(inRange.length).toBeGreaterThan(100);
    expect(new Set(delivered).size, 'no event twice').toBe(delivered.length);
    expect([...delivered].sort()).toEqual(inRange);
    for (const output of [first, second]) expect(`${output.stdout}${output.stderr}`).not.toContain(keys.secretKey);
  }, 120_000);
});
