import type { FirehoseClient } from '@aws-sdk/client-firehose';
import type { EcsDocument } from '../../ecs/document';
import { DeliveryError } from '../../lib/errors';
import { silentLog, type Log } from '../../lib/logger';
import type { DeliveryReport, Sink } from '../../core/ports/sink';
import { createOcsfEncoder } from '../encoders/ocsf';
import { createFirehoseClient, FirehoseSink, type FirehoseSinkOptions } from '../firehose-sink';
import { eventsForTheLake } from './alerts';
import { reportIncomplete } from './incomplete';

export interface SecurityLakeFirehoseSinkOptions extends Omit<FirehoseSinkOptions, 'deliveryStreamName' | 'encoder' | 'client'> {
  /** OCSF class uid -> the delivery stream converting that class to Parquet. */
  streams: ReadonlyMap<number, string>;
  rawData: boolean;
  client?: FirehoseClient;
}

/**
 * Security Lake takes one OCSF class per custom source, so each class has its own
 * stream (and Glue table): documents are mapped once, grouped by class and put into
 * their class's stream, in order. A batch is delivered only when every group is;
 * otherwise the first failure is thrown and the caller keeps its cursor (the groups
 * already delivered will come again: event ids are stable).
 */
export class SecurityLakeFirehoseSink implements Sink {
  readonly name: string;
  private readonly encoder;
  private readonly sinks = new Map<number, FirehoseSink>();
  private readonly client: FirehoseClient;
  private readonly ownsClient: boolean;
  private readonly log: Log;

  constructor(options: SecurityLakeFirehoseSinkOptions) {
    const { streams, rawData, client, ...firehose } = options;
    this.name = `security-lake:${[...streams.values()].join(',')}`;
    this.encoder = createOcsfEncoder({ rawData });
    this.client = client ?? createFirehoseClient();
    this.ownsClient = !client;
    this.log = firehose.log ?? silentLog;
    for (const [classUid, deliveryStreamName] of streams) {
      this.sinks.set(classUid, new FirehoseSink({ ...firehose, deliveryStreamName, client: this.client, encoder: this.encoder }));
    }
  }

  async deliver(documents: EcsDocument[]): Promise<DeliveryReport> {
    const events = eventsForTheLake(documents, this.name, this.log);
    const byClass = new Map<number, EcsDocument[]>();
    for (const document of events) {
      const record = this.encoder.recordOf(document);
      const group = byClass.get(record.class_uid) ?? [];
      group.push(document);
      byClass.set(record.class_uid, group);
    }
    const missing = [...byClass.keys()].filter((uid) => !this.sinks.has(uid));
    if (missing.length > 0) {
      const failures = Object.fromEntries(missing.map((uid) => [`NoStreamForClass${uid}`, byClass.get(uid)!.length]));
      throw new DeliveryError(this.name, events.length, failures);
    }
    reportIncomplete(events.map(this.encoder.recordOf), this.name, this.log);
    const report: DeliveryReport = { delivered: 0, records: 0, retries: 0 };
    for (const [classUid, group] of byClass) {
      const part = await this.sinks.get(classUid)!.deliver(group);
      report.delivered += part.delivered;
      report.records += part.records;
      report.retries += part.retries;
    }
    return report;
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.destroy();
  }
}
