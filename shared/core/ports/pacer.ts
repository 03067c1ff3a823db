/**
 * A share of a provider's rate limit. Every request a client sends first takes
 * a slot; clients that share a limit (one credential set, one API, one scope)
 * share a pacer, in one process or, deployed, across invocations.
 */
export interface RequestPacer {
  /** Wait for the next request slot; rejects when `signal` aborts. */
  take(signal?: AbortSignal): Promise<void>;
}

/** What a rate limit is keyed on: `<type>#<credential set>#<scope>`; instances with equal keys share one pacer. */
export const rateLimitKey = (type: string, credentialSet: string, scope: string): string => `${type}#${credentialSet}#${scope}`;
