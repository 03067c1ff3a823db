import { systemClock, type Clock } from './clock';

export interface RetryOptions {
  /** Total attempts including the first. */
  attempts: number;
  /** First backoff ceiling in ms; doubles each attempt ("full jitter"). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Decides whether an error is worth another attempt. */
  isRetryable: (error: unknown) => boolean;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
  clock?: Clock;
  /** Injected for deterministic tests; defaults to Math.random. */
  random?: () => number;
}

/** Full-jitter exponential backoff delay for a 1-based retry number. */
export function backoffDelay(retry: number, baseDelayMs: number, maxDelayMs: number, random = Math.random): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Run `operation` until it succeeds, a non-retryable error occurs or the
 * attempts are spent; the last error is rethrown unchanged.
 */
export async function retry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const clock = options.clock ?? systemClock;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= options.attempts || !options.isRetryable(error) || options.signal?.aborted) throw error;
      const delay = backoffDelay(attempt, options.baseDelayMs, options.maxDelayMs, options.random);
      options.onRetry?.(error, attempt, delay);
      await clock.sleep(delay, options.signal);
    }
  }
}
