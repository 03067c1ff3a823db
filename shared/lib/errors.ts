/**
 * Errors that cross module boundaries. Every message names the source and,
 * where the provider gave one, its request id, so an operator can quote it in
 * a support ticket. No error ever carries a credential.
 */

/** The provider answered with an error envelope (an error object, a non-zero return code, an error code field). */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(
    readonly provider: string,
    readonly code: string,
    message: string,
    readonly requestId: string | undefined,
    /** True for throttling and transient server faults: the caller may retry. */
    readonly retryable: boolean,
    readonly httpStatus?: number,
    /** The provider's throttling code (each client knows its own); HTTP 429 is throttling whatever the code. */
    throttledCode = false,
  ) {
    super(`${provider} error ${code}${requestId ? ` (request ${requestId})` : ''}: ${message}`);
    this.throttled = throttledCode || httpStatus === 429;
  }

  /** The provider refused the request for its rate: a retry counts as a throttled one. */
  readonly throttled: boolean;

  /** The retries the call made before it gave up with this error (set by the HTTP layer), so a failed run still counts them. */
  retries = { total: 0, throttled: 0 };
}

/** The provider answered, but not with the shape its documentation promises. */
export class MalformedResponseError extends Error {
  override readonly name: string = 'MalformedResponseError';
  constructor(
    readonly provider: string,
    readonly detail: string,
    readonly requestId: string | undefined,
    /** The first bytes of the body, for the log; never contains request credentials. */
    readonly bodyExcerpt: string,
  ) {
    super(`${provider} returned a malformed response${requestId ? ` (request ${requestId})` : ''}: ${detail}`);
  }
}

/**
 * The provider answered 2xx with a body that does not parse: cut short on the
 * way (a complete HTTP message whose JSON stops midway) or not JSON at all (a
 * gateway's page in the API's place). That says nothing about the API's
 * contract, so it is retried like a 5xx; only when every attempt gets one does
 * the run fail with it. A body that parses but has the wrong shape is a plain
 * MalformedResponseError, refused at once.
 */
export class UnreadableBodyError extends MalformedResponseError {
  override readonly name = 'UnreadableBodyError';
  /** For retry logs, beside the ProviderError codes. */
  readonly code = 'UnreadableBody';
  constructor(
    provider: string,
    detail: string,
    requestId: string | undefined,
    bodyExcerpt: string,
    readonly httpStatus: number,
    /** The body's size as received, in bytes. */
    readonly bytes: number,
  ) {
    super(provider, detail, requestId, bodyExcerpt);
  }

  /** The retries the call made before it gave up with this error (set by the HTTP layer). */
  retries = { total: 0, throttled: 0 };
}

/** What the HTTP layer tries again; after the last attempt such an error carries the retries it took. */
export type RetriedError = ProviderError | UnreadableBodyError;

/** A retryable ProviderError, or an unreadable body. */
export function isRetried(error: unknown): error is RetriedError {
  return (error instanceof ProviderError && error.retryable) || error instanceof UnreadableBodyError;
}

/** The retries a failed call made before it gave up, where the HTTP layer recorded them. */
export function retriesBeforeFailure(error: unknown): { total: number; throttled: number } | undefined {
  return error instanceof ProviderError || error instanceof UnreadableBodyError ? error.retries : undefined;
}

/** The sink did not acknowledge every record after its retries. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    readonly destination: string,
    /** How many documents were not acknowledged. */
    readonly failedCount: number,
    /** Error codes seen on the failed records, with counts. */
    readonly failures: Record<string, number>,
    /** The destination's request id of the last attempt, where it gives one. */
    readonly requestId?: string,
  ) {
    super(
      `${destination}: ${failedCount} record(s) not delivered after retries (${Object.entries(failures)
        .map(([code, n]) => `${code} x${n}`)
        .join(', ')})${requestId ? `; last request ${requestId}` : ''}`,
    );
  }
}

/** Another invocation holds the source's lease. */
export class LeaseHeldError extends Error {
  override readonly name = 'LeaseHeldError';
  constructor(
    readonly sourceId: string,
    readonly holder: string,
    readonly expiresAt: number,
  ) {
    super(`source ${sourceId} is being pulled by ${holder} until ${new Date(expiresAt).toISOString()}`);
  }
}

/** This run's lease expired or was taken over; it must stop without checkpointing. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  constructor(readonly sourceId: string, readonly owner: string) {
    super(`source ${sourceId}: lease held by ${owner} was lost; stopping without checkpoint`);
  }
}

/** Configuration is invalid; `issues` lists each problem with its path. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly where: string, readonly issues: string[]) {
    super(`invalid configuration in ${where}:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
  }
}

/**
 * Wrap an error with the source id so a log line says which source failed.
 * `progress` is what the run got through before it failed (the core's run
 * figures; this layer does not know their type).
 */
export class SourceRunError extends Error {
  override readonly name = 'SourceRunError';
  constructor(
    readonly sourceId: string,
    override readonly cause: unknown,
    readonly progress?: unknown,
  ) {
    super(`source ${sourceId}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}
