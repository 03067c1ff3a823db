import { z } from 'zod';
import { ConfigError } from '../../../lib/errors';
import type { MappingContext, Page, PageRequest, Source } from '../../../core/ports/source';
import type { VendorDocument } from '../../../ecs/document';
import type { SourceFactoryArgs } from '../../definition';
import { malformedPage, parsePage, type PageOrigin } from '../../page';
import { HuaweiClient } from '../client';
import type { HuaweiSourceCredentials } from '../credentials';
import { huaweiSourceAuth } from '../source-auth';
import type { CtsOptions } from './options';
import { CTS_TYPE, ctsEventTime, mapCtsRecord, type CtsScope, type CtsTrace } from './map';
import { CTS_LIMITS } from './limits';

const LIST_TRACES = 'ListTraces';

const pageSchema = z.object({
  // Items stay unknown: one bad record (null, a string) is the core's to flag and deliver raw,
  // not a reason to refuse the page and block every record after it.
  traces: z.array(z.unknown()).nullish(),
  meta_data: z.object({
    count: z.number().int().nonnegative(),
    // "If the value of marker is null, all traces have been returned."
    marker: z.string().nullish(),
  }),
});

/** A marker as a page token: a trace id (a UUID in every example); anything else in a cursor is refused. */
const MARKER = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export type CtsSourceArgs = SourceFactoryArgs<CtsOptions, HuaweiSourceCredentials>;

/**
 * Huawei Cloud CTS management traces of one project: `GET /v3/{project_id}/traces`
 * with `trace_type=system`, newest first, paged by the `next` marker inside
 * the window's fixed `from`/`to`.
 */
export class CtsSource implements Source<CtsTrace> {
  readonly type = CTS_TYPE;
  readonly maxWindowSeconds = CTS_LIMITS.maxWindowSeconds;
  readonly retentionSeconds = CTS_LIMITS.retentionSeconds;
  private readonly client: HuaweiClient;
  private readonly path: string;
  private readonly scope: CtsScope;
  /** Only the options are kept: credentials live in the client's private fields, out of reach of inspect/logs. */
  private readonly options: CtsOptions;

  constructor(args: CtsSourceArgs) {
    const { instance } = args;
    this.options = instance.options;
    if (!instance.region) throw new ConfigError(`source ${instance.id}`, ['region: required for huawei-cts']);
    this.client = new HuaweiClient({
      service: 'cts',
      endpoint: instance.endpoint ?? ctsEndpoint(instance.region),
      projectId: this.options.projectId,
      auth: huaweiSourceAuth(args),
      requestsPerSecond: args.requestsPerSecond ?? CTS_LIMITS.requestsPerSecond,
      pacer: args.pacer,
      timeoutMs: args.timeoutMs,
      clock: args.clock,
      log: args.log,
    });
    this.path = `/v3/${encodeURIComponent(this.options.projectId)}/traces`;
    this.scope = { region: instance.region, projectId: this.options.projectId };
  }

  /** The query of one page: the window in ms (both bounds exclusive, as documented), the filters, and the marker. */
  query(window: PageRequest['window'], marker?: string): URLSearchParams {
    const { options } = this;
    const query = new URLSearchParams({
      trace_type: 'system',
      limit: String(options.pageSize),
      // `from`/`to` exclude the times they name ("不包括传入时间"): (start - 1 ms, end) is [start, end) in ms.
      from: String(window.start * 1000 - 1),
      to: String(window.end * 1000),
    });
    if (options.serviceType) query.set('service_type', options.serviceType);
    if (options.user) query.set('user', options.user);
    if (options.resourceType) query.set('resource_type', options.resourceType);
    if (options.traceRating) query.set('trace_rating', options.traceRating);
    if (marker !== undefined) query.set('next', marker);
    return query;
  }

  /**
   * Page tokens are markers: the id of the last trace of the previous page,
   * from which `next` continues to older traces. The window's `from`/`to`
   * never change while it is paged, so a marker chain covers it exactly once.
   */
  async fetchPage({ window, pageToken, signal }: PageRequest): Promise<Page<CtsTrace>> {
    if (pageToken !== undefined && !MARKER.test(pageToken)) {
      throw new Error(`${CTS_TYPE} page token ${JSON.stringify(pageToken.slice(0, 60))} in the cursor is not a trace marker; reset the source's cursor`);
    }
    const limit = this.options.pageSize;
    const { body, requestId, retries } = await this.client.request<unknown>('GET', `${this.path}?${this.query(window, pageToken)}`, undefined, { signal });
    const origin: PageOrigin = { source: CTS_TYPE, operation: LIST_TRACES, requestId, client: this.client };
    const { traces, meta_data: meta } = parsePage(pageSchema, body, origin);
    const records = (traces ?? []) as CtsTrace[];
    if (records.length > limit) throw malformedPage(origin, `the page holds ${records.length} traces, more than limit ${limit}`);
    if (meta.count !== records.length) throw malformedPage(origin, `meta_data.count is ${meta.count} but the page holds ${records.length} traces`);
    const marker = meta.marker ?? undefined;
    if (marker === undefined || marker === '') return { records, requestId, retries };
    // Each refusal below stops the run rather than end the window early (skipping traces) or loop on it.
    if (marker === pageToken) throw malformedPage(origin, `marker ${JSON.stringify(marker)} repeats the next it was asked for: paging would not advance`);
    if (records.length === 0) throw malformedPage(origin, `marker ${JSON.stringify(marker.slice(0, 60))} comes with no traces, yet it must be the last trace's id`);
    if (!MARKER.test(marker)) throw malformedPage(origin, `marker ${JSON.stringify(marker.slice(0, 60))} is not a trace id`);
    return { records, nextPageToken: marker, requestId, retries };
  }

  eventTime(record: CtsTrace): number {
    return ctsEventTime(record);
  }

  normalize(record: CtsTrace, context: MappingContext): VendorDocument {
    return mapCtsRecord(record, context, this.scope);
  }
}

/** The regional CTS endpoint (API reference, Endpoints). */
export const ctsEndpoint = (region: string): string => `https://cts.${region}.myhuaweicloud.com`;
