import type { EcsDocument } from '../ecs/document';
import { ECS_VERSION, datasetOf } from '../ecs/document';
import { canonicalJson, contentEventId } from './event-id';
import type { MappingContext, Source, TimeWindow } from './source';

export interface MappedPage {
  documents: EcsDocument[];
  /** Records that could not be mapped and travel raw, flagged. */
  mappingErrors: number;
  /** Records dated before the window: delivered anyway, since no later window covers them. */
  lateRecords: number;
  /** Records dated at or after the window end: left to the window that covers them. */
  aheadRecords: number;
}

/**
 * Map one page of raw records. A record that cannot be mapped is never
 * dropped: it is delivered raw with `event.kind: pipeline_error` and counted.
 */
export function mapPage<Raw>(
  source: Source<Raw>,
  records: Raw[],
  window: TimeWindow,
  pageContext: Omit<MappingContext, 'occurrence'>,
): MappedPage {
  const page: MappedPage = { documents: [], mappingErrors: 0, lateRecords: 0, aheadRecords: 0 };
  const seen = new Map<string, number>();
  for (const raw of records) {
    let occurrence = 0;
    if (source.idFromContent) {
      const key = canonicalJson(raw);
      occurrence = seen.get(key) ?? 0;
      seen.set(key, occurrence + 1);
    }
    const context: MappingContext = { ...pageContext, occurrence };
    const time = safeEventTime(source, raw);
    if (time !== undefined && time >= window.end) {
      page.aheadRecords++;
      continue;
    }
    if (time !== undefined && time < window.start) page.lateRecords++;
    try {
      page.documents.push(source.normalize(raw, context));
    } catch (error) {
      page.mappingErrors++;
      page.documents.push(unmappedDocument(source.type, raw, time, context, error));
    }
  }
  return page;
}

function safeEventTime<Raw>(source: Source<Raw>, raw: Raw): number | undefined {
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
  context: MappingContext,
  error: unknown,
): EcsDocument {
  const message = error instanceof Error ? error.message : String(error);
  const timestamp = eventTime !== undefined ? new Date(eventTime * 1000).toISOString() : context.ingested;
  return {
    '@timestamp': timestamp,
    ecs: { version: ECS_VERSION },
    event: {
      id: contentEventId(sourceType, raw, context.occurrence),
      kind: 'pipeline_error',
      dataset: datasetOf(sourceType),
      ingested: context.ingested,
      original: JSON.stringify(raw) ?? String(raw),
    },
    error: { message: `record could not be mapped: ${message}`, type: 'mapping_error' },
    tags: ['cloudtap_mapping_error'],
    cloudtap: {
      source_id: context.sourceId,
      source_type: sourceType,
      mapping_error: message,
      request_id: context.requestId,
    },
  };
}
