import type { RunProgress } from '../shared/core/run-options';
import { escapesAllowed } from '../shared/lib/terminal';

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

type Output = { write(text: string): unknown; isTTY?: boolean; columns?: number };

export interface ProgressBoardOptions {
  /** Where the board goes; default stdout. */
  out?: Output;
  /** Redraw in place; default when `out` is a terminal and NO_COLOR is not set (no escape codes otherwise). */
  interactive?: boolean;
  /** When not interactive: a plain progress line every 2 s (default), or nothing at all. */
  plain?: boolean;
  /** At most this many source lines; past it, a totals line and the sources still running (default MAX_BOARD_ROWS). */
  maxRows?: number;
}

/** Source lines the board shows at most: hundreds of lines would scroll the terminal, not inform. */
export const MAX_BOARD_ROWS = 12;

/** How a source's run ended, for the totals line. */
export type FinishedAs = 'ok' | 'failed' | 'skipped' | 'interrupted';

/**
 * Live progress of concurrent source runs: one line per source, redrawn in
 * place on a terminal, throttled plain lines otherwise (CI logs, pipes).
 * Everything else the run prints while the board is up (log lines, alerts)
 * goes through `print`, which clears the board, prints, and redraws it below,
 * so the board never overwrites a line.
 */
export class ProgressBoard {
  private readonly rows = new Map<string, RunProgress>();
  /** Sources whose run ended: their figures, and counts by how they ended. */
  private readonly finished = new Map<string, RunProgress>();
  private readonly ended: Record<FinishedAs, number> = { ok: 0, failed: 0, skipped: 0, interrupted: 0 };
  private readonly out: Output;
  private readonly interactive: boolean;
  private readonly plain: boolean;
  private readonly maxRows: number;
  /** How many sources this run pulls, once `expect` says. */
  private total = 0;
  private drawn = 0;
  private lastPlain = 0;

  constructor(options: ProgressBoardOptions = {}) {
    this.out = options.out ?? process.stdout;
    this.interactive = options.interactive ?? escapesAllowed(this.out);
    this.plain = options.plain ?? true;
    this.maxRows = options.maxRows ?? MAX_BOARD_ROWS;
  }

  /** The number of sources the run will pull: past `maxRows`, the board shows totals and the sources still running. */
  expect(total: number): void {
    this.total = total;
  }

  update = (progress: RunProgress): void => {
    this.rows.set(progress.sourceId, progress);
    this.changed(progress);
  };

  /** A source's run ended: in compact mode its line gives way to the totals. */
  finish = (sourceId: string, as: FinishedAs): void => {
    this.ended[as]++;
    const last = this.rows.get(sourceId);
    if (last) this.finished.set(sourceId, last);
    if (this.compact) this.rows.delete(sourceId);
    this.changed(last);
  };

  private get compact(): boolean {
    return this.total > this.maxRows;
  }

  private changed(progress: RunProgress | undefined): void {
    if (this.interactive) this.redraw();
    else if (this.plain && Date.now() - this.lastPlain > 2000) {
      const line = this.compact ? this.totalsLine() : progress && this.line(progress);
      if (!line) return;
      this.lastPlain = Date.now();
      this.out.write(`${line}\n`);
    }
  }

  /** `37/500 sources done (35 ok, 1 failed, 1 skipped), 8 running; 41,200 pulled, 41,150 delivered` */
  private totalsLine(): string {
    const done = Object.values(this.ended).reduce((sum, count) => sum + count, 0);
    const how = (Object.entries(this.ended) as [FinishedAs, number][]).filter(([, count]) => count > 0).map(([as, count]) => `${count} ${as}`);
    const all = [...this.finished.values(), ...this.rows.values()];
    const sum = (field: 'pulled' | 'delivered') => all.reduce((total, progress) => total + progress[field], 0).toLocaleString('en-US');
    return `  ${done}/${this.total} sources done${how.length ? ` (${how.join(', ')})` : ''}, ${this.rows.size} running; ${sum('pulled')} pulled, ${sum('delivered')} delivered`;
  }

  /** Print `text` (whole lines) on `stream` above the board. */
  print(text: string, stream: Output = process.stderr): void {
    this.clear();
    stream.write(text);
    if (this.interactive && (this.rows.size > 0 || (this.compact && this.finished.size > 0))) this.redraw();
  }

  /** The run is over: the board stays as last drawn, and the next run starts a board of its own below it. */
  done(): void {
    this.rows.clear();
    this.finished.clear();
    for (const as of Object.keys(this.ended) as FinishedAs[]) this.ended[as] = 0;
    this.drawn = 0;
  }

  private line(progress: RunProgress): string {
    const window = progress.window ? ` window ${iso(progress.window.start)} .. ${iso(progress.window.end)}` : '';
    return `  ${progress.sourceId.padEnd(24)} pages ${String(progress.pages).padStart(5)}  pulled ${String(progress.pulled).padStart(7)}  delivered ${String(progress.delivered).padStart(7)}${window}`;
  }

  /** Move up to the board's first line and erase it and everything below. */
  private clear(): void {
    if (this.drawn > 0) this.out.write(`\x1b[${this.drawn}A\x1b[J`);
    this.drawn = 0;
  }

  private redraw(): void {
    this.clear();
    // A line wider than the terminal would wrap, and the board would no longer know how many lines to clear.
    const width = this.out.columns ? this.out.columns - 1 : Infinity;
    const lines = this.compact
      ? [this.totalsLine(), ...[...this.rows.values()].slice(-this.maxRows).map((progress) => this.line(progress))]
      : [...this.rows.values()].map((progress) => this.line(progress));
    this.out.write(lines.map((line) => `${line.slice(0, width)}\n`).join(''));
    this.drawn = lines.length;
  }
}
