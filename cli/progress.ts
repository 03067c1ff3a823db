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
}

/**
 * Live progress of concurrent source runs: one line per source, redrawn in
 * place on a terminal, throttled plain lines otherwise (CI logs, pipes).
 * Everything else the run prints while the board is up (log lines, alerts)
 * goes through `print`, which clears the board, prints, and redraws it below,
 * so the board never overwrites a line.
 */
export class ProgressBoard {
  private readonly rows = new Map<string, RunProgress>();
  private readonly out: Output;
  private readonly interactive: boolean;
  private readonly plain: boolean;
  private drawn = 0;
  private lastPlain = 0;

  constructor(options: ProgressBoardOptions = {}) {
    this.out = options.out ?? process.stdout;
    this.interactive = options.interactive ?? escapesAllowed(this.out);
    this.plain = options.plain ?? true;
  }

  update = (progress: RunProgress): void => {
    this.rows.set(progress.sourceId, progress);
    if (this.interactive) this.redraw();
    else if (this.plain && Date.now() - this.lastPlain > 2000) {
      this.lastPlain = Date.now();
      this.out.write(`${this.line(progress)}\n`);
    }
  };

  /** Print `text` (whole lines) on `stream` above the board. */
  print(text: string, stream: Output = process.stderr): void {
    this.clear();
    stream.write(text);
    if (this.interactive && this.rows.size > 0) this.redraw();
  }

  /** The run is over: the board stays as last drawn, and the next run starts a board of its own below it. */
  done(): void {
    this.rows.clear();
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
    this.out.write([...this.rows.values()].map((progress) => `${this.line(progress).slice(0, width)}\n`).join(''));
    this.drawn = this.rows.size;
  }
}
