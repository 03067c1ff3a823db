import * as z from 'zod';
import { ConfigError } from '../../../lib/errors';
import type { MappingContext, Page, PageRequest, Source } from '../../../core/ports/source';
import type { VendorDocument } from '../../../ecs/document';
import type { SourceFactoryArgs } from '../../definition';
import { malformedPage, parsePage, type PageOrigin } from '../../page';
import type { HuaweiClient } from '../client';
import type { HuaweiSourceCredentials } from '../credentials';
import { huaweiSourceClient } from '../source-auth';
import type { DbssOptions } from './options';
import { DBSS_TYPE, dbssEventTime, mapDbssRecord, type DbssOperateLog, type DbssScope } from './map';
import { DBSS_LIMITS } from './limits';
import { wallClockOfSeconds } from '../../../lib/civil-time';

const pageSchema = z.object({
  total_num: z.number().int().nonnegative(),
  // Items stay unknown: one bad record (null, a string) is the core's to flag and deliver raw,
  // not a reason to refuse the page and block every record after it.
  operate_log: z.array(z.unknown()).nullish(),
});

/** "yyyy-MM-dd HH:mm:ss" in UTC, the request's time format. */
export function dbssTime(unixSeconds: number): string {
  return wallClockOfSeconds(unixSeconds);
}

export type DbssSourceArgs = SourceFactoryArgs<DbssOptions, HuaweiSourceCredentials>;

/** Huawei Cloud DBSS operation logs of one audit instance: POST /v1/{project_id}/audit/{instance_id}/operation-log. */
export class DbssSource implements Source<DbssOperateLog> {
  readonly type = DBSS_TYPE;
  readonly maxWindowSeconds = DBSS_LIMITS.maxWindowSeconds;
  readonly retentionSeconds = DBSS_LIMITS.retentionSeconds;
  private readonly client: HuaweiClient;
  private readonly path: string;
  private readonly scope: DbssScope;

  /** Only the options are kept: credentials live in the client's private fields, out of reach of inspect/logs. */
  private readonly options: DbssOptions;

  constructor(args: DbssSourceArgs) {
    const { instance } = args;
    this.options = instance.options;
    const { options } = instance;
    if (!instance.region) throw new ConfigError(`source ${instance.id}`, ['region: required for huawei-dbss']);
    this.client = huaweiSourceClient(args, { service: 'dbss', defaultEndpoint: dbssEndpoint(instance.region), requestsPerSecond: DBSS_LIMITS.requestsPerSecond });
    this.path = `/v1/${encodeURIComponent(options.projectId)}/audit/${encodeURIComponent(options.instanceId)}/operation-log`;
    this.scope = { region: instance.region, projectId: options.projectId, instanceId: options.instanceId };
  }

  /** Page tokens are page numbers from 1: the service pages by `page`/`size` over the fixed window. */
  async fetchPage({ window, pageToken, signal }: PageRequest): Promise<Page<DbssOperateLog>> {
    const page = pageToken === undefined ? 1 : Number(pageToken);
    if (!Number.isSafeInteger(page) || page < 1) throw new Error(`${DBSS_TYPE}: page token ${JSON.stringify(pageToken)} is not a page number`);
    const { options } = this;
    const size = options.pageSize;
    const body: Record<string, unknown> = {
      // Both bounds are inclusive; the core's windows are half-open.
      time: { start_time: dbssTime(window.start), end_time: dbssTime(window.end - 1) },
      // Typed as strings in the API document and the SDKs.
      page: String(page),
      size: String(size),
    };
    if (options.userName) body.user_name = options.userName;
    if (options.action) body.action = options.action;

    const { body: response, requestId, retries } = await this.client.request<unknown>('POST', this.path, body, { signal });
    const origin: PageOrigin = { source: DBSS_TYPE, operation: 'operation-log', requestId, client: this.client };
    const { total_num: total, operate_log } = parsePage(pageSchema, response, origin);
    const records = (operate_log ?? []) as DbssOperateLog[];
    if (records.length > size) throw malformedPage(origin, `page ${page} holds ${records.length} records, more than size ${size}`);
    if ((page - 1) * size + records.length >= total) return { records, requestId, retries };
    // A short (or empty) page that total_num says is not the last: the service pages with a smaller
    // size than asked, or lost the list. Page numbers no longer mean what we think: stop loudly
    // rather than end the window early and skip records.
    if (records.length < size) {
      throw malformedPage(
        origin,
        `page ${page} holds ${records.length} of ${size} records but total_num is ${total}: the page is short of what total_num promises`,
      );
    }
    return { records, nextPageToken: String(page + 1), requestId, retries };
  }

  eventTime(record: DbssOperateLog): number {
    return dbssEventTime(record);
  }

  normalize(record: DbssOperateLog, context: MappingContext): VendorDocument {
    return mapDbssRecord(record, context, this.scope);
  }
}

/** The regional DBSS endpoint. */
export const dbssEndpoint = (region: string): string => `https://dbss.${region}.myhuaweicloud.com`;
