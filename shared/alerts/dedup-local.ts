import { join } from 'node:path';
import { decideClaim, dedupPk, DEFAULT_ABANDON_AFTER_MS, nowSeconds, windowEnd, type ClaimRecord } from './dedup';
import { fileCell, memoryCell, type StateCell } from './local-state';
import type { ClaimRequest, DedupStore } from './types';

/** The DynamoDB store's semantics (see dedup.ts) over local state: in memory, or a JSON file for `cloudtap run`. */
interface DedupState {
  version: 1;
  claims: Record<string, ClaimRecord>;
}

class LocalDedupStore implements DedupStore {
  constructor(private readonly cell: StateCell<DedupState>, private readonly abandonAfterMs: number) {}

  claim(request: ClaimRequest) {
    return this.cell.update((state) => {
      // Expired claims are dropped as the file is rewritten anyway: local TTL.
      for (const [pk, claim] of Object.entries(state.claims)) if (claim.expiresAt < nowSeconds(request.now)) delete state.claims[pk];
      const pk = dedupPk(request.ruleId, request.dedupKey);
      const outcome = decideClaim(state.claims[pk], request, this.abandonAfterMs);
      if (outcome !== 'duplicate') state.claims[pk] = { alertId: request.alertId, expiresAt: windowEnd(request), claimedAt: request.now };
      return outcome;
    });
  }

  markPublished(ruleId: string, dedupKey: string, alertId: string, now: number) {
    return this.mark(ruleId, dedupKey, alertId, { publishedAt: now });
  }

  markDeferred(ruleId: string, dedupKey: string, alertId: string, now: number) {
    return this.mark(ruleId, dedupKey, alertId, { deferredAt: now });
  }

  private async mark(ruleId: string, dedupKey: string, alertId: string, change: Partial<ClaimRecord>): Promise<void> {
    await this.cell.update((state) => {
      const claim = state.claims[dedupPk(ruleId, dedupKey)];
      if (claim?.alertId === alertId) Object.assign(claim, change);
    });
  }
}

export interface LocalDedupOptions {
  abandonAfterMs?: number;
}

export function createMemoryDedupStore(options: LocalDedupOptions = {}): DedupStore {
  return new LocalDedupStore(memoryCell<DedupState>({ version: 1, claims: {} }), options.abandonAfterMs ?? DEFAULT_ABANDON_AFTER_MS);
}

/** `<stateDirectory>/alert-dedup.json`. */
export function createFileDedupStore(stateDirectory: string, options: LocalDedupOptions = {}): DedupStore {
  const cell = fileCell<DedupState>(
    join(stateDirectory, 'alert-dedup.json'),
    () => ({ version: 1, claims: {} }),
    (json) => {
      const state = json as Partial<DedupState> | null;
      return state?.version === 1 && state.claims && typeof state.claims === 'object' ? (state as DedupState) : undefined;
    },
  );
  return new LocalDedupStore(cell, options.abandonAfterMs ?? DEFAULT_ABANDON_AFTER_MS);
}
