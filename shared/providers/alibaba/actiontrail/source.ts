import * as z from 'zod';
import type { MappingContext, Page, PageRequest, Source } from '../../../core/ports/source';
import type { VendorDocument } from '../../../ecs/document';
import { DAY_SECONDS } from '../../../lib/duration';
import type { SourceFactoryArgs } from '../../definition';
import { malformedPage, parsePage } from '../../page';
import { AlibabaClient } from '../client';
import type { AlibabaSourceCredentials } from '../credentials';
import { acsDate } from '../signer';
import { LOOKUP_EVENTS_LIMITS } from './limits';
import { ACTIONTRAIL_TYPE, actionTrailEventTime, mapActionTrailEvent, type ActionTrailEvent } from './map';
import type { ActionTrailOptions } from './options';

const LOOKUP_EVENTS = 'LookupEvents';
export const ACTIONTRAIL_VERSION = '2020-07-06';

/** The regional endpoint Alibaba's endpoint list gives: actiontrail.{region}.aliyuncs.com. */
export const actionTrailEndpoint = (region: string | undefined): string => `https://actiontrail.${region ?? 'cn-hangzhou'}.aliyuncs.com`;

const pageSchema = z.object({
  RequestId: z.string(),
  // Items stay unknown: one bad event is the core's to flag and deliver raw, not a reason to refuse the page.
  Events: z.array(z.unknown()).nullish(),
  NextToken: z.string().nullish(),
});

/** A NextToken as LookupEvents writes it: base64 text (the documented one encodes a JSON object). */
const TOKEN = /^[A-Za-z0-9+/]{16,4096}={0,2}$/;

export type ActionTrailSourceArgs = SourceFactoryArgs<ActionTrailOptions, AlibabaSourceCredentials>;

/** Alibaba Cloud ActionTrail `LookupEvents` (2020-07-06), newest first (Direction BACKWARD, the default), paged by NextToken. */
export class ActionTrailSource implements Source<ActionTrailEvent> {
  readonly type = ACTIONTRAIL_TYPE;
  /** One day per query: well inside the 30-day span, and it keeps a NextToken chain short. */
  readonly maxWindowSeconds = DAY_SECONDS;
  readonly retentionSeconds = LOOKUP_EVENTS_LIMITS.retentionSeconds;
  private readonly client: AlibabaClient;
  /** Only the options are kept: credentials live in the client's private fields, out of reach of inspect/logs. */
  private readonly options: ActionTrailOptions;

  constructor(args: ActionTrailSourceArgs) {
    this.options = args.instance.options;
    this.client = new AlibabaClient({
      version: ACTIONTRAIL_VERSION,
      endpoint: args.instance.endpoint ?? actionTrailEndpoint(args.instance.region),
      credentials: args.credentials,
      requestsPerSecond: args.requestsPerSecond ?? LOOKUP_EVENTS_LIMITS.requestsPerSecond,
      pacer: args.pacer,
      timeoutMs: args.timeoutMs,
      clock: args.clock,
      log: args.log,
    });
  }

  async fetchPage({ window, pageToken, signal }: PageRequest): Promise<Page<ActionTrailEvent>> {
    if (pageToken !== undefined && !TOKEN.test(pageToken)) {
      throw new Error(`${ACTIONTRAIL_TYPE} page token ${JSON.stringify(pageToken.slice(0, 60))} in the cursor is not a LookupEvents NextToken (base64 text); reset the source's cursor`);
    }
    const params: Record<string, unknown> = {
      // Both ends to the second. An event dated at the end second may come back (if the API's end is
      // inclusive): the core leaves it to the next window, which starts there.
      StartTime: acsDate(window.start * 1000),
      EndTime: acsDate(window.end * 1000),
      MaxResults: LOOKUP_EVENTS_LIMITS.maxResults,
      LookupAttribute: this.options.lookupAttributes.length > 0 ? this.options.lookupAttributes : undefined,
      NextToken: pageToken,
    };
    const { body, requestId, retries } = await this.client.call(LOOKUP_EVENTS, params, { signal });
    const origin = { source: ACTIONTRAIL_TYPE, operation: LOOKUP_EVENTS, requestId, client: this.client };
    const { Events, NextToken } = parsePage(pageSchema, body, origin);
    const records = (Events ?? []) as ActionTrailEvent[];
    // More events than MaxResults are delivered, not refused: the token, not the page size, says where the next
    // page starts, so none is skipped or repeated (test/bad-inputs BI-15).
    if (!NextToken) return { records, requestId, retries };
    // The token sent back again would page the same events forever.
    if (NextToken === pageToken) throw malformedPage(origin, 'NextToken repeats the token of the request: paging would not advance');
    if (!TOKEN.test(NextToken)) throw malformedPage(origin, 'NextToken is not base64 text of at most 4096 characters');
    return { records, nextPageToken: NextToken, requestId, retries };
  }

  eventTime(record: ActionTrailEvent): number {
    return actionTrailEventTime(record);
  }

  normalize(record: ActionTrailEvent, context: MappingContext): VendorDocument {
    return mapActionTrailEvent(record, context);
  }
}
