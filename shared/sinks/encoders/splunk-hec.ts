import type { EcsDocument } from '../../ecs/document';
import { encodeWithin, MAX_RECORD_BYTES, type Serialize } from '../encode';
import type { Encoder } from './encoder';

/** One event for Splunk's HEC event endpoint; `event` is the ECS document unchanged. */
export interface HecEvent {
  /** Epoch seconds with milliseconds, from `@timestamp`. */
  time?: number;
  host: string;
  source: string;
  sourcetype: string;
  index?: string;
  event: EcsDocument;
}

/** The Splunk sourcetype of a source type; each source definition declares its own. */
export type SourcetypeOf = (sourceType: string) => string;

export interface SplunkHecOptions {
  sourcetypeOf: SourcetypeOf;
  /** The index each event names; without one the token's default applies. */
  index?: string;
}

/** HEC wants epoch seconds; milliseconds survive as the fraction. */
function epochSeconds(timestamp: string): number | undefined {
  const ms = Date.parse(timestamp);
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}

/** The HEC event for a document; without a parsable `@timestamp` Splunk stamps the arrival time. */
export function hecEventOf(document: EcsDocument, { sourcetypeOf, index }: SplunkHecOptions): HecEvent {
  const time = epochSeconds(document['@timestamp']);
  return {
    ...(time === undefined ? {} : { time }),
    host: document.cloud?.provider ?? document.cloudtap.source_id,
    source: `cloudtap:${document.cloudtap.source_id}`,
    sourcetype: sourcetypeOf(document.cloudtap.source_type),
    ...(index ? { index } : {}),
    event: rawRecordLast(document),
  };
}

/**
 * The same document with `event.original` serialized last. Splunk extracts
 * JSON fields only from the first 5,000 bytes of an event by default
 * (`[spath] extraction_cutoff`); a raw audit record alone can be longer,
 * and would hide `user`, `source` and `cloudtap.*` behind it.
 */
function rawRecordLast(document: EcsDocument): EcsDocument {
  const { event, ...rest } = document;
  const { original, ...eventFields } = event;
  return { ...rest, event: { ...eventFields, original } } as EcsDocument;
}

/**
 * Splunk: HEC events, one JSON object and a newline each. HEC parses
 * concatenated events in one request, and Firehose's Splunk destination
 * passes a record's events on as they are, so events share records.
 */
export function createSplunkHecEncoder(options: SplunkHecOptions): Encoder {
  const serialize: Serialize = (document) => Buffer.from(`${JSON.stringify(hecEventOf(document, options))}\n`, 'utf8');
  return {
    format: 'splunk-hec',
    packable: true,
    // The envelope counts toward the record limit, so the shrink policy runs on the whole event.
    encode: (document) => encodeWithin(document, serialize, MAX_RECORD_BYTES),
  };
}

/**
 * Concatenated HEC events back into objects, as HEC reads them: top-level JSON
 * objects one after another, with or without whitespace between them.
 */
export function decodeHecEvents(data: Buffer | string): HecEvent[] {
  const text = typeof data === 'string' ? data : data.toString('utf8');
  const events: HecEvent[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}' && depth > 0) {
      if (--depth === 0) events.push(JSON.parse(text.slice(start, i + 1)) as HecEvent);
    } else if (depth === 0 && !/\s/.test(c!)) {
      throw new SyntaxError(`unexpected ${JSON.stringify(c)} between HEC events at offset ${i}`);
    }
  }
  if (depth !== 0 || inString) throw new SyntaxError('truncated HEC event at the end of the data');
  return events;
}
