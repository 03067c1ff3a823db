import * as z from 'zod';
import type { MappingContext, Page, PageRequest, Source } from '../../../core/ports/source';
import type { VendorDocument } from '../../../ecs/document';
import type { SourceFactoryArgs } from '../../definition';
import { malformedPage, parsePage } from '../../page';
import { UCloudClient } from '../client';
import type { UCloudSourceCredentials } from '../credentials';
import type { UCloudOperationsOptions } from './options';
import { UCLOUD_OPERATIONS_TYPE, mapUCloudOperationRecord, operationEventTime, type UCloudOperationRecord } from './map';
import { carryOver, decodePageToken, encodePageToken } from './page-token';
import { UCLOUD_OPERATIONS_LIMITS } from './limits';
import { DAY_SECONDS } from '../../../lib/duration';

const GET_USER_OPERATION_EVENTS = 'GetUserOperationEvents';

const pageSchema = z.object({
  // Items stay unknown: one bad record (null, a string) is the core's to flag and deliver raw,
  // not a reason to refuse the page and block every record after it.
  Events: z.array(z.unknown()).nullish(),
  NextToken: z.string().nullish(),
});

export type UCloudOperationsSourceArgs = SourceFactoryArgs<UCloudOperationsOptions, UCloudSourceCredentials>;

const safeTime = (record: UCloudOperationRecord): number | undefined => {
  try {
    return operationEventTime(record);
  } catch {
    return undefined;
  }
};

/** UCloud ULog `GetUserOperationEvents`, paged by NextToken within fixed windows. */
export class UCloudOperationsSource implements Source<UCloudOperationRecord> {
  readonly type = UCLOUD_OPERATIONS_TYPE;
  /** One day per query keeps each NextToken chain short; the API states no span limit. */
  readonly maxWindowSeconds = DAY_SECONDS;
  readonly retentionSeconds = UCLOUD_OPERATIONS_LIMITS.retentionSeconds;
  readonly idFromContent = true;
  private readonly client: UCloudClient;

  /** Only the options are kept: credentials live in the client's private fields, out of reach of inspect/logs. */
  private readonly options: UCloudOperationsOptions;

  constructor(args: UCloudOperationsSourceArgs) {
    this.options = args.instance.options;
    const { projectId } = args.instance.options;
    this.client = new UCloudClient({
      endpoint: args.instance.endpoint,
      credentials: args.credentials,
      requestsPerSecond: args.requestsPerSecond ?? UCLOUD_OPERATIONS_LIMITS.requestsPerSecond,
      pacer: args.pacer,
      timeoutMs: args.timeoutMs,
      clock: args.clock,
      log: args.log,
      redact: projectId ? [projectId] : [],
    });
  }

  async fetchPage({ window, pageToken, signal }: PageRequest): Promise<Page<UCloudOperationRecord>> {
    const { options } = this;
    const token = pageToken === undefined ? undefined : decodePageToken(pageToken);
    // Every parameter but NextToken must repeat exactly on the following pages.
    const params: Record<string, unknown> = {
      BeginTime: window.start,
      // Taken as inclusive; the core's windows are half-open.
      EndTime: window.end - 1,
      MaxResults: options.maxResults,
    };
    if (options.projectId) params.ProjectId = options.projectId;
    if (options.resourceId) params.ResourceID = options.resourceId;
    if (token) params.NextToken = token.next;

    const { response, requestId, retries } = await this.client.call(GET_USER_OPERATION_EVENTS, params, { signal });
    const origin = { source: UCLOUD_OPERATIONS_TYPE, operation: GET_USER_OPERATION_EVENTS, requestId, client: this.client };
    const parsed = parsePage(pageSchema, response, origin);
    const records = (parsed.Events ?? []) as UCloudOperationRecord[];
    const { occurrences, carry } = carryOver(records, safeTime, token?.carry);
    const next = parsed.NextToken;
    if (!next) return { records, occurrences, requestId, retries };
    // The token the core sees wraps UCloud's with a carry that changes from page to page, so the
    // core's check for a repeating token would never fire: a provider answering the token it was
    // sent with that same token is paging in a loop, and would be paged (and delivered) forever.
    if (token && next === token.next) {
      throw malformedPage(origin, `${GET_USER_OPERATION_EVENTS} answered NextToken ${next} with the same NextToken: the provider is paging in a loop`);
    }
    return { records, occurrences, nextPageToken: encodePageToken({ next, carry }), requestId, retries };
  }

  eventTime(record: UCloudOperationRecord): number {
    return operationEventTime(record);
  }

  normalize(record: UCloudOperationRecord, context: MappingContext): VendorDocument {
    return mapUCloudOperationRecord(record, context, {
      projectId: this.options.projectId,
    });
  }
}
