import { afterEach, describe, expect, it, vi } from 'vitest';
import { createConsoleNotifier } from '../../shared/alerts/console-notifier';
import type { Alert } from '../../shared/core/ports/detection';
import type { RunProgress, RunSummary } from '../../shared/core/run-options';
import type { LocalRunResult } from '../../shared/runtime/local';
import { formatSummary } from '../../cli/summary';
import { ProgressBoard } from '../../cli/progress';

/**
 * A terminal screen: the text written to it, with the escapes the board uses
 * acted out (cursor up `ESC[nA`, erase below `ESC[J`, erase line `ESC[2K`).
 * stdout and stderr of a run in a terminal both write here.
 */
class Screen {
  readonly isTTY = true;
  private lines: string[] = [''];
  private row = 0;

  write = (text: string): boolean => {
    const pattern = /\x1b\[(\d*)([AJK])|\x1b\[2K|\n|[^\x1b\n]+/g;
    for (const [token, count, command] of text.matchAll(pattern)) {
      if (token === '\n') {
        this.row++;
        this.lines[this.row] ??= '';
      } else if (command === 'A') this.row = Math.max(0, this.row - Number(count || 1));
      else if (command === 'J') this.lines = [...this.lines.slice(0, this.row), ''];
      else if (token === '\x1b[2K') this.lines[this.row] = '';
      else this.lines[this.row] = (this.lines[this.row] ?? '') + token;
    }
    return true;
  };

  /** The lines on screen, the cursor's empty last line left out. */
  get text(): string[] {
    return this.lines.at(-1) === '' ? this.lines.slice(0, -1) : this.lines;
  }
}

const progress = (sourceId: string, pages: number): RunProgress => ({
  sourceId,
  pages,
  pulled: pages * 50,
  delivered: pages * 50,
  mappingErrors: 0,
  retries: 0,
  throttledRetries: 0,
});

const alert = (severity: Alert['rule']['severity']): Alert =>
  ({ id: 'a1', rule: { severity }, message: { subject: 'Root login', text: 'Who: root' } }) as unknown as Alert;

describe('the progress board on a terminal', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('never overwrites a line printed while it is up: log lines and alerts stay above it, and the board is redrawn below', async () => {
    vi.stubEnv('NO_COLOR', '');
    const screen = new Screen();
    const board = new ProgressBoard({ out: screen });
    const notifier = createConsoleNotifier({ stream: { write: (text: string) => board.print(text, screen), isTTY: true } });

    board.update(progress('audit-a', 1));
    board.update(progress('audit-b', 1));
    board.print('warn  a provider retried\n', screen);
    board.update(progress('audit-a', 2));
    await notifier.publish([alert('high')]);
    board.update(progress('audit-b', 3));
    board.done();
    screen.write('✓ summary\n');

    const lines = screen.text;
    expect(lines[0]).toBe('warn  a provider retried');
    expect(lines.slice(1, 4)).toEqual(['─'.repeat(72), expect.stringContaining('ALERT HIGH · Root login'), '─'.repeat(72)]);
    expect(lines.slice(4, 6)).toEqual(['Who: root', '  alert id a1']);
    expect(lines.slice(6, 8)).toEqual([expect.stringMatching(/^ {2}audit-a +pages +2 +pulled +100/), expect.stringMatching(/^ {2}audit-b +pages +3 +pulled +150/)]);
    expect(lines.slice(8)).toEqual(['✓ summary']);
  });

  it('with NO_COLOR set writes no escape code at all, on the board or in alerts', async () => {
    vi.stubEnv('NO_COLOR', '1');
    let written = '';
    const terminal = { isTTY: true, write: (text: string) => (written += text) };
    const board = new ProgressBoard({ out: terminal });
    board.update(progress('audit-a', 1));
    board.print('warn  something\n', terminal);
    board.update(progress('audit-a', 2));
    await createConsoleNotifier({ stream: terminal }).publish([alert('critical')]);
    expect(written).toContain('ALERT CRITICAL · Root login');
    expect(written).not.toContain('\x1b');
  });

  it('colours alerts on a terminal when NO_COLOR is unset or empty, and never when not on a terminal', async () => {
    vi.stubEnv('NO_COLOR', '');
    let terminal = '';
    let pipe = '';
    await createConsoleNotifier({ stream: { isTTY: true, write: (text: string) => (terminal += text) } }).publish([alert('high')]);
    await createConsoleNotifier({ stream: { isTTY: false, write: (text: string) => (pipe += text) } }).publish([alert('high')]);
    expect(terminal).toContain('\x1b[31mALERT HIGH');
    expect(pipe).not.toContain('\x1b');
  });
});

describe('the progress board over hundreds of sources', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('shows a totals line and at most maxRows running sources, never a line per source', () => {
    vi.stubEnv('NO_COLOR', '');
    const screen = new Screen();
    const board = new ProgressBoard({ out: screen, maxRows: 3 });
    board.expect(300);
    for (let i = 0; i < 300; i++) board.update(progress(`audit-${i}`, 1));
    for (let i = 0; i < 290; i++) board.finish(`audit-${i}`, i === 7 ? 'failed' : i === 9 ? 'skipped' : 'ok');

    expect(screen.text).toEqual([
      '  290/300 sources done (288 ok, 1 failed, 1 skipped), 10 running; 15,000 pulled, 15,000 delivered',
      expect.stringMatching(/^ {2}audit-297 +pages +1/),
      expect.stringMatching(/^ {2}audit-298 +pages +1/),
      expect.stringMatching(/^ {2}audit-299 +pages +1/),
    ]);
  });

  it('off a terminal, prints the totals line (throttled) rather than a source line', () => {
    let written = '';
    const board = new ProgressBoard({ out: { isTTY: false, write: (text: string) => (written += text) }, maxRows: 3 });
    board.expect(50);
    board.update(progress('audit-0', 2));
    expect(written).toBe('  0/50 sources done, 1 running; 100 pulled, 100 delivered\n');
  });
});

