import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ECS_VERSION, type EcsDocument } from '../../../shared/ecs/document';
import type { Log } from '../../../shared/lib/logger';
import { toOcsf, validateOcsf } from '../../../shared/ocsf/index';
import { SecurityLakeLocalSink } from '../../../shared/sinks/security-lake/local-sink';
import { asJson, listFiles, readLake } from './read-lake';

const doc = (i: number, fields: Partial<EcsDocument> = {}): EcsDocument => ({
  '@timestamp': new Date(Date.UTC(2026, 11, 7, 23, 59, 50 + i)).toISOString(),
  ecs: { version: ECS_VERSION },
  event: { id: `evt-${i}`, kind: 'event', category: ['configuration'], type: ['change'], action: `UpdateThing${i}`, outcome: 'success', original: `{"seq":${i}}` },
  cloud: { provider: 'tencentcloud', region: 'ap-guangzhou', account: { id: '100012345678' }, service: { name: 'cvm' } },
  user: { id: `uin-${i}`, name: `user-${i}` },
  source: { ip: '203.0.113.7' },
  cloudtap: { source_id: 'audit-gz', source_type: 'tencent-cloudaudit' },
  ...fields,
});
const signIn = (i: number): EcsDocument =>
  doc(i, { event: { id: `login-${i}`, kind: 'event', category: ['authentication'], type: ['start'], action: 'ConsoleLogin', outcome: 'failure', original: '{}' } });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudtap-lake-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const recordingLog = () => {
  const lines: string[] = [];
  const put = (message: string, extra?: Record<string, unknown>) => void lines.push(`${message} ${JSON.stringify(extra)}`);
  return { log: { debug: put, info: put, warn: put, error: put } satisfies Log, lines };
};

describe('SecurityLakeLocalSink', () => {
  it('writes one Parquet file per class and partition, in the custom-source layout, that reads back as the OCSF records', async () => {
    // Two UTC days of API calls in one account, a sign-in, and an API call in another region and account.
    const input = [doc(1), doc(12), signIn(3), doc(4, { cloud: { region: 'cn-north-4', account: { id: 'acct-2' } } })];
    const sink = new SecurityLakeLocalSink({ dir, sourceName: 'cloudtap', rawData: false });
    expect(await sink.deliver(input)).toEqual({ delivered: 4, records: 4, retries: 0 });

    const files = await readLake(dir);
    expect(files.map((f) => f.path.replace(/[^/]+\.parquet$/, '*.parquet'))).toEqual([
      'ext/cloudtap-3002/region=ap-guangzhou/accountId=100012345678/eventDay=20261207/*.parquet',
      'ext/cloudtap-6003/region=ap-guangzhou/accountId=100012345678/eventDay=20261207/*.parquet',
      'ext/cloudtap-6003/region=ap-guangzhou/accountId=100012345678/eventDay=20261208/*.parquet',
      'ext/cloudtap-6003/region=cn-north-4/accountId=acct-2/eventDay=20261207/*.parquet',
    ]);
    const written = files.flatMap((f) => f.rows.map(asJson));
    const expected = [signIn(3), doc(1), doc(12), doc(4, { cloud: { region: 'cn-north-4', account: { id: 'acct-2' } } })].map((d) =>
      asJson(JSON.parse(JSON.stringify(toOcsf(d)))),
    );
    expect(written).toEqual(expected);
    expect(written.map((r) => (r as { class_uid: number }).class_uid)).toEqual([3002, 6003, 6003, 6003]);
  });

  it('keeps the raw record in raw_data only when asked', async () => {
    await new SecurityLakeLocalSink({ dir, sourceName: 'cloudtap', rawData: true }).deliver([doc(1)]);
    await new SecurityLakeLocalSink({ dir: join(dir, 'plain'), sourceName: 'cloudtap', rawData: false }).deliver([doc(1)]);
    const [withRaw, plain] = [await readLake(dir), await readLake(join(dir, 'plain'))].map((files) => files.find((f) => !f.path.startsWith('plain/'))!.rows[0]!);
    expect(withRaw!.raw_data).toBe('{"seq":1}');
    expect(plain!.raw_data ?? undefined).toBeUndefined();
  });

  it('orders records by time within a file and leaves no temporary file behind', async () => {
    await new SecurityLakeLocalSink({ dir, sourceName: 'cloudtap', rawData: false }).deliver([doc(5), doc(2), doc(7)]);
    const [file] = await readLake(dir);
    expect(file!.rows.map((r) => asJson(r.time))).toEqual([2, 5, 7].map((s) => Date.UTC(2026, 11, 7, 23, 59, 50 + s)));
    expect((await listFiles(dir)).filter((path) => path.endsWith('.tmp') || path.includes('/.'))).toEqual([]);
  });

  it('delivers a document its class cannot express, counted and logged without its contents', async () => {
    // No @timestamp: the time OCSF requires is missing.
    const broken = doc(1, { '@timestamp': 'not a time' as string, user: { name: 'secret-person' } });
    const { log, lines } = recordingLog();
    const report = await new SecurityLakeLocalSink({ dir, sourceName: 'cloudtap', rawData: false, log }).deliver([broken, doc(2)]);
    expect(report.delivered).toBe(2);
    const rows = (await readLake(dir)).flatMap((f) => f.rows);
    expect(rows).toHaveLength(2);
    const record = toOcsf(broken);
    expect(validateOcsf(record)).not.toEqual([]);
    expect(lines).toEqual([expect.stringMatching(/^security-lake: records delivered incomplete .*"records":1}$/)]);
    expect(lines.join('\n')).not.toContain('secret-person');
  });

  it("leaves cloudtap's alerts out, saying how many", async () => {
    const alert = doc(9, { event: { id: 'alert-1', kind: 'alert', action: 'rule matched', original: '' } });
    const { log, lines } = recordingLog();
    const report = await new SecurityLakeLocalSink({ dir, sourceName: 'cloudtap', rawData: false, log }).deliver([doc(1), alert]);
    expect(report.delivered).toBe(1);
    expect((await readLake(dir)).flatMap((f) => f.rows.map((r) => (r.metadata as { uid: string }).uid))).toEqual(['evt-1']);
    expect(lines).toEqual([expect.stringMatching(/^security-lake: alerts are not written to Security Lake .*"alerts":1}$/)]);
  });

  it('keeps a partition value from provider data one folder deep', async () => {
    await new SecurityLakeLocalSink({ dir, sourceName: 'cloudtap', rawData: false }).deliver([doc(1, { cloud: { region: '..', account: { id: 'a/../../b' } } })]);
    expect((await listFiles(dir)).map((p) => p.replace(/[^/]+\.parquet$/, '*'))).toEqual([
      'ext/cloudtap-6003/region=%2E%2E/accountId=a%2F%2E%2E%2F%2E%2E%2Fb/eventDay=20261207/*',
    ]);
  });
});
