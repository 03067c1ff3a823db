/** Digits then lowercase letters: what `n.toString(36)` yields for 0..35. */
export const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * mulberry32: tiny, seedable, good enough for fixtures. Every generated data
 * set depends on the exact sequence, so the arithmetic must not change.
 */
export class Random {
  constructor(private state: number) {}

  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** One draw per character. */
  token(length: number, alphabet = BASE36): string {
    let out = '';
    while (out.length < length) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }

  uuid(): string {
    const hex = Array.from({ length: 32 }, () => Math.floor(this.next() * 16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
  }

  /** Pick by weight: a draw in [0, total) walks the items' weights; `fallback` guards float rounding. */
  weighted<T extends { weight: number }>(items: readonly T[], total: number, fallback: T): T {
    let ticket = this.next() * total;
    for (const item of items) {
      ticket -= item.weight;
      if (ticket < 0) return item;
    }
    return fallback;
  }
}

/**
 * The bare generator as a function. The seed is taken as uint32 first, as the
 * function-style copies did, which gives the same sequence for any number.
 */
export function mulberry32(seed: number): () => number {
  const random = new Random(seed >>> 0);
  return () => random.next();
}

export interface LateArrival {
  fraction: number;
  maxDelaySeconds: number;
}

/** What every record generator takes: `count` records with event times in [from, to], the same for the same `seed`. */
export interface GenerateBase {
  count: number;
  /** Unix seconds, inclusive. */
  from: number;
  /** Unix seconds, inclusive. */
  to: number;
  seed: number;
  /** Share of records that show up late, and by up to how many seconds. */
  late?: LateArrival;
}

/** Seconds a record shows up late, for a `late.fraction` share; undefined when on time. Draws nothing without `late`. */
export function lateDelay(r: Random, late: LateArrival | undefined): number | undefined {
  return late && r.next() < late.fraction ? r.int(1, late.maxDelaySeconds) : undefined;
}
