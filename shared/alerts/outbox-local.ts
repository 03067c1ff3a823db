import { join } from 'node:path';
import { fileCell, memoryCell, type StateCell } from './local-state';
import { storableAlert } from './payload';
import { OUTBOX_TTL_SECONDS, type AlertOutbox, type DeferredAlert } from './types';

/** The DynamoDB outbox's semantics over local state: in memory, or `<stateDirectory>/alert-outbox.json`. */
interface Held {
  entry: DeferredAlert;
  expiresAt: number;
  leaseOwner?: string;
  leaseUntil?: number;
}

interface OutboxState {
  version: 1;
  entries: Record<string, Held>;
}

const copy = <T>(value: T): T => structuredClone(value);

class LocalOutbox implements AlertOutbox {
  constructor(private readonly cell: StateCell<OutboxState>) {}

  async put(entry: DeferredAlert, now: number): Promise<void> {
    await this.cell.update((state) => {
      if (state.entries[entry.alert.id]) return;
      const stored = { ...copy(entry), alert: storableAlert(entry.alert) };
      state.entries[entry.alert.id] = { entry: stored, expiresAt: Math.floor(now / 1000) + OUTBOX_TTL_SECONDS };
    });
  }

  async get(alertId: string): Promise<DeferredAlert | undefined> {
    const held = (await this.cell.read()).entries[alertId];
    return held && copy(held.entry);
  }

  take(owner: string, now: number, leaseMs: number, limit: number) {
    return this.cell.update((state) => {
      const entries: DeferredAlert[] = [];
      const expired: string[] = [];
      const free = Object.entries(state.entries)
        .filter(([, held]) => held.leaseUntil === undefined || held.leaseUntil < now)
        .sort(([, a], [, b]) => a.entry.deferredAt - b.entry.deferredAt);
      for (const [id, held] of free) {
        if (held.expiresAt < Math.floor(now / 1000)) {
          expired.push(id);
          delete state.entries[id];
        } else if (entries.length < limit) {
          Object.assign(held, { leaseOwner: owner, leaseUntil: now + leaseMs });
          entries.push(copy(held.entry));
        }
      }
      return { entries, expired };
    });
  }

  async complete(alertId: string): Promise<void> {
    await this.cell.update((state) => {
      delete state.entries[alertId];
    });
  }

  async release(owner: string, entry: DeferredAlert): Promise<void> {
    await this.cell.update((state) => {
      const held = state.entries[entry.alert.id];
      if (held?.leaseOwner !== owner) return;
      held.entry = { ...held.entry, pending: [...entry.pending], attempts: entry.attempts, ...(entry.lastError ? { lastError: entry.lastError } : {}) };
      delete held.leaseOwner;
      delete held.leaseUntil;
    });
  }
}

export function createMemoryOutbox(): AlertOutbox {
  return new LocalOutbox(memoryCell<OutboxState>({ version: 1, entries: {} }));
}

export function createFileOutbox(stateDirectory: string): AlertOutbox {
  return new LocalOutbox(
    fileCell<OutboxState>(
      join(stateDirectory, 'alert-outbox.json'),
      () => ({ version: 1, entries: {} }),
      (json) => {
        const state = json as Partial<OutboxState> | null;
        return state?.version === 1 && state.entries && typeof state.entries === 'object' ? (state as OutboxState) : undefined;
      },
    ),
  );
}
