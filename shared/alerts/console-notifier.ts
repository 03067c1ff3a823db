import type { Alert } from '../core/ports/detection';
import type { Notifier } from './types';

/**
 * Local runs: each alert as a readable block. Written to stderr by default so
 * stdout stays free for whatever the CLI pipes (documents, JSON summaries).
 */
export interface ConsoleNotifierOptions {
  stream?: { write(text: string): unknown };
  /** ANSI colour by severity; default on when the stream is a TTY. */
  color?: boolean;
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
  const color = options.color ?? Boolean((stream as { isTTY?: boolean }).isTTY);
  return {
    name: 'console',
    async publish(alerts) {
      if (alerts.length > 0) stream.write(alerts.map((alert) => formatConsoleAlert(alert, color)).join('\n'));
      return [];
    },
  };
}
