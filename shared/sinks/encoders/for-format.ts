import { elasticEncoder } from './elastic';
import type { Encoder } from './encoder';
import { ndjsonEncoder } from './ndjson';
import { createOcsfEncoder } from './ocsf';
import { createSplunkHecEncoder, type SourcetypeOf } from './splunk-hec';

/**
 * What of a destination decides its record format: the type, and Splunk's
 * index, which travels in each HEC event. The stack hands the function this
 * much (FUNCTION_ENV.destination), never endpoints or secrets.
 */
export type DestinationFormat =
  | { type: 's3' }
  | { type: 'splunk'; index?: string }
  | { type: 'elastic' }
  | { type: 'security-lake'; rawData: boolean };

/** The format part of a configured destination. */
export function destinationFormatOf(destination: DestinationFormat): DestinationFormat {
  switch (destination.type) {
    case 's3':
      return { type: 's3' };
    case 'splunk':
      return destination.index ? { type: 'splunk', index: destination.index } : { type: 'splunk' };
    case 'elastic':
      return { type: 'elastic' };
    case 'security-lake':
      return { type: 'security-lake', rawData: destination.rawData };
  }
}

/**
 * The encoder whose records the destination's Firehose stream delivers as its
 * users expect; Splunk events carry the sourcetype of their source type.
 */
export function encoderFor(destination: DestinationFormat, sourcetypeOf: SourcetypeOf): Encoder {
  switch (destination.type) {
    case 's3':
      return ndjsonEncoder;
    case 'splunk':
      return createSplunkHecEncoder({ sourcetypeOf, index: destination.index });
    case 'elastic':
      return elasticEncoder;
    case 'security-lake':
      return createOcsfEncoder({ rawData: destination.rawData });
  }
}
