import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { replayCommand } from '../../cli/commands/replay';
import { silentLog } from '../../shared/lib/logger';
import { decodeBackupObject, defaultReplayPrefix } from '../../shared/ops/replay';
import { startCloudFormationServer, type CloudFormationServer } from '../support/cloudformation-server';
import { startFirehoseServer, type FirehoseServer } from '../support/firehose-server';
import { startS3Server, type S3Server } from '../support/s3-server';

const BUCKET = 'cloudtap-audit-bucket';
const STREAM = 'cloudtap-events';
const PREFIX = 'cloudtap-errors/';

/** An NDJSON-packed record of `n` ECS documents, as the S3 destination's pullers send them. */
function record(tag: string, n: number): Buffer {
  const lines = Array.from({ length: n }, (_, i) =>
    `${JSON.stringify({ '@timestamp': '2026-11-20T10:00:00.000Z', event: { id: `${tag}-${i}`, kind: 'event' }, message: `caf\u00e9 ${tag} ${i} "quoted"` })}\n`,
  );
  return Buffer.from(lines.join(''), 'utf8');
}

/** A backup object as Firehose writes it: gzipped JSON lines with the original record base64 in rawData. */
function backupObject(records: Buffer[], errorCode = 'DynamicPartitioning.MetadataExtractionFailed'): Buffer {
  const lines = records.map((data, i) =>
    JSON.stringify({
      attemptsMade: 1,
      arrivalTimestamp: 1763632800000 + i,
      errorCode,
      errorMessage: 'Non JSON record provided',
      attemptEndingTimestamp: 1763632860000,
      rawData: data.toString('base64'),
    }),
  );
  return gzipSync(`${lines.join('\n')}\n`);
}

