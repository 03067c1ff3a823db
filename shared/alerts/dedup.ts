import { sha256Hex } from '../lib/hashing';
import type { ClaimOutcome, ClaimRequest } from './types';

/**
 * Dedup rules shared by every store. A claim is one item per rule and key:
 *
 *   pk           `alert#<ruleId>#<sha256(dedupKey), 32 hex>`: keys can be long or hold any character
 *   alertId      the alert that took the window
 *   expiresAt    epoch SECONDS when the window ends (the table's TTL attribute)
 *   claimedAt    epoch ms of the claim
 *   publishedAt  epoch ms, once every notifier took it
 *   deferredAt   epoch ms, once it is safely in the outbox
 *
 * A new alert takes the key when there is no claim, the window has ended
 * (even before TTL deletes the item: TTL runs up to days late), or the claim
 * is unfinished (neither published nor deferred) and either is this same
 * alert (a crashed run repeating its page) or is older than `abandonAfterMs`
 * (a crashed run whose repeat raised a different alert, e.g. a threshold rule
 * crossing on another event). So an unfinished claim never suppresses for good.
 */
export const dedupPk = (ruleId: string, dedupKey: string): string =>
  `alert#${ruleId}#${sha256Hex(dedupKey).slice(0, 32)}`;

/** How long an unfinished claim holds off other alerts of its key: well past one route's retries. */
export const DEFAULT_ABANDON_AFTER_MS = 120_000;

export interface ClaimRecord {
  alertId: string;
  expiresAt: number;
  claimedAt: number;
  publishedAt?: number;
  deferredAt?: number;
}

export const nowSeconds = (ms: number): number => Math.floor(ms / 1000);
export const windowEnd = (request: ClaimRequest): number => Math.ceil((request.now + request.windowSeconds * 1000) / 1000);

export function decideClaim(existing: ClaimRecord | undefined, request: ClaimRequest, abandonAfterMs: number): ClaimOutcome {
  if (!existing || existing.expiresAt < nowSeconds(request.now)) return 'new';
  if (existing.publishedAt !== undefined || existing.deferredAt !== undefined) return 'duplicate';
  if (existing.alertId === request.alertId) return 'retry';
  return existing.claimedAt < request.now - abandonAfterMs ? 'new' : 'duplicate';
}
