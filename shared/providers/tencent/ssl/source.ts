import * as z from 'zod';
import type { Log } from '../../../lib/logger';
import type { MappingContext, Page, PageRequest, Source } from '../../../core/ports/source';
import type { VendorDocument } from '../../../ecs/document';
import type { SourceFactoryArgs } from '../../definition';
import { parsePage } from '../../page';
import { TencentClient } from '../client';
import type { TencentSourceCredentials } from '../credentials';
import { formatBeijingTime } from './beijing-time';
import type { SslOptions } from './options';
import { SSL_TYPE, mapSslOperationLog, sslEventTime, type SslOperationLog } from './map';
import { decodePageToken, encodePageToken, firstPosition, planPage, requestOf } from './paging';
import { SSL_LIMITS } from './limits';
import { DAY_SECONDS } from '../../../lib/duration';

export const DESCRIBE_OPERATE_LOGS = 'DescribeCertificateOperateLogs';


/** The SDKs' default (China site). The international site: https://ssl.intl.tencentcloudapi.com via `endpoint`. */
export const SSL_ENDPOINT = 'https://ssl.tencentcloudapi.com';

const pageSchema = z.object({
  AllTotal: z.number().int().nonnegative().nullish(),
  TotalCount: z.number().int().nonnegative().nullish(),
  // Items stay unknown: one bad record is the core's to flag, not a reason to refuse the page.
  OperateLogs: z.array(z.unknown()).nullish(),
});

export type SslSourceArgs = SourceFactoryArgs<SslOptions, TencentSourceCredentials>;

/** Tencent Cloud SSL Certificates `DescribeCertificateOperateLogs` (2019-12-05): id-less, newest-first, Offset/Limit. */
export class SslSource implements Source<SslOperationLog> {
  readonly type = SSL_TYPE;
  /** A day per query: no span limit is documented; a day keeps each query's AllTotal small and catch-up in checkpointed steps. */
  readonly maxWindowSeconds = DAY_SECONDS;
  readonly retentionSeconds = SSL_LIMITS.retentionSeconds;
  readonly idFromContent = true;
  private readonly client: TencentClient;
  // Only what paging needs: keeping the args would keep the credentials, which util.inspect would print.
  private readonly sourceId: string;
  private readonly log: Log;
  private warnedFallback = false;

  constructor(args: SslSourceArgs) {
    this.sourceId = args.instance.id;
    this.log = args.log;
    // The API is global: no region is sent, and the signature's service is `ssl` on either site.
    this.client = new TencentClient({
      service: 'ssl',
      version: '2019-12-05',
      endpoint: args.instance.endpoint ?? SSL_ENDPOINT,
      credentials: args.credentials,
      requestsPerSecond: args.requestsPerSecond ?? SSL_LIMITS.requestsPerSecond,
      pacer: args.pacer,
      timeoutMs: args.timeoutMs,
      language: args.instance.options.language,
      clock: args.clock,
      log: args.log,
    });
  }

  async fetchPage({ window, pageToken, signal }: PageRequest): Promise<Page<SslOperationLog>> {
    const position = pageToken === undefined ? firstPosition(window) : decodePageToken(pageToken, window);
    const { end, offset } = requestOf(position, window);
    const params = {
      Offset: offset,
      Limit: SSL_LIMITS.maxLimit,
      StartTime: formatBeijingTime(window.start),
      // The window's end itself, then the keyset bound (see paging.ts).
      EndTime: formatBeijingTime(end),
    };
    const { response, requestId, retries } = await this.client.call(DESCRIBE_OPERATE_LOGS, params, { signal });
    const { OperateLogs, AllTotal } = parsePage(pageSchema, response, {
      source: SSL_TYPE,
      operation: DESCRIBE_OPERATE_LOGS,
      requestId,
      client: this.client,
    });
    const plan = planPage({
      records: (OperateLogs ?? []) as SslOperationLog[],
      allTotal: AllTotal ?? undefined,
      limit: SSL_LIMITS.maxLimit,
      position,
      window,
      eventTime: sslEventTime,
    });
    if (plan.fellBack && !this.warnedFallback) {
      this.warnedFallback = true;
      this.log.warn('the API does not page as assumed (EndTime inclusive, newest first); paging the rest of the window by plain offset', {
        sourceId: this.sourceId,
        requestId,
      });
    }
    const page = { records: plan.records, occurrences: plan.occurrences, requestId, retries };
    return plan.next ? { ...page, nextPageToken: encodePageToken(plan.next) } : page;
  }

  eventTime(record: SslOperationLog): number {
    return sslEventTime(record);
  }

  normalize(record: SslOperationLog, context: MappingContext): VendorDocument {
    return mapSslOperationLog(record, context);
  }
}
