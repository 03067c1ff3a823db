import type { RequestPacer } from '../core/ports/pacer';
import { systemClock, type Clock } from '../lib/clock';
import { isRetried, MalformedResponseError, ProviderError, UnreadableBodyError, type RetriedError } from '../lib/errors';
import { RateLimiter } from '../lib/rate-limiter';
import { retry } from '../lib/retry';

/**
 * The HTTP plumbing every provider client repeats: timed fetches, network
 * failures told apart from aborts, paced retries and redaction. No vendor
 * knowledge: signing, envelopes and error codes stay in each client. Bundled
 * into every Lambda, so it stays small.
 */

const EXCERPT_CHARS = 200;

export interface RetryTuning {
  /** Total attempts including the first. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** For deterministic tests. */
  random?: () => number;
}

export interface TransportOptions {
  /** The API's documented request rate; requests are paced evenly to it. */
  requestsPerSecond: number;
  clock?: Clock;
  /** Per attempt, including reading the body. Default 10 s. */
  timeoutMs?: number;
  retry?: Partial<RetryTuning>;
  /**
   * Shared with the other clients behind the same rate limit (SourceFactoryArgs.pacer);
   * without it the transport paces itself alone to `requestsPerSecond`.
   */
  pacer?: RequestPacer;
}

/** `https://` unless the endpoint names a scheme (a simulator's `http://127.0.0.1:PORT`). */
export const withScheme = (endpoint: string): string => (/^[a-z]+:\/\//i.test(endpoint) ? endpoint : `https://${endpoint}`);

/** The host a request to `endpoint` reaches: what a regional rate limit is keyed on. */
export const endpointHost = (endpoint: string): string => new URL(withScheme(endpoint)).host;

/** 5xx and 429 are worth another attempt, whatever the body says. */
export const isTransientStatus = (status: number): boolean => status >= 500 || status === 429;

/** A fetch failure's root cause (ECONNRESET, ECONNREFUSED, ...) rather than "fetch failed". */
export function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause;
  const detail = [cause?.code, cause?.message].filter((part) => typeof part === 'string' && part).join(' ');
  return detail || (error instanceof Error ? error.message : String(error));
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** The body decoded as UTF-8, each invalid sequence replaced by U+FFFD (as `Response.text()` does). */
  text: string;
  /** The body's size as received. */
  bytes: number;
}

/** Why no answer came; both are worth a retry. */
export type NoAnswer = 'Timeout' | 'NetworkError';

/**
 * One request with its body read, within `timeoutMs`. The caller's abort
 * rethrows its reason unchanged; a timeout or a network failure throws what
 * `noAnswer` builds from the code and a detail.
 */
export async function fetchText(
  url: URL,
  init: RequestInit,
  timeoutMs: number,
  callerSignal: AbortSignal | undefined,
  noAnswer: (code: NoAnswer, detail: string) => Error,
): Promise<HttpAnswer> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
  try {
    const response = await fetch(url, { ...init, signal });
    const body = new Uint8Array(await response.arrayBuffer());
    return { status: response.status, headers: response.headers, text: utf8.decode(body), bytes: body.byteLength };
  } catch (error) {
    if (callerSignal?.aborted) throw callerSignal.reason;
    if (timeout.aborted) throw noAnswer('Timeout', `no complete answer within ${timeoutMs} ms`);
    throw noAnswer('NetworkError', describeFetchError(error));
  }
}

const utf8 = new TextDecoder();

/** The retries one call made, and how many of them answered the provider's throttling. */
export interface RetryCount {
  total: number;
  throttled: number;
}

/** The share of a provider's documented rate a client uses. */
export const PACE_HEADROOM = 0.9;

/** A client's pacing, timeout and retries. */
export class Transport {
  readonly clock: Clock;
  readonly timeoutMs: number;
  private readonly limiter: RequestPacer;
  private readonly retry: RetryTuning;

  constructor(options: TransportOptions, defaults: RetryTuning) {
    this.clock = options.clock ?? systemClock;
    // Burst 1 paces requests evenly: a full burst at start would let a calendar
    // second see about twice the documented rate and be throttled. The 10 %
    // headroom absorbs network jitter, which bunches evenly sent requests on
    // arrival (tens of ms either way keep a paced client under the limit).
    this.limiter = options.pacer ?? new RateLimiter(options.requestsPerSecond * PACE_HEADROOM, 1, this.clock);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retry = { ...defaults, ...options.retry };
  }

