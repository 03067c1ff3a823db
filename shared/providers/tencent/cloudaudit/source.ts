import * as z from 'zod';
import type { MappingContext, Page, PageRequest, Source } from '../../../core/ports/source';
import type { VendorDocument } from '../../../ecs/document';
import type { SourceFactoryArgs } from '../../definition';
import { malformedPage, parsePage } from '../../page';
import { JsonInteger, TencentClient } from '../client';
import type { TencentSourceCredentials } from '../credentials';
import type { CloudAuditOptions } from './options';
import { CLOUDAUDIT_TYPE, cloudAuditEventTime, mapCloudAuditRecord, type CloudAuditRecord } from './map';
import { CLOUDAUDIT_LIMITS } from './limits';
import { DAY_SECONDS } from '../../../lib/duration';

const DESCRIBE_EVENTS = 'DescribeEvents';

const pageSchema = z.object({
  // Items stay unknown: one bad record (null, a string) is the core's to flag and deliver raw,
  // not a reason to refuse the page and block every record after it.
  Events: z.array(z.unknown()).nullish(),
  ListOver: z.boolean().nullish(),
  NextToken: z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).nullish(),
});

export type CloudAuditSourceArgs = SourceFactoryArgs<CloudAuditOptions, TencentSourceCredentials>;

/**
 * The NextToken a page token in the cursor holds: the digits DescribeEvents
 * gave. Anything else (a hand-edited or foreign cursor) is refused saying
 * what is wrong and what to do, rather than as JsonInteger's bare TypeError.
 */
function nextTokenOf(pageToken: string): JsonInteger {
  if (!/^\d{1,40}$/.test(pageToken)) {
    throw new Error(`${CLOUDAUDIT_TYPE} page token ${JSON.stringify(pageToken.slice(0, 60))} in the cursor is not a NextToken; reset the source's cursor`);
  }
  return new JsonInteger(pageToken);
}

/** Tencent Cloud CloudAudit `DescribeEvents` (2019-03-19), paged by NextToken/ListOver. */
export class CloudAuditSource implements Source<CloudAuditRecord> {
  readonly type = CLOUDAUDIT_TYPE;
  /**
   * One day per query: well inside the 30-day cap, and it keeps any one
   * NextToken chain short so a resumed window rarely depends on an old token.
   */
  readonly maxWindowSeconds = DAY_SECONDS;
  readonly retentionSeconds = CLOUDAUDIT_LIMITS.retentionSeconds;
  private readonly client: TencentClient;
  /** Only the options are kept: credentials live in the client's private fields, out of reach of inspect/logs. */
  private readonly options: CloudAuditOptions;

  constructor(args: CloudAuditSourceArgs) {
    this.options = args.instance.options;
    this.client = new TencentClient({
      service: 'cloudaudit',
      version: '2019-03-19',
      region: args.instance.region,
      endpoint: args.instance.endpoint,
      credentials: args.credentials,
      requestsPerSecond: args.requestsPerSecond ?? CLOUDAUDIT_LIMITS.requestsPerSecond,
      pacer: args.pacer,
      timeoutMs: args.timeoutMs,
      clock: args.clock,
      log: args.log,
    });
  }

  async fetchPage({ window, pageToken, signal }: PageRequest): Promise<Page<CloudAuditRecord>> {
    const { options } = this;
    const params: Record<string, unknown> = {
      StartTime: window.start,
      // The API's range is inclusive; the core's windows are half-open.
      EndTime: window.end - 1,
      MaxResults: CLOUDAUDIT_LIMITS.maxResults,
    };
    if (pageToken !== undefined) params.NextToken = nextTokenOf(pageToken);
    if (options.lookupAttributes.length > 0) params.LookupAttributes = options.lookupAttributes;
    if (options.returnLocation) params.IsReturnLocation = 1;

    const { response, requestId, retries } = await this.client.call(DESCRIBE_EVENTS, params, { signal });
    const origin = { source: CLOUDAUDIT_TYPE, operation: DESCRIBE_EVENTS, requestId, client: this.client };
    const { Events, ListOver, NextToken } = parsePage(pageSchema, response, origin);
    const records = (Events ?? []) as CloudAuditRecord[];
    if (ListOver === true) return { records, requestId, retries };
    if (NextToken === undefined || NextToken === null) {
      // ListOver false with no token would silently end the window early.
      if (ListOver === false) {
        throw malformedPage(origin, 'ListOver is false but NextToken is missing');
      }
      return { records, requestId, retries };
    }
    return { records, nextPageToken: String(NextToken), requestId, retries };
  }

  eventTime(record: CloudAuditRecord): number {
    return cloudAuditEventTime(record);
  }

  normalize(record: CloudAuditRecord, context: MappingContext): VendorDocument {
    return mapCloudAuditRecord(record, context);
  }
}
