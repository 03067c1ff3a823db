import { systemClock } from '../shared/lib/clock';
import { silentLog } from '../shared/lib/logger';
import { mapPage } from '../shared/core/map-page';
import type { EcsDocument } from '../shared/ecs/document';
import type { DestinationFormat } from '../shared/sinks/encoders/for-format';
import { encoderFor } from '../shared/sinks/encoders/for-format';
import { definitions } from '../shared/providers/registry';
import { splunkSourcetypes } from '../shared/providers/siem';
import { billedBytes, pack } from '../shared/sinks/pack';
import { createBenchSource, pageBodies, type BenchApi } from './apis';

/**
 * Firehose ingestion, as published on the Amazon Data Firehose pricing page:
 * Direct PUT, US East (N. Virginia), first 500 TB a month. Each record is
 * billed at its size rounded up to the next 5 KB, which the page counts as
 * 5,120 bytes; GB is read as 2^30 bytes, as AWS bills.
 */
export const FIREHOSE_PRICE = { region: 'US East (N. Virginia)', usdPerGB: 0.029, tier: 'first 500 TB / month', bytesPerGB: 2 ** 30 };

/** The destinations a stack can deliver to, with the format each one's records carry. */
export const costDestinations: { name: string; format: DestinationFormat }[] = [
  { name: 's3 (NDJSON)', format: { type: 's3' } },
  { name: 'splunk (HEC events)', format: { type: 'splunk', index: 'cloudtap' } },
  { name: 'elastic (JSON)', format: { type: 'elastic' } },
  // Firehose converts these to Parquet in the lake; conversion is billed per GB on the same 5 KB-rounded bytes.
  { name: 'security-lake (OCSF JSON)', format: { type: 'security-lake', rawData: false } },
];

/**
 * `events` realistic documents of `api`, in the pages the pipeline delivers:
 * the simulator's records in the API's envelope, parsed by the client's parser
 * and mapped by the API's definition, `pageSize` a page.
 */
export function realisticPages(api: BenchApi, events: number): EcsDocument[][] {
  return mapBodies(api, pageBodies(api, events));
}

function mapBodies(api: BenchApi, bodies: string[]): EcsDocument[][] {
  const source = createBenchSource(api, 'http://127.0.0.1:1', { clock: systemClock, log: silentLog });
  const window = { start: 0, end: 2 ** 31 };
  const context = { sourceId: 'bench', ingested: new Date().toISOString() };
  return bodies.map((body, i) => mapPage(source, api.parsePage(body), window, { ...context, requestId: `bench-${i}` }).documents);
}

/** Bytes of the raw records in `bodies`, each as compact JSON: what the provider's API holds per event. */
function rawBytesOf(api: BenchApi, bodies: string[]): number {
  return bodies.reduce((total, body) => total + api.parsePage(body).reduce((sum: number, record) => sum + Buffer.byteLength(JSON.stringify(record)), 0), 0);
}

export interface CostResult {
  type: string;
  destination: string;
  /** The destination's config type (s3, splunk, elastic). */
  destinationType: string;
  packable: boolean;
  events: number;
  /** Mean encoded event size. */
  meanEventBytes: number;
  /** Billed bytes per million events: packed as the sink packs each page, and one event per record. */
  packedBilledPerMillion: number;
  onePerRecordBilledPerMillion: number;
  /** Mean events per record when packed. */
  eventsPerRecord: number;
  packedUsdPerMillion: number;
  onePerRecordUsdPerMillion: number;
  /** Bytes the destination receives per byte of raw record (the SIEM's ingest bill). */
  ingestBytesPerRawByte: number;
  /** Bytes Firehose bills per byte of raw record: packed where the destination allows, else one event per record. */
  firehoseBilledPerRawByte: number;
}

const usd = (bytes: number) => (bytes / FIREHOSE_PRICE.bytesPerGB) * FIREHOSE_PRICE.usdPerGB;

/**
 * What Firehose would bill for `pages`, packed the way FirehoseSink packs one
 * `deliver` call (one page), and one event per record, scaled to a million events.
 */
export function costOf(type: string, destination: { name: string; format: DestinationFormat }, pages: EcsDocument[][], rawBytes: number): CostResult {
  const encoder = encoderFor(destination.format, splunkSourcetypes(definitions));
  let events = 0;
  let eventBytes = 0;
  let packedBilled = 0;
  let packedRecords = 0;
  let singleBilled = 0;
  for (const page of pages) {
    const encoded = page.map((document) => encoder.encode(document));
    events += encoded.length;
    eventBytes += encoded.reduce((n, b) => n + b.length, 0);
    singleBilled += billedBytes(encoded.map((b) => b.length));
    const records = pack(encoded, { onePerRecord: !encoder.packable, maxEventsPerRecord: encoder.maxEventsPerRecord }).flatMap((call) => call.records);
    packedRecords += records.length;
    packedBilled += billedBytes(records.map((r) => r.data.length));
  }
  const perMillion = 1_000_000 / events;
  return {
    type,
    destination: destination.name,
    destinationType: destination.format.type,
    packable: encoder.packable,
    events,
    meanEventBytes: eventBytes / events,
    packedBilledPerMillion: packedBilled * perMillion,
    onePerRecordBilledPerMillion: singleBilled * perMillion,
    eventsPerRecord: events / packedRecords,
    packedUsdPerMillion: usd(packedBilled * perMillion),
    onePerRecordUsdPerMillion: usd(singleBilled * perMillion),
    ingestBytesPerRawByte: eventBytes / rawBytes,
    firehoseBilledPerRawByte: (encoder.packable ? packedBilled : singleBilled) / rawBytes,
  };
}

/** Every API against every destination, on `events` realistic documents each. */
export function benchCost(apis: readonly BenchApi[], events = 20_000): CostResult[] {
  return apis.flatMap((api) => {
    const bodies = pageBodies(api, events);
    const pages = mapBodies(api, bodies);
    const rawBytes = rawBytesOf(api, bodies);
    return costDestinations.map((destination) => costOf(api.type, destination, pages, rawBytes));
  });
}
