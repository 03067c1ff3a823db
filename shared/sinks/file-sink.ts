import { mkdir, open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EcsDocument } from '../ecs/document';
import { encodeDocument } from './encode';
import type { DeliveryReport, Sink } from '../core/ports/sink';

/**
 * Appends documents as NDJSON lines to a local file. `deliver` resolves only
 * after fsync, so an acknowledged batch survives a crash like a Firehose ack does.
 */
export interface FileSinkOptions {
  /** The NDJSON file to append to; parent directories are created. */
  path: string;
}

export class FileSink implements Sink {
  readonly name: string;
  readonly path: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: FileSinkOptions) {
    this.path = options.path;
    this.name = `file:${options.path}`;
  }

  deliver(documents: EcsDocument[]): Promise<DeliveryReport> {
    // Serialize appends so concurrent batches never interleave within a line.
    const turn = this.queue.then(() => this.append(documents));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  async close(): Promise<void> {
    await this.queue;
  }

  private async append(documents: EcsDocument[]): Promise<DeliveryReport> {
    if (documents.length === 0) return { delivered: 0, records: 0, retries: 0 };
    const lines = documents.map((d) => encodeDocument(d));
    const directory = dirname(this.path);
    await mkdir(directory, { recursive: true });
    const existed = await stat(this.path).then(() => true, () => false);
    const file = await open(this.path, 'a+');
    try {
      // A crash mid-append can leave a torn last line; start on a fresh line so ours stay parseable.
      const { size } = await file.stat();
      const last = Buffer.alloc(1);
      if (size > 0) await file.read(last, 0, 1, size - 1);
      const torn = size > 0 && last[0] !== 0x0a;
      await file.appendFile(Buffer.concat(torn ? [Buffer.from('\n'), ...lines] : lines));
      await file.sync();
    } finally {
      await file.close();
    }
    // A new file is durable only once its directory entry is.
    if (!existed) await syncDirectory(directory);
    return { delivered: documents.length, records: 1, retries: 0 };
  }
}

/** fsync a directory, so a file created or renamed in it survives a crash (a no-op where directories cannot be opened). */
export async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r').catch(() => undefined); // not possible on Windows
  if (!handle) return;
  try {
    await handle.sync().catch(() => undefined);
  } finally {
    await handle.close();
  }
}
