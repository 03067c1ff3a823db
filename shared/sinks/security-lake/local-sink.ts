import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { EcsDocument } from '../../ecs/document';
import { silentLog, type Log } from '../../lib/logger';
import { ocsfParquet, toOcsf, type OcsfClassUid, type OcsfRecord } from '../../ocsf/index';
import type { DeliveryReport, Sink } from '../../core/ports/sink';
import { syncDirectory } from '../file-sink';
import { UNKNOWN, partitionOf, partitionPath, sourceLocation, type LakePartition } from './layout';
import { eventsForTheLake } from './alerts';
import { reportIncomplete } from './incomplete';

export interface SecurityLakeLocalSinkOptions {
  /** The folder standing in for the Security Lake bucket. */
  dir: string;
  /** Prefix of the custom source names: `<sourceName>-<class uid>`. */
  sourceName: string;
  /** Keep the raw record in OCSF `raw_data`. */
  rawData: boolean;
  log?: Log;
}

/** One Parquet object's worth: records of one class in one partition. */
interface Group {
  classUid: OcsfClassUid;
  folder: string;
  records: OcsfRecord[];
}

/**
 * Writes what Firehose writes to Security Lake, locally: each batch's OCSF records
 * as Parquet files, one class per file, under
 * `<dir>/ext/<sourceName>-<class uid>/region=…/accountId=…/eventDay=YYYYMMDD/`.
 * A file appears whole (written beside, fsynced, renamed, its folder fsynced), and
 * `deliver` resolves only once every file of the batch is durable.
 */
export class SecurityLakeLocalSink implements Sink {
  readonly name: string;
  private readonly log: Log;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: SecurityLakeLocalSinkOptions) {
    this.name = `security-lake:${options.dir}`;
    this.log = options.log ?? silentLog;
  }

  deliver(documents: EcsDocument[]): Promise<DeliveryReport> {
    // One batch at a time: concurrent batches would only race for the same folders.
    const turn = this.queue.then(() => this.write(documents));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  async close(): Promise<void> {
    await this.queue;
  }

  private async write(documents: EcsDocument[]): Promise<DeliveryReport> {
    const events = eventsForTheLake(documents, this.name, this.log);
    const groups = this.group(events);
    for (const group of groups) await writeDurably(group.folder, ocsfParquet(group.classUid, group.records));
    return { delivered: events.length, records: groups.length, retries: 0 };
  }

  private group(documents: EcsDocument[]): Group[] {
    const groups = new Map<string, Group>();
    for (const document of documents) {
      const record = toOcsf(document, { rawData: this.options.rawData });
      const folder = join(this.options.dir, sourceLocation(this.options.sourceName, record.class_uid), partitionPath(safe(partitionOf(record))));
      const group = groups.get(folder) ?? { classUid: record.class_uid, folder, records: [] };
      group.records.push(record);
      groups.set(folder, group);
    }
    reportIncomplete([...groups.values()].flatMap((group) => group.records), this.name, this.log);
    // Security Lake's guidance: records in time order within an object.
    for (const group of groups.values()) group.records.sort((a, b) => a.time - b.time);
    return [...groups.values()];
  }
}

/** Partition values come from provider data: keep them one folder deep on this machine. */
function safe(partition: LakePartition): LakePartition {
  const unsafe = (value: string) => value === '.' || value === '..' || /[/\\]/.test(value);
  const escape = (value: string) => value.replace(/[./\\%]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const segment = (value: string) => (value === '' ? UNKNOWN : unsafe(value) ? escape(value) : value);
  return { region: segment(partition.region), accountId: segment(partition.accountId), eventDay: partition.eventDay };
}

/** A new file in `folder`, whole or not at all: temp name, fsync, rename, fsync the folder. */
async function writeDurably(folder: string, bytes: Uint8Array): Promise<void> {
  await mkdir(folder, { recursive: true });
  const name = `${Date.now()}-${randomUUID()}.parquet`;
  const temp = join(folder, `.${name}.tmp`);
  const file = await open(temp, 'wx');
  try {
    await file.writeFile(bytes);
    await file.sync();
  } catch (error) {
    await file.close();
    await rm(temp, { force: true });
    throw error;
  }
  await file.close();
  await rename(temp, join(folder, name));
  await syncDirectory(folder);
}
