import { afterEach, describe, expect, it, vi } from 'vitest';
import { createConsoleNotifier } from '../../shared/alerts/console-notifier';
import type { Alert } from '../../shared/core/ports/detection';
import type { RunProgress } from '../../shared/core/run-options';
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
