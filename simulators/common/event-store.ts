/**
 * An in-memory event store for simulated APIs whose records carry an id and
 * page newest first by an opaque token: records with the time they become
 * visible (late arrival), kept in one total order, (time desc, id desc), so
 * a token naming a position is never shifted by records added later.
 */

/** A place in the newest-first order. */
export interface Position {
  /** Unix seconds. */
  time: number;
  id: string;
}

export interface Stored<Record> {
  record: Record;
  /** Unix seconds. */
  time: number;
  /** Unix seconds: when the API starts returning it. */
  visibleAt: number;
}

/** Newest first, ids breaking ties (descending): negative when `a` comes first. */
export function newestFirst(a: Position, b: Position): number {
  if (a.time !== b.time) return b.time - a.time;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export class EventStore<Record> {
  private readonly events: Stored<Record>[] = [];
  private readonly ids = new Set<string>();
  /** The events in order, rebuilt after additions. */
  private sorted?: Stored<Record>[];

  constructor(private readonly positionOf: (record: Record) => Position) {}

  /** Add records, each visible from `visibleAt` (default: its time); a repeated id is a fixture bug and throws. */
  add(items: Iterable<{ record: Record; visibleAt?: number }>): void {
    for (const { record, visibleAt } of items) {
      const { id, time } = this.positionOf(record);
      if (this.ids.has(id)) throw new Error(`duplicate event id ${id}`);
      this.ids.add(id);
      this.events.push({ record, time, visibleAt: visibleAt ?? time });
    }
    this.sorted = undefined;
  }

  /** Every stored record, visible or not, in the order added. */
  get records(): Record[] {
    return this.events.map((event) => event.record);
  }

  /** Every stored event, newest first. */
  ordered(): readonly Stored<Record>[] {
    this.sorted ??= [...this.events].sort((a, b) => newestFirst(this.positionOf(a.record), this.positionOf(b.record)));
    return this.sorted;
  }

  position(event: Stored<Record>): Position {
    return this.positionOf(event.record);
  }
}