  /**
   * `attempt` (1-based), each try paced, tried again while it fails with a
   * retryable ProviderError or an UnreadableBodyError. Resolves with its
   * result and the retries it took.
   */
  async run<T>(
    attempt: (n: number) => Promise<T>,
    signal: AbortSignal | undefined,
    onRetry: (error: RetriedError, attempt: number, delayMs: number) => void,
  ): Promise<{ result: T; retries: RetryCount }> {
    const retries: RetryCount = { total: 0, throttled: 0 };
    try {
      const result = await retry(
        async (n) => {
          await this.limiter.take(signal);
          return attempt(n);
        },
        {
          ...this.retry,
          isRetryable: isRetried,
          onRetry: (error, n, delayMs) => {
            retries.total++;
            if (error instanceof ProviderError && error.throttled) retries.throttled++;
            onRetry(error as RetriedError, n, delayMs);
          },
          signal,
          clock: this.clock,
        },
      );
      return { result, retries };
    } catch (error) {
      if (error instanceof ProviderError || error instanceof UnreadableBodyError) error.retries = retries;
      throw error;
    }
  }

  fetch(url: URL, init: RequestInit, signal: AbortSignal | undefined, noAnswer: (code: NoAnswer, detail: string) => Error): Promise<HttpAnswer> {
    return fetchText(url, init, this.timeoutMs, signal, noAnswer);
  }
}

/** Builds a provider's errors with every known secret removed, in case the provider echoes one back. */
export class RedactingErrors {
  // ES private: util.inspect and JSON.stringify never show it.
  readonly #secrets: () => string[];

  readonly #name: string;

  /** `secrets` is asked afresh each time: a token may change. Values shorter than 4 characters are not redacted. */
  constructor(name: string, secrets: () => (string | undefined)[]) {
    this.#name = name;
    this.#secrets = () => secrets().filter((s): s is string => typeof s === 'string' && s.length >= 4);
  }

  scrub(text: string): string {
    return this.#secrets().reduce((out, secret) => out.split(secret).join('[redacted]'), text);
  }

  provider(code: string, message: string, requestId: string | undefined, retryable: boolean, status?: number, throttled = false): ProviderError {
    return new ProviderError(this.#name, this.scrub(code), this.scrub(message), requestId, retryable, status, throttled);
  }

  malformed(detail: string, requestId: string | undefined, text: string): MalformedResponseError {
    return new MalformedResponseError(this.#name, this.scrub(detail), requestId, this.scrub(text).slice(0, EXCERPT_CHARS));
  }

  /** A 2xx `answer` whose body did not parse: retried like a 5xx (UnreadableBodyError). */
  unreadable(what: string, answer: HttpAnswer, requestId: string | undefined): UnreadableBodyError {
    const detail = this.scrub(`${what}: body is not valid JSON (HTTP ${answer.status}, ${answer.bytes} bytes)`);
    return new UnreadableBodyError(this.#name, detail, requestId, this.scrub(answer.text).slice(0, EXCERPT_CHARS), answer.status, answer.bytes);
  }
}

/** Where a body comes from, for the errors about it. */
export interface BodyOrigin {
  /** The call: its API action, or its method and path. */
  what: string;
  /** From the answer's headers, where the API sends it there. */
  requestId: string | undefined;
  /** The request id in a body that did not parse (an API that sends it only in the body), tried before `requestId`. */
  requestIdInText?: (text: string) => string | undefined;
  errors: RedactingErrors;
}

/**
 * The one place a provider's answer body is read as JSON (`parse`: JSON.parse
 * or a vendor's exact-integer reader). A body that does not parse is
 * transient with a 2xx, an UnreadableBodyError (a middlebox cut it, a gateway
 * answered in the API's place), or with a 5xx or 429, a ProviderError
 * `HTTP<status>`: Transport.run retries both. With any other status (a 4xx
 * page) it is refused at once. A body that parses is the vendor's to check:
 * the wrong shape there is the API's contract broken, not the transfer.
 */
export function readJsonBody(answer: HttpAnswer, origin: BodyOrigin, parse: (text: string) => unknown = JSON.parse): unknown {
  try {
    return parse(answer.text);
  } catch {
    const { status } = answer;
    const requestId = origin.requestIdInText?.(answer.text) ?? origin.requestId;
    if (isTransientStatus(status)) throw origin.errors.provider(`HTTP${status}`, `${origin.what}: HTTP ${status}`, requestId, true, status);
    if (status >= 200 && status <= 299) throw origin.errors.unreadable(origin.what, answer, requestId);
    throw origin.errors.malformed(`${origin.what}: body is not valid JSON (HTTP ${status}, ${answer.bytes} bytes)`, requestId, answer.text);
  }
}
