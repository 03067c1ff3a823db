import type { RunProgress } from '../shared/core/run-options';

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

/**
 * Live progress of concurrent source runs: one line per source, redrawn in
 * place on a terminal, throttled plain lines otherwise (CI logs, pipes).
 */
export class ProgressBoard {
  private readonly rows = new Map<string, RunProgress>();
  private drawn = 0;
  private lastPlain = 0;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stdout,
    private readonly interactive = Boolean(process.stdout.isTTY),
  ) {}

  update = (progress: RunProgress): void => {
    this.rows.set(progress.sourceId, progress);
    if (this.interactive) this.redraw();
    else if (Date.now() - this.lastPlain > 2000) {
      this.lastPlain = Date.now();
      this.out.write(`${this.line(progress)}\n`);
    }
  };

  private line(progress: RunProgress): string {
    const window = progress.window ? ` window ${iso(progress.window.start)} .. ${iso(progress.window.end)}` : '';
    return `  ${progress.sourceId.padEnd(24)} pages ${String(progress.pages).padStart(5)}  pulled ${String(progress.pulled).padStart(7)}  delivered ${String(progress.delivered).padStart(7)}${window}`;
  }

  private redraw(): void {
    if (this.drawn > 0) this.out.write(`\x1b[${this.drawn}A`);
    for (const progress of this.rows.values()) this.out.write(`\x1b[2K${this.line(progress)}\n`);
    this.drawn = this.rows.size;
  }
}