describe('the run summary over many sources', () => {
  const summary = (sourceId: string, delivered: number, stoppedBy: RunSummary['stoppedBy'] = 'caught-up'): RunSummary =>
    ({ sourceId, pulled: delivered, delivered, pages: 1, durationMs: 1000, stoppedBy, mappingErrors: 0, skippedSeconds: 0, retries: 0, throttledRetries: 0 }) as RunSummary;
  const ok = (sourceId: string, sourceType: string, delivered: number): LocalRunResult => ({ sourceId, sourceType, ok: true, summary: summary(sourceId, delivered) });

  it('is one table by source type with a total, then the sources that need a look', () => {
    const results: LocalRunResult[] = [
      ...Array.from({ length: 20 }, (_, i) => ok(`audit-${i}`, 'type-b', 10)),
      ...Array.from({ length: 5 }, (_, i) => ok(`ops-${i}`, 'type-a', 3)),
      { sourceId: 'audit-bad', sourceType: 'type-b', ok: false, error: new Error('signature rejected (request id r-1)'), durationMs: 5 },
      { sourceId: 'ops-held', sourceType: 'type-a', ok: true, summary: summary('ops-held', 0, 'lease-held') },
    ];
    expect(formatSummary(results, 'events.ndjson').split('\n')).toEqual([
      'type    sources       ok  skipped   failed  interrupted   pulled  delivered    pages',
      'type-a        6        5        1        0            0       15         15        6',
      'type-b       21       20        0        1            0      200        200       20',
      'total        27       25        1        1            0      215        215       26',
      '✗ audit-bad: signature rejected (request id r-1)',
      '– ops-held: skipped: another run holds the lease',
      '215 events written to events.ndjson',
    ]);
  });

  it('lists a line per source up to 20 sources', () => {
    const results = Array.from({ length: 20 }, (_, i) => ok(`audit-${i}`, 'type-b', 1));
    const lines = formatSummary(results, 'out').split('\n');
    expect(lines).toHaveLength(21);
    expect(lines[0]).toMatch(/^✓ audit-0: 1 pulled, 1 delivered in 1 pages/);
  });
});
