/**
 * What `--from` and `--to` of a backfill mean. An absolute time means itself.
 * A relative one (`7d`: seven days before now) is resolved once, against the
 * now of the first run, and remembered in the backfill's store under a key
 * from the source id and the text typed: re-running the same command then
 * names the same range, so it continues (or finds complete) the backfill it
 * started instead of pulling a range shifted by the minutes in between.
 */
import { unixSeconds, type Clock } from '../lib/clock';
import { parseDuration, parseTimeArgument, TIME_HINT } from '../lib/duration';
import { ConfigError } from '../lib/errors';
import { sha256Hex } from '../lib/hashing';
import type { RangeResolutionStore } from '../core/ports/cursor-store';

export interface BackfillRange {
  /** Unix seconds, inclusive. */
  from: number;
  /** Unix seconds, exclusive. */
  to: number;
}

export interface ResolvedRange {
  range: BackfillRange;
  /** Epoch ms at which the text was resolved: this run's now, or the first run's when remembered. */
  resolvedAt: number;
  /** The range is a remembered resolution from an earlier run. */
  reused: boolean;
  /** Either time is relative (a duration ago), so the resolution is remembered. */
  relative: boolean;
  /** The options as typed, e.g. `--from 7d --to 6d`. */
  text: string;
}

export interface ResolveRangeOptions {
  sourceId: string;
  /** As typed: ISO 8601, unix seconds, or a duration ago (`7d`). */
  from: string;
  to: string;
  /** Where a relative range's resolution is remembered: the backfill's own store. */
  store: RangeResolutionStore;
  clock: Clock;
  /** Resolve a relative range against now again, replacing the remembered resolution. */
  fresh?: boolean;
}

/**
 * The range `from`/`to` name: a relative range as remembered (unless `fresh`),
 * else resolved now. Nothing is written: `rememberRange` does that once the
 * range has been accepted, so a refused range is not kept.
 */
export async function resolveRange(options: ResolveRangeOptions): Promise<ResolvedRange> {
  const text = `--from ${options.from} --to ${options.to}`;
  const relative = isRelativeTime(options.from) || isRelativeTime(options.to);
  if (relative && !options.fresh) {
    const held = await options.store.recallRange(rangeResolutionKey(options.sourceId, options.from, options.to));
    if (held) return { range: { from: held.from, to: held.to }, resolvedAt: held.resolvedAt, reused: true, relative, text };
  }
  const resolvedAt = options.clock.now();
  const now = unixSeconds(resolvedAt);
  const range = { from: parseTime(options.from, '--from', now), to: parseTime(options.to, '--to', now) };
  return { range, resolvedAt, reused: false, relative, text };
}

/**
 * Keep a relative range's new resolution (nothing to keep for an absolute
 * one, or one that was itself remembered). Returns the resolution that holds:
 * another run that resolved the same text first wins, and this run takes its range.
 */
export async function rememberRange(resolved: ResolvedRange, options: ResolveRangeOptions): Promise<ResolvedRange> {
  if (!resolved.relative || resolved.reused) return resolved;
  const held = await options.store.rememberRange(
    rangeResolutionKey(options.sourceId, options.from, options.to),
    { ...resolved.range, resolvedAt: resolved.resolvedAt, fromText: options.from, toText: options.to },
    { replace: options.fresh },
  );
  if (held.resolvedAt === resolved.resolvedAt && held.from === resolved.range.from && held.to === resolved.range.to) return resolved;
  return { ...resolved, range: { from: held.from, to: held.to }, resolvedAt: held.resolvedAt, reused: true };
}

/** A remembered resolution's key: the source id and a digest of the text typed (a plain file name locally). */
export function rangeResolutionKey(sourceId: string, from: string, to: string): string {
  return `${sourceId}-${sha256Hex(`${from.trim()}\n${to.trim()}`).slice(0, 16)}`;
}

/** A duration ago (`7d`), which means another time at every run. */
export function isRelativeTime(text: string): boolean {
  return parseDuration(text) !== undefined;
}

/** ISO 8601, unix seconds, or a duration before now (`7d`, `36h`). */
export function parseTime(text: string, flag: string, nowSeconds: number): number {
  const seconds = parseTimeArgument(text, nowSeconds);
  if (seconds === undefined) throw new ConfigError(flag, [`"${text}" is not a time: expected ${TIME_HINT}`]);
  return seconds;
}
