import type { Alert } from '../core/ports/detection';
import { escapesAllowed } from '../lib/terminal';
import type { Notifier } from './types';

/**
 * Local runs: each alert as a readable block. Written to stderr by default so
 * stdout stays free for whatever the CLI pipes (documents, JSON summaries).
 */
export interface ConsoleNotifierOptions {
  stream?: { write(text: string): unknown; isTTY?: boolean };
  /** ANSI colour by severity; default on when the stream is a terminal and NO_COLOR is not set. */
  color?: boolean;
  /**
   * `full` (default): each alert printed as a block as it is raised; `none`:
   * nothing printed (a run raising hundreds would bury everything else), the
   * caller reports them from `onPublished`, e.g. as a count.
   */
  detail?: 'full' | 'none';
  /** Told of the alerts the console took, printed or not. */
  onPublished?: (alerts: readonly Alert[]) => void;
}

const COLOURS: Record<Alert['rule']['severity'], string> = { low: '36', medium: '33', high: '31', critical: '1;41' };

export function formatConsoleAlert(alert: Alert, color = false): string {
  const rule = '─'.repeat(72);
  const head = `ALERT ${alert.rule.severity.toUpperCase()} · ${alert.message.subject}`;
  const title = color ? `\u001b[${COLOURS[alert.rule.severity]}m${head}\u001b[0m` : head;
  return `${rule}\n${title}\n${rule}\n${alert.message.text}\n  alert id ${alert.id}\n`;
}

export function createConsoleNotifier(options: ConsoleNotifierOptions = {}): Notifier {
  const stream = options.stream ?? process.stderr;
  const color = options.color ?? escapesAllowed(stream);
  return {
    name: 'console',
    async publish(alerts) {
      if (alerts.length === 0) return [];
      if (options.detail !== 'none') stream.write(alerts.map((alert) => formatConsoleAlert(alert, color)).join('\n'));
      options.onPublished?.(alerts);
      return [];
    },
  };
}
