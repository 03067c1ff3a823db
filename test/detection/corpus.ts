import { systemClock } from '../../shared/lib/clock';
import { silentLog } from '../../shared/lib/logger';
import { mapPage } from '../../shared/core/map-page';
import type { EcsDocument } from '../../shared/ecs/document';
import { definitions } from '../../shared/providers/registry';
import { benchApis, createBenchSource } from '../../bench/apis';

/**
 * Realistic documents for the detection tests: the simulators' generated raw
 * records, mapped by each API's real source definition, page by page as the
 * pipeline maps them. Each registered API describes its records in
 * test/providers/<vendor>/<api>/corpus.ts.
 */

export type ApiType = string;

/** What each API's corpus.ts exports as `detectionCorpus`. */
export interface DetectionCorpus<RawRecord> {
  /** Generated raw records, as the simulator serves them. */
  generate(options: { count: number; seed: number; from: number; to: number }): RawRecord[];
  /**
   * Why a record is one the default rules exist to catch (a deletion, logging
   * stopped, ...), or undefined for what an account does all day. The
   * generators include such records on purpose.
   */
  sensitive(record: RawRecord): string | undefined;
  /** The record of the provider's documented example response (test/fixtures/<type>/), for the SIEM asset tests. */
  documentedExample(): RawRecord;
  /** The Splunk sourcetype its events must carry, written out as the expectation. */
  splunkSourcetype: string;
  /** The CIM `vendor_product` its events carry in Splunk. */
  splunkVendorProduct: string;
  /** The keys of its credential secret as the stack creates it (every field the source reads, for the operator to fill). */
  secretFields: readonly string[];
}

const corpora = new Map(
  await Promise.all(
    definitions.map(async (definition) => {
      const where = `test/providers/${definition.vendor}/${definition.api}/corpus.ts`;
      const module = (await import(new URL(`../providers/${definition.vendor}/${definition.api}/corpus.ts`, import.meta.url).href).catch(
        (error: unknown) => {
          throw new Error(`${definition.type} has no detection corpus at ${where}`, { cause: error });
        },
      )) as { detectionCorpus?: DetectionCorpus<never> };
      if (!module.detectionCorpus) throw new Error(`${where} exports no detectionCorpus`);
      return [definition.type, module.detectionCorpus as DetectionCorpus<unknown>] as const;
    }),
  ),
);

const corpusOf = (type: ApiType): DetectionCorpus<unknown> => {
  const corpus = corpora.get(type);
  if (!corpus) throw new Error(`no detection corpus for ${type}`);
  return corpus;
};

/** Every registered API, in registry order. */
export const API_TYPES: ApiType[] = definitions.map((definition) => definition.type);

/** A week ending 2026-11-21, so bursts are as sparse as a real account's (the generators spread `count` evenly). */
export const SPAN = { from: 1763078400, to: 1763683200 };

export function generateRaw(type: ApiType, count: number, seed: number): unknown[] {
  return corpusOf(type).generate({ count, seed, ...SPAN });
}

/** The documented example record of `type` (see DetectionCorpus.documentedExample). */
export const documentedExample = (type: ApiType): unknown => corpusOf(type).documentedExample();

/** The CIM vendor_product expected of `type`'s events. */
export const splunkVendorProduct = (type: ApiType): string => corpusOf(type).splunkVendorProduct;

/** The credential secret's keys expected for `type`. */
export const secretFields = (type: ApiType): readonly string[] => corpusOf(type).secretFields;

/** The Splunk sourcetype expected of `type`'s events. */
export const splunkSourcetype = (type: ApiType): string => corpusOf(type).splunkSourcetype;

/** Why a raw record of `type` is sensitive (see DetectionCorpus.sensitive), or undefined. */
export const sensitive = (type: ApiType, record: unknown): string | undefined => corpusOf(type).sensitive(record);

/** Map raw records of `type` to ECS through the API's own source, `pageSize` a page. */
export function mapRecords(type: ApiType, records: unknown[]): EcsDocument[] {
  const api = benchApis.find((candidate) => candidate.type === type)!;
  const source = createBenchSource(api, 'http://127.0.0.1:1', { clock: systemClock, log: silentLog });
  const window = { start: 0, end: 2 ** 31 };
  const documents: EcsDocument[] = [];
  for (let i = 0; i < records.length; i += api.pageSize) {
    const page = mapPage(source, records.slice(i, i + api.pageSize), window, { sourceId: `corpus-${type}`, ingested: '2026-11-21T12:00:00.000Z', requestId: `page-${i}` });
    documents.push(...page.documents);
  }
  return documents;
}
