import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ECS_VERSION, type EcsDocument } from '../../shared/ecs/document';
import { decodeLines, DocumentTooLargeError } from '../../shared/sinks/encode';
import { FileSink } from '../../shared/sinks/file-sink';

const doc = (i: number, extra: Partial<EcsDocument> = {}): EcsDocument => ({
  '@timestamp': new Date(Date.UTC(2024, 4, 1, 0, 0, i)).toISOString(),
  ecs: { version: ECS_VERSION },
  event: { id: `evt-${i}`, kind: 'event', original: `{"n":${i},"text":"a\\nb"}` },
  cloudtap: { source_id: 'src', source_type: 'test' },
  ...extra,
});
const docs = (from: number, n: number) => Array.from({ length: n }, (_, i) => doc(from + i));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudtap-file-sink-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('FileSink', () => {
  it('creates parent directories and appends NDJSON across deliveries', async () => {
    const path = join(dir, 'nested', 'deeper', 'events.ndjson');
    const sink = new FileSink({ path });
    expect(sink.name).toBe(`file:${path}`);
    expect(await sink.deliver(docs(0, 3))).toEqual({ delivered: 3, records: 1, retries: 0 });
    await sink.deliver(docs(3, 2));
    await sink.close();
    const text = await readFile(path, 'utf8');
    expect(text.split('\n')).toHaveLength(6); // five lines and the trailing newline
    expect(decodeLines(text)).toEqual(docs(0, 5));
  });

  it('keeps concurrent deliveries whole and in call order', async () => {
    const path = join(dir, 'events.ndjson');
    const sink = new FileSink({ path });
    await Promise.all([sink.deliver(docs(0, 100)), sink.deliver(docs(100, 100)), sink.deliver(docs(200, 100))]);
    expect(decodeLines(await readFile(path))).toEqual(docs(0, 300));
  });

  it('writes nothing for an empty batch', async () => {
    const path = join(dir, 'empty.ndjson');
    expect(await new FileSink({ path }).deliver([])).toEqual({ delivered: 0, records: 0, retries: 0 });
    await expect(readFile(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('starts on a fresh line after a torn write from a crash', async () => {
    const path = join(dir, 'events.ndjson');
    await writeFile(path, `${JSON.stringify(doc(0))}\n`);
    await appendFile(path, '{"@timestamp":"2024-05-01T00:00:0'); // torn
    await new FileSink({ path }).deliver([doc(1)]);
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines[2]).toBe(JSON.stringify(doc(1)));
  });

  it('writes nothing when a document cannot be encoded', async () => {
    const path = join(dir, 'events.ndjson');
    const sink = new FileSink({ path });
    const tooBig = doc(2);
    tooBig.event.action = 'a'.repeat(1_100_000); // even the core fields overflow a record
    await expect(sink.deliver([doc(1), tooBig])).rejects.toThrow(DocumentTooLargeError);
    await expect(readFile(path)).rejects.toMatchObject({ code: 'ENOENT' });
    await sink.deliver([doc(3)]); // a failure does not block later deliveries
    expect(decodeLines(await readFile(path))).toEqual([doc(3)]);
  });
});
