/**
 * Which rate limit an instance's requests count against, and, locally, one
 * in-process pacer per limit: instances behind one credential set, API and
 * scope share it, so together they send no more than one key may. Deployed,
 * the Lambda shares the limit across invocations with DynamoDbPacer instead.
 */
import { rateLimitKey, type RequestPacer } from '../core/ports/pacer';
import { systemClock, type Clock } from '../lib/clock';
import { RateLimiter } from '../lib/rate-limiter';
import type { SourceDefinition, SourceInstanceConfig } from '../providers/definition';
import { PACE_HEADROOM } from '../providers/http';

export interface RateLimit {
  /** rateLimitKey(type, credential set, scope). */
  key: string;
  /** The API's documented rate. */
  requestsPerSecond: number;
}

/** The limit `instance` shares; undefined for a definition without a documented pace (its client paces alone). */
export function rateLimitOf(definition: SourceDefinition<any, any>, instance: SourceInstanceConfig<any>): RateLimit | undefined {
  if (!definition.pace) return undefined;
  return {
    key: rateLimitKey(definition.type, instance.credentialSet, definition.rateLimitScope(instance)),
    requestsPerSecond: definition.pace.requestsPerSecond,
  };
}

/** One RateLimiter per rate-limit key, for the instances one process pulls. */
export class PacerRegistry {
  private readonly pacers = new Map<string, RequestPacer>();

  constructor(private readonly clock: Clock = systemClock) {}

  /**
   * The pacer of `limit.key`, made by the first asker: PACE_HEADROOM of the
   * documented rate, burst 1, as a client pacing alone would.
   */
  pacerFor(limit: RateLimit): RequestPacer {
    let pacer = this.pacers.get(limit.key);
    if (!pacer) {
      pacer = new RateLimiter(limit.requestsPerSecond * PACE_HEADROOM, 1, this.clock);
      this.pacers.set(limit.key, pacer);
    }
    return pacer;
  }

  /** The instance's shared pacer; undefined when its definition documents no pace. */
  forInstance(definition: SourceDefinition<any, any>, instance: SourceInstanceConfig<any>): RequestPacer | undefined {
    const limit = rateLimitOf(definition, instance);
    return limit && this.pacerFor(limit);
  }

  /** How many limits the pulls so far share (for a summary line). */
  get size(): number {
    return this.pacers.size;
  }
}
