import { isoFromSeconds } from '../lib/civil-time';
import type { EcsDocument } from '../ecs/document';
import { stampEnvelope, type Provenance } from './envelope';
import { contentEventId, occurrencesWithin } from './event-id';
import type { MappingContext, Page, Source, TimeWindow } from './ports/source';

export interface MappedPage {
  documents: EcsDocument[];
  /** Records that could not be mapped and travel raw, flagged. */
  mappingErrors: number;
  /** Records dated before the window: delivered anyway, since no later window covers them. */
  lateRecords: number;
  /** Records dated at or after the window end: left to the window that covers them. */
  aheadRecords: number;
  /** Records holding U+FFFD, the character that replaced bytes of the body that were not UTF-8: delivered, tagged. */
  invalidUtf8: number;
}

/**
 * How far past the time it is pulled an event may be dated and still be left
 * to a later window. A provider's clock may run minutes ahead; a date further
 * out is not an event time (milliseconds read as seconds, a typo'd year), and
 * no window would reach it for years: delivered raw and flagged instead.
 */
export const MAX_FUTURE_SECONDS = 86_400;

/** Tags a record whose text holds U+FFFD: the body carried bytes that were not UTF-8 (decoding replaced them). */
export const INVALID_UTF8_TAG = 'cloudtap_invalid_utf8';

/** What the core knows of the page it maps: where its records came from, and their occurrences when the source counted them. */
export type PageContext = Provenance & Pick<Page<unknown>, 'occurrences'>;

/** One record's provenance and occurrence. */
export type RecordContext = Provenance & MappingContext;

/**
 * Map one page of raw records. A record that cannot be mapped is never
 * dropped: it is delivered raw with `event.kind: pipeline_error` and counted.
 */
export function mapPage<Raw>(
  source: Source<Raw>,
  records: Raw[],
  window: TimeWindow,
  { occurrences: counted, ...provenance }: PageContext,
): MappedPage {
  const page: MappedPage = { documents: [], mappingErrors: 0, lateRecords: 0, aheadRecords: 0, invalidUtf8: 0 };
  const occurrences = source.idFromContent ? (counted ?? occurrencesWithin(records)) : undefined;
  if (occurrences && occurrences.length !== records.length) {
    throw new Error(`${source.type}: the page counts occurrences of ${occurrences.length} records but holds ${records.length}`);
  }
  const latestPlausible = Date.parse(provenance.ingested) / 1000 + MAX_FUTURE_SECONDS;
  for (const [i, raw] of records.entries()) {
    const occurrence = occurrences?.[i] ?? 0;
    const context: RecordContext = { ...provenance, occurrence };
    const time = safeEventTime(source, raw);
    if (time !== undefined && time > latestPlausible) {
      page.mappingErrors++;
      const error = new Error(`event time ${new Date(time * 1000).toISOString()} is more than a day after the record was pulled`);
      page.documents.push(flagInvalidUtf8(page, unmappedDocument(source.type, raw, undefined, context, error)));
      continue;
    }
    if (time !== undefined && time >= window.end) {
      page.aheadRecords++;
      continue;
    }
    if (time !== undefined && time < window.start) page.lateRecords++;
    let document: EcsDocument;
    try {
      document = stampEnvelope(source.type, raw, source.normalize(raw, { occurrence }), provenance);
    } catch (error) {
      page.mappingErrors++;
      document = unmappedDocument(source.type, raw, time, context, error);
    }
    page.documents.push(flagInvalidUtf8(page, document));
  }
  return page;
}

/**
 * Bodies are decoded as UTF-8 with each invalid byte sequence replaced by
 * U+FFFD (the WHATWG decoding every fetch does), never refused: the record
 * still arrives, its id stays deterministic, and the tag lets a SIEM find the
 * records whose text was damaged on the way.
 */
function flagInvalidUtf8(page: MappedPage, document: EcsDocument): EcsDocument {
  if (!document.event.original.includes('\uFFFD')) return document;
  page.invalidUtf8++;
  return { ...document, tags: [...(document.tags ?? []), INVALID_UTF8_TAG] };
}

/** The record's event time, or undefined when the source cannot date it (a bad record is the mapping's to flag). */
export function safeEventTime<Raw>(source: Source<Raw>, raw: Raw): number | undefined {
  try {
    const time = source.eventTime(raw);
    return Number.isFinite(time) ? time : undefined;
  } catch {
    return undefined;
  }
}

export function unmappedDocument(
  sourceType: string,
  raw: unknown,
  eventTime: number | undefined,
  context: RecordContext,
  error: unknown,
): EcsDocument {
  const message = error instanceof Error ? error.message : String(error);
  const timestamp = eventTime !== undefined ? isoFromSeconds(eventTime) : context.ingested;
  const fields = {
    '@timestamp': timestamp,
    event: { id: contentEventId(sourceType, raw, context.occurrence), kind: 'pipeline_error' },
    error: { message: `record could not be mapped: ${message}`, type: 'mapping_error' },
    tags: ['cloudtap_mapping_error'],
    cloudtap: { mapping_error: message },
  };
  return stampEnvelope(sourceType, raw, fields, context);
}