describe('cloudtap replay (local S3 + Firehose wire servers, real SDK clients)', () => {
  let s3: S3Server;
  let firehose: FirehoseServer;
  let cfn: CloudFormationServer;
  let config: string;
  let output: string[];
  let objects: Map<string, Buffer>;
  const originals = new Map<string, Buffer[]>();

  beforeAll(async () => {
    [s3, firehose, cfn] = await Promise.all([startS3Server(), startFirehoseServer({ streams: [STREAM] }), startCloudFormationServer()]);
    cfn.stacks.set('Cloudtap', { BucketName: BUCKET, DeliveryStreamName: STREAM, CursorTableName: 'cursors' });
    const dir = await mkdtemp(join(tmpdir(), 'cloudtap-replay-'));
    config = join(dir, 'cloudtap.yaml');
    await writeFile(config, ['sources:', '  - { id: audit, type: tencent-cloudaudit, region: ap-guangzhou }'].join('\n'));
  });
  afterAll(() => Promise.all([s3.stop(), firehose.stop(), cfn.stop()]));

  beforeEach(() => {
    s3.buckets.clear();
    objects = s3.createBucket(BUCKET);
    firehose.streams.set(STREAM, []);
    firehose.faults.reset();
    firehose.calls.length = 0;
    originals.clear();
    s3.calls.length = 0;
    output = [];
    // 1,100 records over three objects: more than one PutRecordBatch call (500 records) for the big one.
    const add = (key: string, tags: string[], perRecord: number, code?: string) => {
      const records = tags.map((tag) => record(tag, perRecord));
      originals.set(key, records);
      objects.set(key, backupObject(records, code));
    };
    add(`${PREFIX}processing-failed/2026/11/20/a.gz`, Array.from({ length: 900 }, (_, i) => `a${i}`), 1);
    add(`${PREFIX}processing-failed/2026/11/20/b.gz`, ['b0', 'b1'], 250, 'DynamicPartitioning.MetadataExtractionFailed');
    add(`${PREFIX}S3.AccessDenied/2026/11/21/c.gz`, Array.from({ length: 198 }, (_, i) => `c${i}`), 3, 'S3.AccessDenied');
    objects.set('cloudtap/source_type=x/source_id=y/date=2026-11-20/ok.gz', gzipSync('not a backup\n'));
  });
  afterEach(() => firehose.faults.reset());

  const replay = (extra: Partial<Parameters<typeof replayCommand>[0]> = {}) =>
    replayCommand({
      configPath: config,
      cloudFormation: cfn.client,
      s3: s3.client,
      firehose: firehose.client,
      baseDelayMs: 1,
      log: silentLog,
      write: (text) => output.push(text),
      ...extra,
    });

  it('replays every record byte-exactly, marks the objects, and sends nothing the second time', async () => {
    expect(await replay()).toBe(0);
    const sent = firehose.acknowledgedRecords(STREAM);
    const expected = [...originals.keys()].sort().flatMap((key) => originals.get(key)!); // objects in key order
    expect(sent).toHaveLength(1100);
    expect(Buffer.concat(sent).equals(Buffer.concat(expected))).toBe(true);
    expect(firehose.acknowledgedDocuments(STREAM).map((d) => d.event.id)).toContain('b1-249');
    expect(firehose.calls.filter((c) => c.operation === 'PutRecordBatch').length).toBeGreaterThanOrEqual(4);
    const keys = [...objects.keys()].sort();
    expect(keys.filter((k) => k.startsWith(PREFIX))).toEqual([
      `${PREFIX}replayed/S3.AccessDenied/2026/11/21/c.gz`,
      `${PREFIX}replayed/processing-failed/2026/11/20/a.gz`,
      `${PREFIX}replayed/processing-failed/2026/11/20/b.gz`,
    ]);
    expect(output.join('')).toContain('3 of 3 objects replayed: 1100 records sent');

    output = [];
    firehose.calls.length = 0;
    expect(await replay()).toBe(0);
    expect(firehose.calls).toHaveLength(0);
    expect(firehose.acknowledgedRecords(STREAM)).toHaveLength(1100);
    expect(output.join('')).toContain('nothing to replay');
  });

  it('leaves an object with unacknowledged records in place, and replays it on the next run', async () => {
    const bKey = `${PREFIX}processing-failed/2026/11/20/b.gz`;
    firehose.faults.failRecords((data) => data.toString().includes('"b1-0"'), { times: Infinity });
    expect(await replay({ maxAttempts: 2 })).toBe(1);
    expect(objects.has(bKey)).toBe(true);
    expect(objects.has(`${PREFIX}replayed/processing-failed/2026/11/20/a.gz`)).toBe(true);
    expect(output.join('')).toMatch(/FAILED\s+cloudtap-errors\/processing-failed\/2026\/11\/20\/b\.gz: 1 of 2 records not acknowledged \(ServiceUnavailableException 1\)/);

    firehose.faults.reset();
    firehose.streams.set(STREAM, []);
    expect(await replay()).toBe(0);
    expect(objects.has(bKey)).toBe(false);
    expect(firehose.acknowledgedRecords(STREAM).map((r) => r.toString())).toEqual(originals.get(bKey)!.map((r) => r.toString()));
  });

  it('dry run counts per error code and changes nothing', async () => {
    const before = new Map(objects);
    expect(await replay({ dryRun: true })).toBe(0);
    expect(firehose.calls).toHaveLength(0);
    expect(objects).toEqual(before);
    const text = output.join('');
    expect(text).toContain('3 of 3 objects would be replayed: 1100 records');
    expect(text).toContain('DynamicPartitioning.MetadataExtractionFailed: 902');
    expect(text).toContain('S3.AccessDenied: 198');
    expect(s3.calls.some((c) => c.startsWith('PUT') || c.startsWith('DELETE'))).toBe(false);
  });

  it('reports malformed objects by key, skips them and replays the rest', async () => {
    const bad = {
      [`${PREFIX}processing-failed/2026/11/20/not-gzip.gz`]: Buffer.from([0x1f, 0x8b, 1, 2, 3]),
      [`${PREFIX}processing-failed/2026/11/20/not-json.gz`]: gzipSync('{"rawData": "YQ=="}\nnot json\n'),
      [`${PREFIX}processing-failed/2026/11/20/no-raw.gz`]: gzipSync('{"errorCode": "X"}\n'),
    };
    for (const [key, body] of Object.entries(bad)) objects.set(key, body);
    expect(await replay()).toBe(1);
    const text = output.join('');
    expect(text).toContain('MALFORMED    cloudtap-errors/processing-failed/2026/11/20/not-json.gz: line 2 is not JSON (skipped)');
    expect(text).toContain('no-raw.gz: line 1 has no base64 rawData');
    expect(text).toContain('not-gzip.gz: not valid gzip');
    expect(text).toContain('3 of 6 objects replayed');
    for (const key of Object.keys(bad)) expect(objects.has(key)).toBe(true);
    expect(firehose.acknowledgedRecords(STREAM)).toHaveLength(1100);
  });

  it('takes --prefix, --bucket and --stream without asking CloudFormation', async () => {
    const calls = cfn.calls.length;
    expect(await replay({ prefix: `${PREFIX}S3.AccessDenied/`, bucket: BUCKET, stream: STREAM })).toBe(0);
    expect(cfn.calls.length).toBe(calls);
    expect(firehose.acknowledgedRecords(STREAM)).toHaveLength(198);
    expect(objects.has(`${PREFIX}S3.AccessDenied/replayed/2026/11/21/c.gz`)).toBe(true);
    // The replayed copy is never picked up again, under either prefix.
    firehose.calls.length = 0;
    expect(await replay({ prefix: PREFIX, dryRun: true })).toBe(0);
    expect(output.join('')).toContain('2 of 2 objects would be replayed');
  });
});

describe('replay helpers', () => {
  it('finds the failed-records folder of each destination', () => {
    expect(defaultReplayPrefix({ type: 's3', errorPrefix: 'errs' } as never)).toBe('errs/');
    expect(defaultReplayPrefix({ type: 'splunk', backupPrefix: 'sb/' } as never)).toBe('sb/splunk-failed/');
    expect(defaultReplayPrefix({ type: 'elastic', backupPrefix: 'eb/' } as never)).toBe('eb/http-endpoint-failed/');
    expect(defaultReplayPrefix({ type: 'security-lake', errorPrefix: 'lake-errors', sourceName: 'cloudtap' } as never)).toBe('lake-errors/cloudtap-6003/');
  });

  it('reads Firehose error documents with either spelling of the error code, plain or gzipped', () => {
    const plain = Buffer.from('{"ErrorCode":"Conversion","rawData":"aGk="}\n\n{"errorCode":"Splunk.InvalidToken","rawData":"","EventId":"1"}\n');
    const decoded = decodeBackupObject(plain);
    expect(decoded.records.map((r) => r.toString())).toEqual(['hi', '']);
    expect(decoded.codes).toEqual({ Conversion: 1, 'Splunk.InvalidToken': 1 });
    expect(() => decodeBackupObject(gzipSync(''))).toThrow('holds no records');
  });
});
